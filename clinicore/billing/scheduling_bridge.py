"""Calls into scheduling for pay-first bookings (billing sits below scheduling and may call it)."""

from clinicore.billing.models import Payment, PaymentSession


def hold_paid(*, session: PaymentSession, payment: Payment) -> None:
    return None


def hold_unpaid(*, session: PaymentSession) -> None:
    return None
