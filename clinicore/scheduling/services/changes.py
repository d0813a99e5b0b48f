"""Changes to booked visits and the status machine; holds that lapse."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicore.clinics.models import Membership
from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.scheduling import events
from clinicore.scheduling.models import Appointment
from clinicore.scheduling.services._base import (
    TRANSITIONS,
    S,
    _audit,
    _locked,
    _offer_freed_time,
    _on_commit,
    _room_check,
)
from clinicore.scheduling.services.booking import _claim


def holds_expire(*, now: datetime | None = None) -> int:
    """Marks every hold past its expiry as expired (the periodic task); returns how many."""
    now = now or timezone.now()
    ids = list(
        Appointment.objects.filter(status=S.HELD, hold_expires_at__lte=now).values_list(
            "pk", flat=True
        )[:5000]
    )
    if not ids:
        return 0
    count = Appointment.objects.filter(pk__in=ids, status=S.HELD).update(
        status=S.EXPIRED, updated_at=now
    )
    for pk in ids:
        transaction.on_commit(lambda pk=pk: _offer_freed_time(pk))
    return count


# --- Changes and the status machine -------------------------------------------------------------


# Whole sentences per move, so that each language can say them its own way (lazy: read when
# raised, in the language of whoever is refused then).
CANNOT_BE = {
    S.CANCELLED: gettext_lazy("This appointment is %(status)s; it cannot be cancelled."),
    S.RESCHEDULED: gettext_lazy("This appointment is %(status)s; it cannot be rescheduled."),
    S.CONFIRMED: gettext_lazy("This appointment is %(status)s; it cannot be confirmed."),
    S.CHECKED_IN: gettext_lazy("This appointment is %(status)s; it cannot be checked in."),
    S.IN_PROGRESS: gettext_lazy("This appointment is %(status)s; it cannot be started."),
    S.COMPLETED: gettext_lazy("This appointment is %(status)s; it cannot be checked out."),
    S.NO_SHOW: gettext_lazy("This appointment is %(status)s; it cannot be marked as a no-show."),
}
PAST_CUTOFF = {
    S.CANCELLED: gettext_lazy(
        "Appointments can be cancelled online up to %(hours)s hours before they start; "
        "please call the clinic."
    ),
    S.RESCHEDULED: gettext_lazy(
        "Appointments can be rescheduled online up to %(hours)s hours before they start; "
        "please call the clinic."
    ),
}


def _require(appointment: Appointment, target: str) -> None:
    if target not in TRANSITIONS.get(appointment.status, frozenset()):
        raise Conflict(
            CANNOT_BE[target] % {"status": appointment.get_status_display().lower()},
            code="invalid_transition",
            fields={"status": appointment.status},
        )


def _cutoff(appointment: Appointment, *, as_patient: bool, now: datetime, target: str) -> None:
    if not as_patient:
        return
    cutoff = appointment.start - timedelta(hours=appointment.service.cancellation_cutoff_hours)
    if now > cutoff:
        raise Conflict(
            PAST_CUTOFF[target] % {"hours": appointment.service.cancellation_cutoff_hours},
            code="cancellation_cutoff_passed",
        )


@transaction.atomic
def appointment_update(*, appointment: Appointment, actor, **details) -> Appointment:
    unknown = set(details) - {"kind", "reason_for_visit", "symptoms", "notes", "room_id"}
    if unknown:
        raise InvalidInput(fields={k: _("Unknown field.") for k in sorted(unknown)})
    appointment = _locked(appointment)
    if appointment.status not in Appointment.OPEN:
        raise Conflict(
            _("This appointment is %(status)s; it cannot be changed.")
            % {"status": appointment.get_status_display().lower()},
            code="invalid_transition",
            fields={"status": appointment.status},
        )
    if details.get("kind") and details["kind"] not in Appointment.Kind.values:
        raise InvalidInput(fields={"kind": _("Unknown type.")})
    if details.get("room_id") and details["room_id"] != appointment.room_id:
        _room_check(
            clinic=appointment.clinic,
            room_id=details["room_id"],
            start=appointment.start,
            end=appointment.end,
            now=timezone.now(),
            exclude_id=appointment.pk,
        )
    changed = [k for k, v in details.items() if getattr(appointment, k) != v]
    for k in changed:
        setattr(appointment, k, details[k])
    if changed:
        appointment.save(update_fields=[*changed, "updated_at"])
    _audit("appointment.update", appointment, actor=actor, fields=changed)
    return appointment


@transaction.atomic
def appointment_cancel(
    *,
    appointment: Appointment,
    actor,
    reason: str = "",
    as_patient: bool = False,
    now: datetime | None = None,
) -> Appointment:
    now = now or timezone.now()
    appointment = _locked(appointment)
    _require(appointment, S.CANCELLED)
    _cutoff(appointment, as_patient=as_patient, now=now, target=S.CANCELLED)
    appointment.status = S.CANCELLED
    appointment.cancellation_reason = (reason or "")[:500]
    appointment.cancelled_at = now
    appointment.save(update_fields=["status", "cancellation_reason", "cancelled_at", "updated_at"])
    _audit("appointment.cancel", appointment, actor=actor, fields=["status", "cancellation_reason"])
    events.appointment_cancelled(appointment)
    _on_commit(_offer_freed_time, appointment.pk)
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    actor,
    start: datetime,
    practitioner: Membership | None = None,
    as_patient: bool = False,
    enforce_rules: bool | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Moves a visit: the old row becomes `rescheduled`, a new row (new reservation code, linked
    by `rescheduled_from`, same series) takes the new time; both in one transaction."""
    now = now or timezone.now()
    old = _locked(appointment)
    _require(old, S.RESCHEDULED)
    _cutoff(old, as_patient=as_patient, now=now, target=S.RESCHEDULED)
    practitioner = practitioner or old.practitioner
    old.status = S.RESCHEDULED
    old.save(update_fields=["status", "updated_at"])
    new = _claim(
        clinic=old.clinic,
        actor=actor,
        patient=old.patient,
        practitioner=practitioner,
        service=old.service,
        start=start,
        mode=old.mode,
        status=S.SCHEDULED,
        enforce_rules=as_patient if enforce_rules is None else enforce_rules,
        now=now,
        replacing=old,
        count_limit=False,
        kind=old.kind,
        reason_for_visit=old.reason_for_visit,
        symptoms=old.symptoms,
        notes=old.notes,
        rescheduled_from=old,
        series=old.series,
        series_index=old.series_index,
        created_by=old.created_by,
        created_by_user=old.created_by_user,
        source_channel=old.source_channel,
        preferred_room_id=old.room_id if practitioner.pk == old.practitioner_id else None,
    )
    _audit(
        "appointment.reschedule",
        new,
        actor=actor,
        fields=["start", "practitioner", "rescheduled_from"],
    )
    events.appointment_rescheduled(old, new)
    _on_commit(_offer_freed_time, old.pk)
    return new


