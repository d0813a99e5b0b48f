"""Emails that carry files (a receipt PDF) and account emails from apps above notifications,
through the outbox and the worker's delivery, to a real SMTP server."""

import hashlib
from pathlib import Path

import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.errors import InvalidInput
from clinicore.core.messages import Attachment, send_transactional_email
from clinicore.core.testing import make_user
from clinicore.notifications import delivery, services
from clinicore.notifications.models import Channel, OutboxMessage
from clinicore.notifications.services import Recipient
from clinicore.notifications.tests.fakes import SmtpSink

Status = OutboxMessage.Status
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def smtp(settings):
    sink = SmtpSink().start()
    settings.EMAIL_URL = f"smtp://127.0.0.1:{sink.port}"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 10},
        }
    }
    yield sink
    sink.stop()


def _receipt(world, content=PDF, **extra):
    return services.notify(
        clinic=world.clinic_a,
        event="payment_receipt",
        recipient=Recipient(key="patient:p1", name="Asha", email="asha@example.test"),
        context={
            "receipt_number": "RCP-7K3M9Q",
            "amount": "1500.00",
            "currency": "INR",
            "invoice_number": "INV-2026-000123",
        },
        attachments=[Attachment("receipt-RCP-7K3M9Q.pdf", "application/pdf", content)],
        **extra,
    )


@pytest.mark.django_db
def test_it_emails_the_receipt_pdf_stored_beside_the_outbox_row(world, smtp, private_media):
    [message] = _receipt(world)
    # The row keeps the file's name and digest; the bytes live under PRIVATE_MEDIA_ROOT.
    [meta] = message.attachments
    assert meta["filename"] == "receipt-RCP-7K3M9Q.pdf" and meta["size"] == len(PDF)
    assert meta["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert "%PDF" not in str(OutboxMessage.objects.filter(pk=message.pk).values().get())
    assert message.payload["attachments"] == ["receipt-RCP-7K3M9Q.pdf"]
    assert delivery.deliver_due() == {"sent": 1}

    [got] = smtp.messages
    email = got["message"]
    assert got["to"] == ["asha@example.test"]
    assert email["Subject"] == "Receipt RCP-7K3M9Q from Clinic A"
    assert "1500.00 INR" in email.get_body(preferencelist=("plain",)).get_content()
    [pdf] = list(email.iter_attachments())
    assert pdf.get_filename() == "receipt-RCP-7K3M9Q.pdf"
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content() == PDF


@pytest.mark.django_db
def test_it_refuses_to_send_the_email_without_its_missing_file(world, smtp, private_media):
    [message] = _receipt(world)
    for path in Path(private_media).rglob("*"):
        if path.is_file():
            path.unlink()
    assert delivery.deliver_due() == {"failed": 1}
    message.refresh_from_db()
    assert message.status == Status.FAILED and "missing" in message.last_error
    assert smtp.messages == []


@pytest.mark.django_db
def test_it_refuses_a_file_too_large_to_email(world, settings, private_media):
    settings.NOTIFY_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(InvalidInput) as caught:
        _receipt(world)
    assert caught.value.code == "attachment_too_large"
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_it_stores_a_file_name_that_cannot_escape_the_folder(world, settings, private_media):
    [message] = services.notify(
        clinic=world.clinic_a,
        event="payment_receipt",
        recipient=Recipient(key="patient:p1", email="asha@example.test"),
        context={"receipt_number": "R-1"},
        attachments=[Attachment("../../etc/passwd", "", b"x")],
    )
    [meta] = message.attachments
    assert "/" not in meta["filename"] and meta["filename"] == "passwd"
    stored = list(Path(private_media).rglob("*"))
    assert all(str(p).startswith(str(private_media)) for p in stored)


@pytest.mark.django_db
def test_it_lists_the_attachment_on_the_outbox_page(world, client, private_media):
    [message] = _receipt(world)
    client.force_login(world.member("a", Role.MANAGER).user)
    page = client.get(f"/c/{world.clinic_a.slug}/desk/outbox/{message.pk}/").content.decode()
    assert "receipt-RCP-7K3M9Q.pdf" in page and "application/pdf" in page


@pytest.mark.django_db
def test_it_sends_an_account_email_through_the_core_door_even_after_an_email_opt_out(
    world, smtp, client
):
    user = world.patient_user
    services.preference_set(
        clinic=None,
        recipient_key=f"user:{user.pk}",
        channel=Channel.EMAIL,
        opted_in=False,
        source="api",
    )
    send_transactional_email(
        event="password_reset",
        to=user.email,
        recipient_key=f"user:{user.pk}",
        name="Asha",
        language="hi",
        user_id=user.pk,
        context={"link": "http://127.0.0.1:8000/accounts/reset/x/y/", "hours": 1},
    )
    [message] = OutboxMessage.objects.filter(event="password_reset")
    assert message.clinic_id is None and message.status == Status.QUEUED
    assert message.language == "hi" and "पासवर्ड" in message.subject
    assert delivery.deliver_due() == {"sent": 1}
    assert smtp.messages[0]["to"] == [user.email]
    assert (
        "http://127.0.0.1:8000/accounts/reset/x/y/"
        in smtp.messages[0]["message"].get_body(preferencelist=("plain",)).get_content()
    )

    # A marketing-style message to the same person respects the opt-out.
    [muted] = services.notify(
        clinic=None,
        event="invoice_issued",
        recipient=Recipient(key=f"user:{user.pk}", email=user.email, user_id=user.pk),
        context={"invoice_number": "INV-1", "amount": "1", "currency": "INR"},
        channels=[Channel.EMAIL],
    )
    assert muted.status == Status.SUPPRESSED

    # Operators see the account email on the platform outbox.
    client.force_login(make_user("ops@clinicore.test", is_staff=True))
    assert message.subject in client.get("/ops/outbox/").content.decode()
