"""Claiming time (the one path every booking and hold takes), booking, and holds."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.clinics.models import Membership
from clinicore.core.codes import short_code
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.scheduling import availability as av
from clinicore.scheduling import events, selectors
from clinicore.scheduling.models import (
    MAX_DURATION_MINUTES,
    Appointment,
    IdempotencyKey,
    Service,
)
from clinicore.scheduling.services._base import (
    SLOT_TAKEN,
    S,
    _audit,
    _offer_freed_time,
    _on_commit,
    _room_check,
    _room_if_free,
    _room_of_hours,
)

# --- Claiming time: the one path every booking and hold takes -------------------------------------


def _lock_practitioners(*ids) -> None:
    # Fixed order so two reschedules between the same practitioners cannot deadlock.
    list(
        Membership.objects.select_for_update()
        .filter(pk__in=sorted({str(i) for i in ids}))
        .order_by("pk")
        .values_list("pk")
    )


def _expire_stale_holds(*, practitioner_id, patient_id, occupied_start, occupied_end, now) -> None:
    """Holds past their expiry no longer count, but the exclusion constraint cannot see the
    clock: mark the ones in the way as expired before inserting."""
    Appointment.objects.filter(
        Q(practitioner_id=practitioner_id) | Q(patient_id=patient_id),
        status=S.HELD,
        hold_expires_at__lte=now,
        occupied_start__lt=occupied_end,
        occupied_end__gt=occupied_start,
    ).update(status=S.EXPIRED, updated_at=now)


def _check_fits(
    *,
    clinic,
    practitioner,
    service,
    start,
    end,
    occupied_start,
    occupied_end,
    now,
    enforce_rules: bool,
    exclude_id=None,
) -> tuple[av.Span, selectors.Schedule]:
    """The free span the visit fits in, and the practitioner's schedule around it."""
    tz = selectors.clinic_tz(clinic)
    first = occupied_start.astimezone(tz).date() - timedelta(days=1)
    last = occupied_end.astimezone(tz).date()
    schedule = selectors.schedules_for(
        clinic=clinic,
        practitioner_ids=[practitioner.pk],
        first=first,
        last=last,
        now=now,
        exclude_appointment_id=exclude_id,
    )[practitioner.pk]
    free = selectors.free_spans(clinic=clinic, schedule=schedule, first=first, last=last)
    span = av.fits(free, occupied_start, occupied_end)
    if span is None:
        working = av.working_spans(
            tz=tz, first=first, last=last, weekly=schedule.weekly, overrides=schedule.overrides
        )
        if av.fits(working, occupied_start, occupied_end) is None:
            raise Conflict(
                _("The practitioner does not work at this time."), code="outside_working_hours"
            )
        raise Conflict(SLOT_TAKEN, code="slot_unavailable")
    if enforce_rules:
        earliest, latest = selectors.notice_window(service, now)
        if start < earliest:
            raise Conflict(
                _("This service needs %(minutes)s minutes' notice.")
                % {"minutes": service.min_notice_minutes},
                code="notice_too_short",
            )
        if start > latest:
            raise Conflict(
                _("This service can be booked up to %(days)s days ahead.")
                % {"days": service.booking_window_days},
                code="beyond_booking_window",
            )
        step = timedelta(minutes=clinic.slot_step_minutes or 15)
        if (start - (span.anchor or span.start)) % step:
            raise InvalidInput(
                _("Choose one of the offered slot times."),
                code="not_a_slot",
                fields={"start": _("Not a slot start.")},
            )
    return span, schedule


def _check_patient(
    *, clinic, patient, start, end, now, exclude_ids=(), count_limit: bool = True
) -> None:
    overlapping = Appointment.objects.filter(
        blocking_or_held(now),
        start__lt=end,
        end__gt=start,
        start__gte=start - timedelta(minutes=MAX_DURATION_MINUTES),
    ).exclude(pk__in=[i for i in exclude_ids if i])
    same_person = Q(patient=patient)
    if patient.user_id:
        same_person |= Q(patient__user_id=patient.user_id)
    if overlapping.filter(same_person).exists():
        raise Conflict(
            _("The patient already has an appointment at this time."), code="patient_overlap"
        )
    if count_limit:
        limit = selectors.booking_rules(clinic).max_open_per_patient
        open_count = (
            Appointment.objects.filter(
                clinic=clinic, patient=patient, status__in=Appointment.OPEN, end__gt=now
            )
            .exclude(pk__in=[i for i in exclude_ids if i])
            .count()
        )
        if open_count >= limit:
            raise Conflict(
                _("A patient can have at most %(limit)s upcoming appointments at this clinic.")
                % {"limit": limit},
                code="patient_limit_reached",
            )


