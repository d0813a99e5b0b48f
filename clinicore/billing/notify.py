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
