"""Chat through the REST API: conversations, messages, receipts, unread counts, files, tenancy."""

import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from clinicore.clinics.permissions import Role
from clinicore.core.testing import bearer, make_patient, make_user
from clinicore.messaging.models import Message, ReadState
from clinicore.messaging.tasks import notify_offline
from clinicore.messaging.testing import png_bytes

pytestmark = pytest.mark.django_db


def _patient_headers(world):
    return bearer(world.patient_user, world.clinic_a)


def _start(api, world, **extra):
    body = {"department": "billing", "subject": "Invoice", "text": "I was charged twice.", **extra}
    response = api.post("/api/v1/chat/conversations", body, headers=_patient_headers(world))
    assert response.status_code == 201, response.content
    return response.json()


def test_it_lets_a_patient_write_to_a_department_and_staff_answer(api, world):
    conversation = _start(api, world)
    assert conversation["department"] == "billing"
    assert conversation["patient_id"] == str(world.patient_a.pk)

    staff = world.headers("a", Role.RECEPTIONIST)
    listed = api.get("/api/v1/chat/conversations", headers=staff).json()
    assert [c["id"] for c in listed["items"]] == [conversation["id"]]
    assert listed["items"][0]["unread"] == 1

    reply = api.post(
        "/api/v1/chat/messages",
        {"conversation_id": conversation["id"], "text": "Refund issued."},
        headers=staff,
    )
    assert reply.status_code == 201, reply.content
    assert reply.json()["sender_side"] == "staff"

    mine = api.get("/api/v1/chat/conversations", headers=_patient_headers(world)).json()
    assert mine["items"][0]["unread"] == 1
    messages = api.get(
        f"/api/v1/chat/conversations/{conversation['id']}/messages", headers=_patient_headers(world)
    )
    assert [m["text"] for m in messages.json()["items"]] == [
        "Refund issued.",
        "I was charged twice.",
    ]


def test_it_shows_read_receipts_and_clears_unread_counts(api, world):
    conversation = _start(api, world)
    staff = world.headers("a", Role.RECEPTIONIST)
    first = api.get(
        f"/api/v1/chat/conversations/{conversation['id']}/messages", headers=staff
    ).json()["items"][0]

    receipt = api.put(f"/api/v1/chat/messages/{first['id']}/read", headers=staff)
    assert receipt.status_code == 200, receipt.content
    assert receipt.json()["unread"] == 0

    seen_by_patient = api.get(
        f"/api/v1/chat/conversations/{conversation['id']}/messages", headers=_patient_headers(world)
    ).json()["items"][0]
    assert seen_by_patient["read"] is True
    assert api.get("/api/v1/chat/conversations", headers=staff).json()["items"][0]["unread"] == 0


def test_it_filters_the_inbox_by_assignment_and_department(api, world):
    conversation = _start(api, world)
    doctor = world.member("a", Role.DOCTOR)
    owner = world.headers("a", Role.OWNER)
    assigned = api.put(
        f"/api/v1/chat/conversations/{conversation['id']}",
        {"assigned_to_id": str(doctor.pk), "priority": "urgent"},
        headers=owner,
    )
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["assigned_to_name"] == doctor.display_name

    as_doctor = world.headers("a", Role.DOCTOR)
    assert (
        api.get("/api/v1/chat/conversations", headers=as_doctor, assigned="me").json()["count"] == 1
    )
    assert api.get("/api/v1/chat/conversations", headers=owner, assigned="me").json()["count"] == 0
    assert (
        api.get("/api/v1/chat/conversations", headers=owner, assigned="unassigned").json()["count"]
        == 0
    )
    assert (
        api.get("/api/v1/chat/conversations", headers=owner, department="medical").json()["count"]
        == 0
    )
    assert (
        api.get("/api/v1/chat/conversations", headers=owner, department="billing").json()["count"]
        == 1
    )


def test_it_hides_a_conversation_from_another_patient_and_another_clinic(api, world):
    conversation = _start(api, world)
    stranger = make_user("stranger@example.test")
    make_patient(world.clinic_a, user=stranger)
    for headers in (bearer(stranger, world.clinic_a), world.headers("b", Role.OWNER)):
        response = api.get(
            f"/api/v1/chat/conversations/{conversation['id']}/messages", headers=headers
        )
        assert response.status_code == 404
        sent = api.post(
            "/api/v1/chat/messages",
            {"conversation_id": conversation["id"], "text": "hi"},
            headers=headers,
        )
        assert sent.status_code == 404
    assert (
        api.get("/api/v1/chat/conversations", headers=bearer(stranger, world.clinic_a)).json()[
            "count"
        ]
        == 0
    )


def test_it_lets_the_sender_edit_and_delete_only_within_the_window(api, world):
    conversation = _start(api, world)
    own = api.post(
        "/api/v1/chat/messages",
        {"conversation_id": conversation["id"], "text": "Tpyo"},
        headers=_patient_headers(world),
    ).json()
    edited = api.put(
        f"/api/v1/chat/messages/{own['id']}", {"text": "Typo"}, headers=_patient_headers(world)
    )
    assert (
        edited.status_code == 200 and edited.json()["text"] == "Typo" and edited.json()["edited_at"]
    )

    staff_attempt = api.put(
        f"/api/v1/chat/messages/{own['id']}",
        {"text": "changed by staff"},
        headers=world.headers("a", Role.OWNER),
    )
    assert staff_attempt.status_code == 403

    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        late = api.delete(f"/api/v1/chat/messages/{own['id']}", headers=_patient_headers(world))
    assert late.status_code == 409
    assert late.json()["code"] == "edit_window_passed"

    deleted = api.delete(f"/api/v1/chat/messages/{own['id']}", headers=_patient_headers(world))
    assert (
        deleted.status_code == 200
        and deleted.json()["deleted"] is True
        and deleted.json()["text"] == ""
    )
    assert Message.objects.get(pk=own["id"]).text == ""


