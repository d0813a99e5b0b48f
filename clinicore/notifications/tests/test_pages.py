"""Pages: the clinic's outbox shows each message as it left, dead letters can be retried, the
platform outbox is for operators only, and the header shows the unread count."""

import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.testing import make_user
from clinicore.notifications import services
from clinicore.notifications.models import OutboxMessage
from clinicore.notifications.services import Recipient

Status = OutboxMessage.Status


def _message(world):
    [message] = services.notify(
        clinic=world.clinic_a,
        event="invoice_issued",
        recipient=Recipient(key="patient:p", name="Meera", email="meera@example.test"),
        context={"invoice_number": "INV-2026-000123", "amount": "1500.00", "currency": "INR"},
        channels=["email"],
    )
    return message


@pytest.mark.django_db
def test_it_shows_the_clinic_outbox_and_each_message_as_it_left(world, client):
    message = _message(world)
    client.force_login(world.member("a", Role.MANAGER).user)
    page = client.get(f"/c/{world.clinic_a.slug}/desk/outbox/")
    assert page.status_code == 200
    assert "Invoice INV-2026-000123 from Clinic A" in page.content.decode()
    detail = client.get(f"/c/{world.clinic_a.slug}/desk/outbox/{message.pk}/").content.decode()
    assert "meera@example.test" in detail and "1500.00 INR" in detail and "Queued" in detail
    frame = client.get(f"/c/{world.clinic_a.slug}/desk/outbox/{message.pk}/html")
    assert frame.status_code == 200 and b"INV-2026-000123" in frame.content
    assert (
        "sandbox" in frame["Content-Security-Policy"]
        and "script-src" not in frame["Content-Security-Policy"]
    )


@pytest.mark.django_db
def test_it_retries_a_failed_message_from_the_outbox_page(world, client):
    message = _message(world)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED, attempts=8, last_error="SMTP 451"
    )
    client.force_login(world.member("a", Role.OWNER).user)
    response = client.post(f"/c/{world.clinic_a.slug}/desk/outbox/{message.pk}/retry", follow=True)
    assert "The message is queued again." in response.content.decode()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.attempts == 0


@pytest.mark.django_db
def test_it_keeps_the_outbox_from_other_clinics_and_small_roles(world, client):
    message = _message(world)
    client.force_login(world.member("b", Role.OWNER).user)
    assert client.get(f"/c/{world.clinic_a.slug}/desk/outbox/{message.pk}/").status_code == 404
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    assert client.get(f"/c/{world.clinic_a.slug}/desk/outbox/").status_code == 403


@pytest.mark.django_db
def test_it_shows_operators_every_clinics_outbox(world, client):
    _message(world)
    client.force_login(world.member("a", Role.OWNER).user)
    assert client.get("/ops/outbox/").status_code == 404
    client.force_login(make_user("ops@clinicore.test", is_staff=True))
    page = client.get("/ops/outbox/").content.decode()
    assert "Clinic A" in page and "INV-2026-000123" in page


@pytest.mark.django_db
def test_it_shows_the_unread_count_in_the_header_and_lists_my_notifications(world, client):
    services.notify_staff(clinic=world.clinic_a, title="Vaccine fridge too warm")
    services.notify_staff(clinic=world.clinic_a, title="Printer out of paper")
    client.force_login(world.member("a", Role.MANAGER).user)
    page = client.get(f"/c/{world.clinic_a.slug}/desk/outbox/").content.decode()
    assert 'class="badge badge-danger notif-count">2<' in page
    mine = client.get("/me/notifications/", {"clinic": world.clinic_a.slug}).content.decode()
    assert "Vaccine fridge too warm" in mine and "notif-unread" in mine
    client.post(f"/me/notifications/?clinic={world.clinic_a.slug}")
    page = client.get(f"/c/{world.clinic_a.slug}/desk/outbox/").content.decode()
    assert "notif-count" not in page
