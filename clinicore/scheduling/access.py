"""Reaching scheduling objects: always through their clinic, 404 across clinics."""

import uuid

from django.utils.translation import gettext as _

from clinicore.clinics.models import Membership
from clinicore.core.errors import NotFound
from clinicore.scheduling.models import (
    Appointment,
    ClinicClosure,
    ScheduleOverride,
    Series,
    Service,
    TimeOff,
    WaitlistEntry,
)


def _get(model, *, clinic, pk, code: str, message: str, **filters):
    try:
        key = uuid.UUID(str(pk))
    except ValueError:
        raise NotFound(message, code=code) from None
    obj = model.objects.filter(clinic=clinic, pk=key, **filters).first()
    if obj is None:
        raise NotFound(message, code=code)
    return obj


def service_get_for_clinic(*, clinic, service_id, active_only: bool = False) -> Service:
    filters = {"is_active": True} if active_only else {}
    return _get(
        Service,
        clinic=clinic,
        pk=service_id,
        code="service_not_found",
        message=_("Service not found."),
        **filters,
    )


def practitioner_get_for_clinic(*, clinic, practitioner_id) -> Membership:
    member = _get(
        Membership,
        clinic=clinic,
        pk=practitioner_id,
        code="practitioner_not_found",
        message=_("Practitioner not found."),
        is_active=True,
    )
    if not member.is_practitioner:
        raise NotFound(_("Practitioner not found."), code="practitioner_not_found")
    return member


def appointment_get_for_clinic(*, clinic, appointment_id, patient_user=None) -> Appointment:
    """An appointment (not a hold) of `clinic`; with `patient_user`, only that person's own."""
    filters = {}
    if patient_user is not None:
        filters["patient__user"] = patient_user
    appointment = _get(
        Appointment,
        clinic=clinic,
        pk=appointment_id,
        code="appointment_not_found",
        message=_("Appointment not found."),
        **filters,
    )
    if appointment.status in (
        Appointment.Status.HELD,
        Appointment.Status.RELEASED,
        Appointment.Status.EXPIRED,
    ):
        raise NotFound(_("Appointment not found."), code="appointment_not_found")
    return appointment


def hold_get_for_clinic(*, clinic, hold_id, patient_user=None) -> Appointment:
    filters = {"hold_expires_at__isnull": False}
    if patient_user is not None:
        filters["patient__user"] = patient_user
    return _get(
        Appointment,
        clinic=clinic,
        pk=hold_id,
        code="hold_not_found",
        message=_("Hold not found."),
        **filters,
    )


def series_get_for_clinic(*, clinic, series_id) -> Series:
    return _get(
        Series, clinic=clinic, pk=series_id, code="series_not_found", message=_("Series not found.")
    )


def time_off_get_for_clinic(*, clinic, time_off_id) -> TimeOff:
    return _get(
        TimeOff,
        clinic=clinic,
        pk=time_off_id,
        code="time_off_not_found",
        message=_("Time off not found."),
    )


def closure_get_for_clinic(*, clinic, closure_id) -> ClinicClosure:
    return _get(
        ClinicClosure,
        clinic=clinic,
        pk=closure_id,
        code="closure_not_found",
        message=_("Closure not found."),
    )


def override_get_for_clinic(*, clinic, override_id) -> ScheduleOverride:
    return _get(
        ScheduleOverride,
        clinic=clinic,
        pk=override_id,
        code="override_not_found",
        message=_("Override not found."),
    )


def waitlist_entry_get_for_clinic(*, clinic, entry_id, patient_user=None) -> WaitlistEntry:
    filters = {}
    if patient_user is not None:
        filters["patient__user"] = patient_user
    return _get(
        WaitlistEntry,
        clinic=clinic,
        pk=entry_id,
        code="waitlist_entry_not_found",
        message=_("Waitlist entry not found."),
        **filters,
    )
