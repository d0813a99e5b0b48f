"""Reads the portal's pages share: a clinic's public face and a person's own data."""

from datetime import date, timedelta

from django.utils import formats
from django.utils.translation import gettext as _

from clinicore.clinics.models import Membership
from clinicore.clinics.permissions import Role
from clinicore.patients.models import Patient
from clinicore.portal.models import DeletionRequest, SignedInSession
from clinicore.scheduling.models import Service, WorkingHours


def clinic_practitioners(*, clinic):
    return list(
        Membership.objects.select_related("user")
        .filter(clinic=clinic, is_active=True, role__in=list(Role.practitioners()))
        .order_by("user__full_name")
    )


def clinic_services(*, clinic) -> list:
    """Services patients can book online, by name (scheduling owns them)."""
    return list(
        Service.objects.filter(clinic=clinic, is_active=True)
        .prefetch_related("practitioners")
        .order_by("name")
    )


def clinic_opening_hours(*, clinic) -> list[dict]:
    """Monday to Sunday: the union of the practitioners' weekly hours, as local time ranges."""
    by_day: dict[int, list[list]] = {d: [] for d in range(7)}
    rows = (
        WorkingHours.objects.filter(clinic=clinic, practitioner__is_active=True)
        .order_by("weekday", "start_time")
        .values_list("weekday", "start_time", "end_time")
    )
    for weekday, start, end in rows:
        ranges = by_day[weekday]
        if ranges and start <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([start, end])
    if not any(by_day.values()):
        return []
    monday = date(2024, 1, 1)  # a Monday: gives each weekday its translated name
    return [
        {
            "label": formats.date_format(monday + timedelta(days=d), "l"),
            "ranges": [
                f"{formats.time_format(s, 'TIME_FORMAT')}–{formats.time_format(e, 'TIME_FORMAT')}"
                for s, e in by_day[d]
            ],
        }
        for d in range(7)
    ]


def patient_for(*, user, clinic) -> Patient | None:
    if user is None or not user.is_authenticated:
        return None
    return Patient.objects.filter(clinic=clinic, user=user, is_active=True).first()


def my_patient_records(*, user):
    if not user.is_authenticated:
        return Patient.objects.none()
    return (
        Patient.objects.filter(user=user, is_active=True)
        .select_related("clinic")
        .order_by("clinic__name")
    )


def my_patient_record(*, user, patient_id) -> Patient:
    """One of the signed-in person's own records; anyone else's is not found."""
    import uuid

    from clinicore.core.errors import NotFound

    try:
        pk = uuid.UUID(str(patient_id))
    except ValueError:
        raise NotFound(_("Not found.")) from None
    patient = my_patient_records(user=user).filter(pk=pk).first()
    if patient is None:
        raise NotFound(_("Not found."))
    return patient


def telegram_linked(*, user) -> bool:
    from clinicore.notifications.models import TelegramLink

    return TelegramLink.objects.filter(user=user, linked_at__isnull=False).exists()


def signed_in_sessions(*, user):
    return SignedInSession.objects.filter(user=user, ended_at=None).order_by("-last_seen_at")


def open_deletion_request(*, user) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(user=user, status=DeletionRequest.Status.OPEN).first()


def my_appointments(*, user):
    """The person's appointments at every clinic (holds and released holds left out)."""
    from clinicore.scheduling.models import Appointment

    if not user.is_authenticated:
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(patient__user=user, patient__is_active=True)
        .exclude(
            status__in=(
                Appointment.Status.HELD,
                Appointment.Status.RELEASED,
                Appointment.Status.EXPIRED,
            )
        )
        .select_related("clinic", "service", "practitioner__user", "patient")
    )


def my_upcoming_and_past(*, user, now, limit: int = 50) -> tuple[list, list]:
    from clinicore.scheduling.models import Appointment

    qs = my_appointments(user=user)
    upcoming = list(qs.filter(end__gte=now, status__in=Appointment.OPEN).order_by("start")[:limit])
    upcoming_ids = {a.pk for a in upcoming}
    past = [a for a in qs.order_by("-start")[: limit * 2] if a.pk not in upcoming_ids][:limit]
    return upcoming, past


def my_appointment(*, user, appointment_id):
    import uuid

    from clinicore.core.errors import NotFound

    try:
        pk = uuid.UUID(str(appointment_id))
    except ValueError:
        raise NotFound(_("Appointment not found.")) from None
    appointment = my_appointments(user=user).filter(pk=pk).first()
    if appointment is None:
        raise NotFound(_("Appointment not found."))
    return appointment


def my_invoices(*, user):
    from clinicore.billing.models import Invoice

    if not user.is_authenticated:
        return Invoice.objects.none()
    return (
        Invoice.objects.filter(patient__user=user)
        .exclude(status=Invoice.Status.DRAFT)
        .select_related("clinic", "patient")
        .order_by("-issued_at", "-created_at")
    )


def my_payments(*, user):
    from clinicore.billing.models import Payment

    if not user.is_authenticated:
        return Payment.objects.none()
    return (
        Payment.objects.filter(invoice__patient__user=user, status__in=Payment.SETTLED_STATUSES)
        .select_related("invoice", "clinic")
        .order_by("-paid_at", "-created_at")
    )


def my_appointment_replacement(*, user, appointment):
    """The person's appointment that took the place of a moved one (None if it was not moved)."""
    if appointment.status != "rescheduled":
        return None
    return (
        my_appointments(user=user)
        .filter(rescheduled_from_id=appointment.pk)
        .select_related("clinic")
        .first()
    )
