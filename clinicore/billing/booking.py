"""Booking with payment up front: the slot is held while the patient pays.

A completed payment confirms the held appointment; a failed or expired checkout releases it; a
payment that arrives after the hold was released re-books the same slot if it is still free, and
is refunded automatically if it is not — the money is never kept silently.
"""

from clinicore.billing.models import Payment, PaymentSession


def booking_payment_completed(*, session: PaymentSession, payment: Payment) -> None:
    from clinicore.billing import scheduling_bridge

    scheduling_bridge.hold_paid(session=session, payment=payment)


def booking_payment_failed(*, session: PaymentSession) -> None:
    from clinicore.billing import scheduling_bridge

    scheduling_bridge.hold_unpaid(session=session)