def _transition(
    appointment: Appointment,
    *,
    actor,
    target: str,
    stamp: str | None,
    now: datetime | None,
) -> Appointment:
    now = now or timezone.now()
    appointment = _locked(appointment)
    _require(appointment, target)
    appointment.status = target
    fields = ["status", "updated_at"]
    if stamp:
        setattr(appointment, stamp, now)
        fields.append(stamp)
    appointment.save(update_fields=fields)
    _audit(f"appointment.{target}", appointment, actor=actor, fields=fields)
    if target in (S.CHECKED_IN, S.IN_PROGRESS, S.COMPLETED):
        events.appointment_progressed(appointment)
    return appointment


@transaction.atomic
def appointment_confirm(
    *, appointment: Appointment, actor, now: datetime | None = None
) -> Appointment:
    appointment = _transition(
        appointment,
        actor=actor,
        target=S.CONFIRMED,
        stamp="confirmed_at",
        now=now,
    )
    events.appointment_confirmed(appointment)
    return appointment


@transaction.atomic
def appointment_check_in(
    *, appointment: Appointment, actor, now: datetime | None = None
) -> Appointment:
    return _transition(
        appointment,
        actor=actor,
        target=S.CHECKED_IN,
        stamp="checked_in_at",
        now=now,
    )


@transaction.atomic
def appointment_start(
    *, appointment: Appointment, actor, now: datetime | None = None
) -> Appointment:
    return _transition(appointment, actor=actor, target=S.IN_PROGRESS, stamp="started_at", now=now)


@transaction.atomic
def appointment_check_out(
    *, appointment: Appointment, actor, now: datetime | None = None
) -> Appointment:
    return _transition(
        appointment,
        actor=actor,
        target=S.COMPLETED,
        stamp="checked_out_at",
        now=now,
    )


@transaction.atomic
def appointment_no_show(
    *, appointment: Appointment, actor, now: datetime | None = None
) -> Appointment:
    appointment = _transition(appointment, actor=actor, target=S.NO_SHOW, stamp=None, now=now)
    events.appointment_no_show(appointment)
    return appointment


def appointment_record_read(*, appointment: Appointment, actor, clinical: bool) -> None:
    audit_record(
        action="appointment.read_clinical" if clinical else "appointment.read",
        entity_type="appointment",
        entity_id=appointment.pk,
        clinic_id=appointment.clinic_id,
        actor=actor,
    )