def blocking_or_held(now):
    return selectors.blocking_q(now)


def _insert(appointment: Appointment) -> Appointment:
    for _attempt in range(5):
        appointment.reservation_code = short_code("R-")
        try:
            with transaction.atomic():
                appointment.save(force_insert=True)
            return appointment
        except IntegrityError as exc:
            text = str(exc).lower()
            if "reservation_code" in text:
                continue
            raise Conflict(SLOT_TAKEN, code="slot_unavailable") from exc
    raise Conflict(_("Could not assign a reservation code; try again."), code="retry")


def _claim(
    *,
    clinic,
    actor,
    patient,
    practitioner: Membership,
    service: Service,
    start: datetime,
    mode: str | None,
    status: str,
    enforce_rules: bool,
    now: datetime,
    replacing: Appointment | None = None,
    count_limit: bool = True,
    preferred_room_id=None,
    **fields,
) -> Appointment:
    if (
        patient.clinic_id != clinic.pk
        or practitioner.clinic_id != clinic.pk
        or service.clinic_id != clinic.pk
    ):
        raise InvalidInput(_("Patient, practitioner and service must belong to this clinic."))
    if not service.is_active:
        raise Conflict(_("This service is not offered any more."), code="service_inactive")
    if not service.practitioners.filter(pk=practitioner.pk).exists():
        raise InvalidInput(
            _("This practitioner does not offer this service."),
            fields={"practitioner_id": _("Does not offer it.")},
        )
    if not patient.is_active:
        raise Conflict(_("This patient record is deactivated."), code="patient_inactive")
    slot_mode = av.combine_modes(service.mode, mode)
    if slot_mode is None:
        # The mode is named as the API spells it (in_person, video, either).
        raise InvalidInput(
            _("This service is not offered as %(mode)s.") % {"mode": mode},
            fields={"mode": _("Not offered.")},
        )
    if timezone.is_naive(start):
        raise InvalidInput(
            _("Times must include a UTC offset."), fields={"start": _("Include a UTC offset.")}
        )
    start = start.astimezone(UTC)
    end = start + service.duration
    occupied_start, occupied_end = start - service.buffer_before, end + service.buffer_after
    _lock_practitioners(practitioner.pk, *([replacing.practitioner_id] if replacing else []))
    _expire_stale_holds(
        practitioner_id=practitioner.pk,
        patient_id=patient.pk,
        occupied_start=occupied_start,
        occupied_end=occupied_end,
        now=now,
    )
    span, schedule = _check_fits(
        clinic=clinic,
        practitioner=practitioner,
        service=service,
        start=start,
        end=end,
        occupied_start=occupied_start,
        occupied_end=occupied_end,
        now=now,
        enforce_rules=enforce_rules,
        exclude_id=replacing.pk if replacing else None,
    )
    final_mode = av.combine_modes(service.mode, span.mode, mode)
    if final_mode is None:
        raise Conflict(
            _("The practitioner does not see patients in this mode at this time."),
            code="mode_unavailable",
        )
    if final_mode == av.EITHER:
        final_mode = av.IN_PERSON
    _check_patient(
        clinic=clinic,
        patient=patient,
        start=start,
        end=end,
        now=now,
        exclude_ids=[replacing.pk if replacing else None],
        count_limit=count_limit,
    )
    if fields.get("room_id"):
        _room_check(
            clinic=clinic,
            room_id=fields["room_id"],
            start=start,
            end=end,
            now=now,
            exclude_id=replacing.pk if replacing else None,
        )
    elif final_mode == av.IN_PERSON:
        fields["room_id"] = _room_if_free(
            clinic=clinic,
            room_ids=[
                _room_of_hours(clinic, practitioner, start, end, overrides=schedule.overrides),
                preferred_room_id,
            ],
            start=start,
            end=end,
            now=now,
            exclude_id=replacing.pk if replacing else None,
        )
    appointment = Appointment(
        clinic=clinic,
        patient=patient,
        practitioner=practitioner,
        service=service,
        start=start,
        end=end,
        occupied_start=occupied_start,
        occupied_end=occupied_end,
        mode=final_mode,
        status=status,
        branch_id=fields.pop("branch_id", None) or span.branch_id,
        **fields,
    )
    return _insert(appointment)


