"""The chat pages: the patient's messages in the portal and the clinic's inbox in the workspace."""

import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.testing import make_patient, make_user
from clinicore.messaging.services import conversation_update, message_send
from clinicore.messaging.testing import make_conversation, patient_actor, staff_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(world):
    return make_conversation(
        world.clinic_a,
        patient=world.patient_a,
        by=patient_actor(world.patient_user),
        subject="Rash",
        text="It itches.",
    )


def test_it_shows_the_inbox_with_filters_and_the_unread_badge(login_as, world, thread):
    client = login_as(world.member("a", Role.RECEPTIONIST).user)
    page = client.get(f"/c/{world.clinic_a.slug}/desk/inbox/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Asha" in html and "Rash" in html
    assert "data-unread-badge>1</span>" in html

    doctor = world.member("a", Role.DOCTOR)
    conversation_update(
        conversation=thread,
        actor=staff_actor(world.member("a", Role.OWNER)),
        assigned_to_id=doctor.pk,
    )
    assert (
        "Rash"
        not in client.get(f"/c/{world.clinic_a.slug}/desk/inbox/?show=unassigned").content.decode()
    )
    assert (
        "Rash" not in client.get(f"/c/{world.clinic_a.slug}/desk/inbox/?show=mine").content.decode()
    )
    assert (
        "Rash"
        not in client.get(
            f"/c/{world.clinic_a.slug}/desk/inbox/?department=billing"
        ).content.decode()
    )
    mine = (
        login_as(doctor.user)
        .get(f"/c/{world.clinic_a.slug}/desk/inbox/?show=mine")
        .content.decode()
    )
    assert "Rash" in mine


def test_it_lets_staff_answer_without_javascript(login_as, world, thread):
    client = login_as(world.member("a", Role.NURSE).user)
    url = f"/c/{world.clinic_a.slug}/desk/inbox/{thread.pk}/"
    assert "It itches." in client.get(url).content.decode()
    response = client.post(url, {"text": "Please send a photo."})
    assert response.status_code == 302
    portal = login_as(world.patient_user).get(f"/me/messages/{thread.pk}/").content.decode()
    assert "Please send a photo." in portal
    assert "data-chat" in portal


def test_it_shows_a_patient_only_their_own_conversations(login_as, world, thread):
    stranger = make_user("nosy@example.test")
    make_patient(world.clinic_a, user=stranger)
    client = login_as(stranger)
    assert client.get(f"/me/messages/{thread.pk}/").status_code == 404
    assert "Rash" not in client.get("/me/messages/").content.decode()
    assert client.get(f"/c/{world.clinic_a.slug}/desk/inbox/{thread.pk}/").status_code == 404


def test_it_lets_a_patient_start_a_conversation_from_the_portal(login_as, world):
    client = login_as(world.patient_user)
    response = client.post(
        "/me/messages/new/",
        {
            "patient_id": str(world.patient_a.pk),
            "department": "medical",
            "subject": "Dose",
            "text": "Twice a day?",
        },
    )
    assert response.status_code == 302
    assert "Twice a day?" in client.get(response["Location"]).content.decode()
    staff = login_as(world.member("a", Role.DOCTOR).user)
    assert "Dose" in staff.get(f"/c/{world.clinic_a.slug}/desk/inbox/").content.decode()


def test_it_counts_unread_messages_in_the_header(login_as, world, thread):
    message_send(
        conversation=thread, actor=staff_actor(world.member("a", Role.RECEPTIONIST)), text="One"
    )
    message_send(
        conversation=thread, actor=staff_actor(world.member("a", Role.RECEPTIONIST)), text="Two"
    )
    client = login_as(world.patient_user)
    assert client.get("/me/messages/unread/").json() == {"unread": 2}
    html = client.get("/me/messages/").content.decode()
    assert "data-unread-badge>2</span>" in html
