"""Telling the patient about their money through the notifications outbox: the receipt by email
with its PDF attached (event `payment_receipt`), and the short "payment received" message on
their other channels. Both are outbox rows of the caller's transaction; the worker sends them."""

from django.conf import settings

from clinicore.billing.models import Payment
from clinicore.billing.pdf import receipt_pdf
from clinicore.core.messages import Attachment


def patient_email(patient) -> str:
    return patient.email or (patient.user.email if patient.user_id else "")


def _invoice_link(payment: Payment) -> str:
    from django.urls import reverse

    return settings.PUBLIC_BASE_URL + reverse(
        "billing-portal:detail", kwargs={"invoice_id": payment.invoice_id}
    )


def receipt_email(payment: Payment) -> str:
    """Queues the receipt email with the receipt PDF (once per payment). Returns what happened:
    "queued", "no email address", or the outbox status when the patient opted out of email."""
    from clinicore.notifications.models import Channel, OutboxMessage
    from clinicore.notifications.services import Recipient, notify

    patient = payment.invoice.patient
    to = patient_email(patient)
    if not to:
        return "no email address"
    messages = notify(
        clinic=payment.clinic,
        event="payment_receipt",
        recipient=Recipient(
            key=f"patient:{patient.pk}",
            name=patient.first_name,
            language=patient.preferred_language,
            email=to,
            user_id=patient.user_id,
        ),
        context={
            "receipt_number": payment.receipt_number,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "invoice_number": payment.invoice.label,
            "link": _invoice_link(payment),
        },
        channels=[Channel.EMAIL],
        attachments=[
            Attachment(
                filename=f"receipt-{payment.receipt_number}.pdf",
                content_type="application/pdf",
                content=receipt_pdf(payment),
            )
        ],
        dedupe_key=f"payment:{payment.pk}:receipt",
        ref=f"payment:{payment.pk}",
    )
    status = messages[0].status if messages else ""
    return "queued" if status == OutboxMessage.Status.QUEUED else (status or "not queued")


def payment_notify(payment: Payment) -> int:
    """The short 'payment received' message on the patient's other channels (SMS, WhatsApp,
    push, in-app) through the notifications outbox; the email with the PDF is queued above."""
    from clinicore.notifications.models import Channel
    from clinicore.notifications.services import Recipient, notify

    patient = payment.invoice.patient
    recipient = Recipient(
        key=f"patient:{patient.pk}",
        name=patient.first_name,
        language=patient.preferred_language,
        phone=patient.phone,
        user_id=patient.user_id,
    )
    link = _invoice_link(payment)
    messages = notify(
        clinic=payment.clinic,
        event="payment_received",
        recipient=recipient,
        context={
            "amount": str(payment.amount),
            "currency": payment.currency,
            "invoice_number": payment.invoice.number,
            "link": link,
        },
        channels=[c for c in Channel.values if c != Channel.EMAIL],
        dedupe_key=f"payment:{payment.pk}",
        ref=f"payment:{payment.pk}",
    )
    return len(messages)