def _who(actor, *, as_patient: bool, via_api_key: bool = False) -> dict:
    if via_api_key:
        return {"created_by": Appointment.CreatedBy.API, "created_by_user": None}
    return {
        "created_by": Appointment.CreatedBy.PATIENT if as_patient else Appointment.CreatedBy.STAFF,
        "created_by_user": actor if getattr(actor, "pk", None) else None,
    }


def request_fingerprint(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


# --- Booking ------------------------------------------------------------------------------------


DETAIL_FIELDS = (
    "kind",
    "reason_for_visit",
    "symptoms",
    "notes",
    "source_channel",
    "branch_id",
    "room_id",
)


def appointment_book(
    *,
    clinic,
    actor,
    patient,
    practitioner: Membership | None,
    service: Service,
    start: datetime | None = None,
    mode: str | None = None,
    as_patient: bool = False,
    via_api_key: bool = False,
    booking_mode: str = Appointment.BookingMode.SPECIFIC_TIME,
    period: str = "",
    date=None,
    idempotency_key: str = "",
    principal_ref: str = "",
    request_hash: str = "",
    now: datetime | None = None,
    **details,
) -> tuple[Appointment, bool]:
    """Books a visit; returns (appointment, created). Staff may book inside working hours without
    the service's notice/window/grid rules; patients and integrations get only offered slots.

    With `idempotency_key`, a repeat of the same request returns the first appointment
    (created=False) and a different request under the same key is refused."""
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise InvalidInput(fields={k: _("Unknown field.") for k in sorted(unknown)})
    now = now or timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                key_row = None
                if idempotency_key:
                    existing = (
                        IdempotencyKey.objects.filter(
                            clinic=clinic, principal=principal_ref, key=idempotency_key
                        )
                        .select_related("appointment")
                        .first()
                    )
                    if existing is not None:
                        if existing.request_hash != request_hash:
                            raise InvalidInput(
                                _(
                                    "This Idempotency-Key was used with a different request; "
                                    "use a new key."
                                ),
                                code="idempotency_key_reused",
                            )
                        return existing.appointment, False
                    with transaction.atomic():
                        key_row = IdempotencyKey.objects.create(
                            clinic=clinic,
                            principal=principal_ref,
                            key=idempotency_key,
                            request_hash=request_hash,
                        )
                appointment = _book(
                    clinic=clinic,
                    actor=actor,
                    patient=patient,
                    practitioner=practitioner,
                    service=service,
                    start=start,
                    mode=mode,
                    as_patient=as_patient,
                    via_api_key=via_api_key,
                    booking_mode=booking_mode,
                    period=period,
                    date=date,
                    now=now,
                    **details,
                )
                if key_row is not None:
                    key_row.appointment = appointment
                    key_row.save(update_fields=["appointment", "updated_at"])
                return appointment, True
        except IntegrityError:
            # The same key was stored by a concurrent request that has now committed: read it.
            if not idempotency_key:
                raise
            continue
    raise Conflict(
        _("The same request is being processed; retry shortly."), code="idempotency_in_progress"
    )


def _book(
    *,
    clinic,
    actor,
    patient,
    practitioner,
    service,
    start,
    mode,
    as_patient,
    via_api_key,
    booking_mode,
    period,
    date,
    now,
    **details,
) -> Appointment:
    enforce = as_patient or via_api_key
    extra = {**details, **_who(actor, as_patient=as_patient, via_api_key=via_api_key)}
    if booking_mode == Appointment.BookingMode.TIME_PERIOD:
        appointment = _book_period(
            clinic=clinic,
            actor=actor,
            patient=patient,
            practitioner=practitioner,
            service=service,
            mode=mode,
            period=period,
            date=date,
            now=now,
            **extra,
        )
    else:
        if practitioner is None or start is None:
            raise InvalidInput(
                _("Choose a practitioner and a start time."),
                fields={"practitioner_id": _("Required."), "start": _("Required.")},
            )
        appointment = _claim(
            clinic=clinic,
            actor=actor,
            patient=patient,
            practitioner=practitioner,
            service=service,
            start=start,
            mode=mode,
            status=S.SCHEDULED,
            enforce_rules=enforce,
            now=now,
            **extra,
        )
    _audit(
        "appointment.book",
        appointment,
        actor=actor,
        fields=["patient", "practitioner", "service", "start", "mode", *details],
    )
    events.appointment_booked(appointment)
    return appointment


def _book_period(
    *, clinic, actor, patient, practitioner, service, mode, period, date, now, **extra
) -> Appointment:
    """Time-period booking: the clinic's first free slot in that part of the day, status
    `requested` until the clinic confirms (it may move the time before confirming)."""
    if period not in Appointment.Period.values or date is None:
        raise InvalidInput(
            _("Choose a date and a period."), fields={"period": "morning, afternoon or evening."}
        )
    slots, offering = selectors.available_slots(
        clinic=clinic,
        service=service,
        first=date,
        last=date,
        now=now,
        practitioner_id=practitioner.pk if practitioner else None,
        mode=mode,
    )
    tz = selectors.clinic_tz(clinic)
    candidates = [s for s in slots if av.period_of(s.start.astimezone(tz)) == period]
    for slot in candidates[:50]:
        chosen = practitioner or offering[slot.practitioner_id]
        try:
            with transaction.atomic():
                return _claim(
                    clinic=clinic,
                    actor=actor,
                    patient=patient,
                    practitioner=chosen,
                    service=service,
                    start=slot.start,
                    mode=mode,
                    status=S.REQUESTED,
                    enforce_rules=True,
                    now=now,
                    booking_mode=Appointment.BookingMode.TIME_PERIOD,
                    period=period,
                    **extra,
                )
        except Conflict as exc:
            if exc.code in ("patient_overlap", "patient_limit_reached"):
                raise
            continue
    raise Conflict(
        _("No %(period)s time is left on %(date)s.")
        % {"period": Appointment.Period(period).label.lower(), "date": date.isoformat()},
        code="period_full",
    )


# --- Holds (pay-first bookings) -------------------------------------------------------------------


@transaction.atomic
def hold_create(
    *,
    clinic,
    actor,
    patient,
    practitioner: Membership,
    service: Service,
    start: datetime,
    mode: str | None = None,
    hold_ref: str = "",
    minutes: int | None = None,
    enforce_rules: bool = True,
    now: datetime | None = None,
) -> Appointment:
    """Holds a slot for `minutes` (default: the clinic's hold minutes). The hold blocks the slot
    for everyone else until released, converted or expired; an expired hold frees it by itself."""
    now = now or timezone.now()
    minutes = minutes or selectors.booking_rules(clinic).hold_minutes
    if not 1 <= minutes <= 24 * 60:
        raise InvalidInput(_("A hold lasts 1 minute to 24 hours."), fields={"minutes": "1–1440."})
    hold = _claim(
        clinic=clinic,
        actor=actor,
        patient=patient,
        practitioner=practitioner,
        service=service,
        start=start,
        mode=mode,
        status=S.HELD,
        enforce_rules=enforce_rules,
        now=now,
        hold_expires_at=now + timedelta(minutes=minutes),
        hold_ref=hold_ref[:100],
        created_by_user=actor if getattr(actor, "pk", None) else None,
    )
    _audit(
        "hold.create",
        hold,
        actor=actor,
        fields=["patient", "practitioner", "service", "start", "hold_ref"],
    )
    return hold


def _hold_locked(hold: Appointment) -> Appointment:
    return Appointment.objects.select_for_update().get(pk=hold.pk)


@transaction.atomic
def hold_release(*, clinic, actor, hold: Appointment) -> Appointment:
    """Gives a held slot back at once (payment abandoned). Releasing twice is harmless."""
    hold = _hold_locked(hold)
    if hold.clinic_id != clinic.pk:
        raise InvalidInput(_("This hold belongs to another clinic."))
    if hold.status == S.HELD:
        hold.status = S.RELEASED
        hold.save(update_fields=["status", "updated_at"])
        _audit("hold.release", hold, actor=actor, fields=["status"])
        _on_commit(_offer_freed_time, hold.pk)
    elif hold.status not in (S.RELEASED, S.EXPIRED):
        raise Conflict(
            _("This hold was already turned into an appointment (%(status)s).")
            % {"status": hold.get_status_display()},
            code="hold_converted",
        )
    return hold


@transaction.atomic
def hold_convert_to_appointment(
    *,
    clinic,
    actor,
    hold: Appointment,
    status: str = S.SCHEDULED,
    now: datetime | None = None,
    **details,
) -> Appointment:
    """Turns a live hold into the appointment (same row, same reservation code, no gap in
    which another booking could take the slot). An expired hold converts only if its time is
    still free; otherwise 409 `hold_expired`."""
    now = now or timezone.now()
    if status not in (S.SCHEDULED, S.CONFIRMED, S.REQUESTED):
        raise InvalidInput(_("A hold becomes a requested, scheduled or confirmed appointment."))
    unknown = set(details) - {"kind", "reason_for_visit", "symptoms", "notes", "source_channel"}
    if unknown:
        raise InvalidInput(fields={k: _("Unknown field.") for k in sorted(unknown)})
    _lock_practitioners(hold.practitioner_id)
    hold = _hold_locked(hold)
    if hold.clinic_id != clinic.pk:
        raise InvalidInput(_("This hold belongs to another clinic."))
    if hold.status != S.HELD:
        if hold.hold_expires_at and hold.status in (S.SCHEDULED, S.CONFIRMED, S.REQUESTED):
            return hold  # converted already (a repeated payment webhook)
        raise Conflict(
            _("This hold is %(status)s.") % {"status": hold.get_status_display().lower()},
            code="hold_not_live",
        )
    if hold.hold_expires_at <= now:
        # Still ours only if nobody else took the time meanwhile (they would have expired it).
        clash = Appointment.objects.filter(
            selectors.blocking_q(now),
            practitioner_id=hold.practitioner_id,
            occupied_start__lt=hold.occupied_end,
            occupied_end__gt=hold.occupied_start,
        ).exclude(pk=hold.pk)
        if clash.exists():
            raise Conflict(_("The hold expired and the time was taken."), code="hold_expired")
    for key, value in details.items():
        setattr(hold, key, value)
    hold.status = status
    stamps = ["status", "updated_at", *details]
    if status == S.CONFIRMED:
        hold.confirmed_at = now
        stamps.append("confirmed_at")
    hold.save(update_fields=stamps)
    _audit("hold.convert", hold, actor=actor, fields=stamps)
    events.appointment_booked(hold)
    return hold


# --- Pay-first bookings from the patient portal ---------------------------------------------------


@transaction.atomic
def hold_details_set(
    *,
    hold: Appointment,
    actor,
    reason_for_visit: str = "",
    symptoms: str = "",
    source_channel: str = "",
) -> Appointment:
    """The patient's reason and symptoms on their live hold while they pay (they stay when the
    hold becomes the appointment). Added for the portal's pay-first booking."""
    hold = Appointment.objects.select_for_update().get(pk=hold.pk)
    if hold.status != S.HELD:
        raise Conflict(
            _("This hold is %(status)s.") % {"status": hold.get_status_display().lower()},
            code="hold_not_live",
        )
    hold.reason_for_visit = (reason_for_visit or "")[:500]
    hold.symptoms = (symptoms or "")[:2000]
    fields = ["reason_for_visit", "symptoms", "updated_at"]
    if source_channel:
        hold.source_channel = source_channel[:30]
        fields.append("source_channel")
    hold.save(update_fields=fields)
    _audit("hold.details", hold, actor=actor, fields=["reason_for_visit", "symptoms"])
    return hold
