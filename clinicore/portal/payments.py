"""Pay-first bookings from the portal: billing holds the slot and opens its checkout."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from clinicore.billing.booking import booking_checkout_start
from clinicore.scheduling import services as scheduling_services
from clinicore.scheduling.models import Appointment


def pay_first_start(
    request, *, clinic, patient, practitioner, service, start, mode, details, idempotency_key
):
    """Holds the time, records the reason on the hold, and sends the patient to the checkout.

    The held appointment's page is where the patient lands afterwards; it shows "held" until
    the gateway's webhook confirms the payment, then "confirmed"."""
    session = booking_checkout_start(
        clinic=clinic,
        actor=request.user,
        patient=patient,
        practitioner=practitioner,
        service=service,
        start=start,
        mode=mode,
        idempotency_key=idempotency_key,
        return_url=f"{settings.PUBLIC_BASE_URL}{reverse('portal:appointments')}",
    )
    hold = Appointment.objects.get(pk=session.hold_id, clinic=clinic)
    if not getattr(session, "replayed", False) and hold.status == Appointment.Status.HELD:
        scheduling_services.hold_details_set(
            hold=hold,
            actor=request.user,
            reason_for_visit=details["reason_for_visit"],
            symptoms=details.get("symptoms", ""),
            source_channel="portal",
        )
    return redirect(session.checkout_url or reverse("portal:appointments"))
