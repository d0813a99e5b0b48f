"""Reaching invoices and payments: through the clinic (staff) or the patient's own records; 404 otherwise."""

import uuid

from django.utils.translation import gettext as _

from clinicore.billing.models import Invoice, Payment, PaymentSession
from clinicore.core.errors import NotFound


def _uuid(value, message: str, code: str):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(message, code=code) from None


def invoice_get_for_clinic(*, clinic, invoice_id, lock: bool = False) -> Invoice:
    qs = Invoice.objects.select_related("patient", "clinic")
    if lock:
        qs = qs.select_for_update()
    try:
        return qs.get(
            clinic=clinic, pk=_uuid(invoice_id, _("Invoice not found."), "invoice_not_found")
        )
    except Invoice.DoesNotExist:
        raise NotFound(_("Invoice not found."), code="invoice_not_found") from None


def invoice_get_for_patient_user(*, user, invoice_id, clinic=None) -> Invoice:
    qs = (
        Invoice.objects.select_related("patient", "clinic")
        .filter(patient__user=user)
        .exclude(status=Invoice.Status.DRAFT)
    )
    if clinic is not None:
        qs = qs.filter(clinic=clinic)
    try:
        return qs.get(pk=_uuid(invoice_id, _("Invoice not found."), "invoice_not_found"))
    except Invoice.DoesNotExist:
        raise NotFound(_("Invoice not found."), code="invoice_not_found") from None


def payment_get_for_clinic(*, clinic, payment_id) -> Payment:
    try:
        return Payment.objects.select_related("invoice__patient", "clinic").get(
            clinic=clinic, pk=_uuid(payment_id, _("Payment not found."), "payment_not_found")
        )
    except Payment.DoesNotExist:
        raise NotFound(_("Payment not found."), code="payment_not_found") from None


def payment_get_for_patient_user(*, user, payment_id, clinic=None) -> Payment:
    qs = Payment.objects.select_related("invoice__patient", "clinic").filter(
        invoice__patient__user=user
    )
    if clinic is not None:
        qs = qs.filter(clinic=clinic)
    try:
        return qs.get(pk=_uuid(payment_id, _("Payment not found."), "payment_not_found"))
    except Payment.DoesNotExist:
        raise NotFound(_("Payment not found."), code="payment_not_found") from None


def session_get_by_token(token: str) -> PaymentSession:
    """Public checkout pages are reached by an unguessable token (96 bits), not by id."""
    try:
        return PaymentSession.objects.select_related("payment__invoice__patient", "clinic").get(
            token=token
        )
    except PaymentSession.DoesNotExist:
        raise NotFound(_("This checkout does not exist."), code="session_not_found") from None


def session_get_for_patient_user(*, user, token: str) -> PaymentSession:
    """A checkout the signed-in patient pays themselves (our Razorpay page and its confirmation);
    another patient's, or another clinic's, answers 404 as if it did not exist."""
    try:
        return PaymentSession.objects.select_related("payment__invoice__patient", "clinic").get(
            token=token, payment__invoice__patient__user=user
        )
    except PaymentSession.DoesNotExist:
        raise NotFound(_("This checkout does not exist."), code="session_not_found") from None
