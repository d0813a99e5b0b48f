"""Telling the patient about their money: the receipt by email, with the receipt PDF attached."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from clinicore.billing.models import Payment
from clinicore.billing.pdf import receipt_pdf


def patient_email(patient) -> str:
    return patient.email or (patient.user.email if patient.user_id else "")


def receipt_email(payment: Payment) -> str:
    patient = payment.invoice.patient
    to = patient_email(patient)
    if not to:
        return "no email address"
    with translation.override(patient.preferred_language or "en"):
        subject = _("Receipt %(number)s from %(clinic)s") % {
            "number": payment.receipt_number,
            "clinic": payment.clinic.name,
        }
        body = _(
            "Hello %(name)s,\n\nWe received %(amount)s %(currency)s for invoice %(invoice)s. "
            "Your receipt is attached.\n\n%(clinic)s"
        ) % {
            "name": patient.first_name,
            "amount": payment.amount,
            "currency": payment.currency,
            "invoice": payment.invoice.label,
            "clinic": payment.clinic.name,
        }
        message = EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
        )
        message.attach(
            f"receipt-{payment.receipt_number}.pdf", receipt_pdf(payment), "application/pdf"
        )
    message.send()
    return "sent"


def payment_notify(payment: Payment) -> int:
    """The short 'payment received' message on the patient's other channels (SMS, WhatsApp,
    push, in-app) through the notifications outbox; the email with the PDF is sent above."""
    from django.conf import settings as dj_settings
    from django.urls import reverse

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
    link = dj_settings.PUBLIC_BASE_URL + reverse(
        "billing-portal:detail", kwargs={"invoice_id": payment.invoice_id}
    )
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