def test_it_lists_the_departments(api, world):
    response = api.get("/api/v1/chat/departments", headers=_patient_headers(world))
    assert [d["code"] for d in response.json()] == ["general", "billing", "medical", "appointment"]


# --- Attachments ------------------------------------------------------------------------------


def _upload(client, conversation_id, name, data, headers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/api/v1/chat/upload",
        {
            "conversation_id": conversation_id,
            "file": SimpleUploadedFile(name, data, content_type="image/png"),
        },
        headers=headers,
    )


def test_it_sends_an_image_and_serves_it_only_to_members(api, client, world, login_as):
    conversation = _start(api, world)
    headers = _patient_headers(world)
    uploaded = _upload(client, conversation["id"], "rash.png", png_bytes(), headers)
    assert uploaded.status_code == 201, uploaded.content
    attachment = uploaded.json()
    assert attachment["content_type"] == "image/png"
    sent = api.post(
        "/api/v1/chat/messages",
        {"conversation_id": conversation["id"], "attachment_id": attachment["id"]},
        headers=headers,
    )
    assert sent.status_code == 201 and sent.json()["attachment"]["filename"] == "rash.png"

    staff = world.headers("a", Role.NURSE)
    download = client.get(attachment["api_url"], headers=staff)
    assert download.status_code == 200
    assert download.content == png_bytes()
    assert download["Content-Type"] == "image/png"

    assert (
        client.get(attachment["api_url"], headers=world.headers("b", Role.OWNER)).status_code == 404
    )
    stranger = make_user("peeker@example.test")
    make_patient(world.clinic_a, user=stranger)
    assert (
        client.get(attachment["api_url"], headers=bearer(stranger, world.clinic_a)).status_code
        == 404
    )

    # The page URL: a member's session downloads it; a non-member guessing the address gets 404.
    login_as(world.member("a", Role.DOCTOR).user)
    assert client.get(attachment["url"]).status_code == 200
    login_as(world.member("b", Role.OWNER).user)
    assert client.get(attachment["url"]).status_code == 404
    login_as(stranger)
    assert client.get(attachment["url"]).status_code == 404


def test_it_refuses_a_disguised_executable(api, client, world):
    conversation = _start(api, world)
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
    exe = b"MZ\x90\x00" + b"\x00" * 200
    for name, data in (
        ("photo.png", elf),
        ("report.pdf", exe),
        ("scan.jpg", b"\xff\xd8\xff" + b"MZ" * 50),
    ):
        response = _upload(client, conversation["id"], name, data, _patient_headers(world))
        assert response.status_code == 415, (name, response.content)
        assert response.json()["code"] == "attachment_type_not_allowed"


def test_it_refuses_an_oversize_file(api, client, world, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1024
    conversation = _start(api, world)
    big = b"%PDF-1.7\n" + b"0" * 2048 + b"\n%%EOF"
    response = _upload(client, conversation["id"], "big.pdf", big, _patient_headers(world))
    assert response.status_code == 413
    assert response.json()["code"] == "attachment_too_large"


def test_it_accepts_json_uploads_from_apps(api, world):
    conversation = _start(api, world)
    body = {
        "conversation_id": conversation["id"],
        "filename": "report.pdf",
        "data_base64": base64.b64encode(
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        ).decode(),
    }
    response = api.post("/api/v1/chat/upload", body, headers=_patient_headers(world))
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "application/pdf"


# --- Offline notices --------------------------------------------------------------------------


def test_it_notifies_an_offline_patient_once_per_burst(api, world):
    from clinicore.notifications.models import OutboxMessage

    conversation = _start(api, world)
    staff = world.headers("a", Role.RECEPTIONIST)
    ids = []
    for text in ("First", "Second"):
        ids.append(
            api.post(
                "/api/v1/chat/messages",
                {"conversation_id": conversation["id"], "text": text},
                headers=staff,
            ).json()["id"]
        )
    assert notify_offline(ids[0]) == [str(world.patient_user.pk)]
    assert notify_offline(ids[1]) == []
    queued = OutboxMessage.objects.filter(
        event="chat_message", recipient_key=f"patient:{world.patient_a.pk}"
    )
    assert queued.exists()
    assert all("Second" not in (m.body_text + m.subject) for m in queued)

    # Once the patient has read, the next message starts a new burst.
    api.put(f"/api/v1/chat/messages/{ids[1]}/read", headers=_patient_headers(world))
    third = api.post(
        "/api/v1/chat/messages",
        {"conversation_id": conversation["id"], "text": "Third"},
        headers=staff,
    ).json()
    assert notify_offline(third["id"]) == [str(world.patient_user.pk)]
    assert ReadState.objects.filter(user=world.patient_user, notified_at__isnull=False).count() == 1


def test_it_does_not_notify_a_patient_who_is_online(api, world):
    from clinicore.messaging.presence import presence_mark

    conversation = _start(api, world)
    staff = world.headers("a", Role.RECEPTIONIST)
    sent = api.post(
        "/api/v1/chat/messages",
        {"conversation_id": conversation["id"], "text": "Hi"},
        headers=staff,
    ).json()
    presence_mark(world.patient_user.pk)
    assert notify_offline(sent["id"]) == []
