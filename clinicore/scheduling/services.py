"""Every write to schedules and appointments.

Booking (`appointment_book`, `hold_create`, `appointment_reschedule`, series and waitlist) goes
through `_claim`, which, inside one transaction: locks the practitioner's membership row (a
no-op on SQLite, whose IMMEDIATE transactions already serialize writers), clears stale holds in
the way, checks the visit and its buffers fit the practitioner's free time, checks the patient
has no overlapping visit and is under the clinic's limit, then inserts. On PostgreSQL an
exclusion constraint is the last guard; its violation becomes the same 409 as the check.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clinicore.clinics.models import Membership
from clinicore.core.audit import audit_record
from clinicore.core.codes import short_code
from clinicore.core.errors import Conflict, Forbidden, InvalidInput
from clinicore.core.money import CURRENCIES, quantize
from clinicore.scheduling import availability as av
from clinicore.scheduling import events, selectors
from clinicore.scheduling.models import (
    MAX_BUFFER_MINUTES,
    MAX_DURATION_MINUTES,
    Appointment,
    BookingRules,
    CalendarFeed,
    ClinicClosure,
    IdempotencyKey,
    Mode,
    ScheduleOverride,
    Series,
    Service,
    TimeOff,
    WaitlistEntry,
    WorkingHours,
)

S = Appointment.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.HELD: frozenset({S.REQUESTED, S.SCHEDULED, S.CONFIRMED, S.RELEASED, S.EXPIRED}),
    S.REQUESTED: frozenset({S.SCHEDULED, S.CONFIRMED, S.CANCELLED, S.RESCHEDULED}),
    S.SCHEDULED: frozenset({S.CONFIRMED, S.CHECKED_IN, S.CANCELLED, S.NO_SHOW, S.RESCHEDULED}),
    S.CONFIRMED: frozenset({S.CHECKED_IN, S.CANCELLED, S.NO_SHOW, S.RESCHEDULED}),
    S.CHECKED_IN: frozenset({S.IN_PROGRESS, S.COMPLETED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
}

SLOT_TAKEN = "This time is no longer available; choose another slot."


def _audit(action: str, obj, *, actor, fields=()) -> None:
    audit_record(
        action=action,
        entity_type=obj._meta.model_name,
        entity_id=obj.pk,
        clinic_id=obj.clinic_id,
        actor=actor,
        fields=fields,
    )


def _on_commit(fn, *args) -> None:
    transaction.on_commit(lambda: fn(*args))


# --- Services (appointment types) -----------------------------------------------------------------

SERVICE_FIELDS = (
    "name",
    "description",
    "duration_minutes",
    "price",
    "currency",
    "mode",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "min_notice_minutes",
    "booking_window_days",
    "cancellation_cutoff_hours",
    "payment_required",
    "colour",
    "is_active",
)


def _service_clean(clinic, data: dict) -> dict:
    errors = {}
    if "duration_minutes" in data and not (5 <= data["duration_minutes"] <= MAX_DURATION_MINUTES):
        errors["duration_minutes"] = f"Between 5 and {MAX_DURATION_MINUTES} minutes."
    for name in ("buffer_before_minutes", "buffer_after_minutes"):
        if name in data and not (0 <= data[name] <= MAX_BUFFER_MINUTES):
            errors[name] = f"Between 0 and {MAX_BUFFER_MINUTES} minutes."
    if "booking_window_days" in data and not (1 <= data["booking_window_days"] <= 730):
        errors["booking_window_days"] = "Between 1 and 730 days."
    if "mode" in data and data["mode"] not in Mode.values:
        errors["mode"] = "One of " + ", ".join(Mode.values) + "."
    if "currency" in data:
        data["currency"] = (data["currency"] or clinic.currency).upper()
        if data["currency"] not in CURRENCIES:
            errors["currency"] = "Unsupported currency."
    if "price" in data and not errors.get("currency"):
        if data["price"] < 0:
            errors["price"] = "Cannot be negative."
        else:
            data["price"] = quantize(data["price"], data.get("currency") or clinic.currency)
    if errors:
        raise InvalidInput("Some service fields are invalid.", fields=errors)
    return data


def _practitioners(clinic, ids) -> list[Membership]:
    ids = list(dict.fromkeys(ids))
    found = list(selectors.practitioners_of(clinic).filter(pk__in=ids))
    if len(found) != len(ids):
        raise InvalidInput(
            "Some practitioners are not practitioners of this clinic.",
            fields={"practitioner_ids": "Unknown practitioner."},
        )
    return found


@transaction.atomic
def service_create(*, clinic, actor, practitioner_ids=(), **data: Any) -> Service:
    unknown = set(data) - set(SERVICE_FIELDS)
    if unknown:
        raise InvalidInput(fields={k: "Unknown field." for k in sorted(unknown)})
    data.setdefault("currency", clinic.currency)
    data = _service_clean(clinic, data)
    if Service.objects.filter(clinic=clinic, name=data.get("name", "")).exists():
        raise Conflict("A service with this name exists.", code="service_name_taken")
    service = Service.objects.create(clinic=clinic, **data)
    service.practitioners.set(_practitioners(clinic, practitioner_ids))
    _audit("service.create", service, actor=actor, fields=[*data, "practitioners"])
    return service


@transaction.atomic
def service_update(*, service: Service, actor, practitioner_ids=None, **data: Any) -> Service:
    unknown = set(data) - set(SERVICE_FIELDS)
    if unknown:
        raise InvalidInput(fields={k: "Unknown field." for k in sorted(unknown)})
    data = _service_clean(service.clinic, data)
    if (
        "name" in data
        and Service.objects.filter(clinic=service.clinic_id, name=data["name"])
        .exclude(pk=service.pk)
        .exists()
    ):
        raise Conflict("A service with this name exists.", code="service_name_taken")
    changed = [k for k, v in data.items() if getattr(service, k) != v]
    for k in changed:
        setattr(service, k, data[k])
    if changed:
        service.save(update_fields=[*changed, "updated_at"])
    if practitioner_ids is not None:
        service.practitioners.set(_practitioners(service.clinic, practitioner_ids))
        changed.append("practitioners")
    _audit("service.update", service, actor=actor, fields=changed)
    return service


@transaction.atomic
def service_deactivate(*, service: Service, actor) -> Service:
    if service.is_active:
        service.is_active = False
        service.save(update_fields=["is_active", "updated_at"])
    _audit("service.deactivate", service, actor=actor, fields=["is_active"])
    return service


# --- Schedules ----------------------------------------------------------------------------------


def _ranges_clean(ranges: list[dict]) -> None:
    by_day: dict[Any, list[tuple[time, time]]] = {}
    for i, r in enumerate(ranges):
        if r["start_time"] >= r["end_time"]:
            raise InvalidInput(
                "Each range must start before it ends.", fields={f"ranges.{i}": "Start after end."}
            )
        by_day.setdefault(r.get("weekday", r.get("date")), []).append(
            (r["start_time"], r["end_time"])
        )
    for day, items in by_day.items():
        items.sort()
        for (_s1, e1), (s2, _e2) in zip(items, items[1:], strict=False):
            if s2 < e1:
                raise InvalidInput(
                    f"Ranges overlap on {day}.", fields={"ranges": "Ranges of one day overlap."}
                )


@transaction.atomic
def working_hours_replace(
    *, clinic, actor, practitioner: Membership, ranges: list[dict]
) -> list[WorkingHours]:
    """Replaces a practitioner's whole week: `ranges` of {weekday, start_time, end_time, mode, branch_id}."""
    _ranges_clean(ranges)
    for i, r in enumerate(ranges):
        if not 0 <= r["weekday"] <= 6:
            raise InvalidInput(
                "Weekday is 0 (Monday) to 6 (Sunday).", fields={f"ranges.{i}.weekday": "0–6."}
            )
        if r.get("mode", Mode.EITHER) not in Mode.values:
            raise InvalidInput("Unknown mode.", fields={f"ranges.{i}.mode": "Unknown mode."})
        if r.get("branch_id") and not clinic_branch_exists(clinic, r["branch_id"]):
            raise InvalidInput(
                "Unknown branch.", fields={f"ranges.{i}.branch_id": "Unknown branch."}
            )
    WorkingHours.objects.filter(clinic=clinic, practitioner=practitioner).delete()
    rows = WorkingHours.objects.bulk_create(
        [
            WorkingHours(
                clinic=clinic,
                practitioner=practitioner,
                weekday=r["weekday"],
                start_time=r["start_time"],
                end_time=r["end_time"],
                mode=r.get("mode") or Mode.EITHER,
                branch_id=r.get("branch_id"),
            )
            for r in ranges
        ]
    )
    audit_record(
        action="working_hours.replace",
        entity_type="membership",
        entity_id=practitioner.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=["weekday", "start_time", "end_time", "mode", "branch"],
    )
    return rows


def clinic_branch_exists(clinic, branch_id) -> bool:
    from clinicore.clinics.models import Branch

    return Branch.objects.filter(clinic=clinic, pk=branch_id).exists()


@transaction.atomic
def override_set(
    *, clinic, actor, practitioner: Membership, date, ranges: list[dict], note: str = ""
) -> list[ScheduleOverride]:
    """Replaces one date's hours for a practitioner; no ranges makes the day off."""
    _ranges_clean([{**r, "date": date} for r in ranges])
    ScheduleOverride.objects.filter(clinic=clinic, practitioner=practitioner, date=date).delete()
    rows = [
        ScheduleOverride(
            clinic=clinic,
            practitioner=practitioner,
            date=date,
            start_time=r["start_time"],
            end_time=r["end_time"],
            mode=r.get("mode") or Mode.EITHER,
            note=note,
        )
        for r in ranges
    ] or [ScheduleOverride(clinic=clinic, practitioner=practitioner, date=date, note=note)]
    rows = ScheduleOverride.objects.bulk_create(rows)
    for row in rows:
        _audit(
            "schedule_override.set",
            row,
            actor=actor,
            fields=["date", "start_time", "end_time", "mode"],
        )
    return rows


@transaction.atomic
def override_delete(*, override: ScheduleOverride, actor) -> None:
    _audit("schedule_override.delete", override, actor=actor)
    override.delete()


@transaction.atomic
def time_off_create(
    *, clinic, actor, practitioner: Membership, start: datetime, end: datetime, reason: str = ""
) -> TimeOff:
    if start >= end:
        raise InvalidInput("Time off must start before it ends.", fields={"end": "Before start."})
    row = TimeOff.objects.create(
        clinic=clinic, practitioner=practitioner, start=start, end=end, reason=reason
    )
    _audit("time_off.create", row, actor=actor, fields=["start", "end", "reason"])
    return row


@transaction.atomic
def time_off_delete(*, time_off: TimeOff, actor) -> None:
    _audit("time_off.delete", time_off, actor=actor)
    time_off.delete()


@transaction.atomic
def closure_create(*, clinic, actor, start_date, end_date, name: str) -> ClinicClosure:
    if start_date > end_date:
        raise InvalidInput(
            "A closure must start on or before its last day.", fields={"end_date": "Before start."}
        )
    if (end_date - start_date).days > 366:
        raise InvalidInput("A closure is at most a year long.", fields={"end_date": "Too long."})
    row = ClinicClosure.objects.create(
        clinic=clinic, start_date=start_date, end_date=end_date, name=name
    )
    _audit("closure.create", row, actor=actor, fields=["start_date", "end_date", "name"])
    return row


@transaction.atomic
def closure_delete(*, closure: ClinicClosure, actor) -> None:
    _audit("closure.delete", closure, actor=actor)
    closure.delete()


@transaction.atomic
def booking_rules_update(*, clinic, actor, **data) -> BookingRules:
    rules, _ = BookingRules.objects.get_or_create(clinic=clinic)
    for key, value in data.items():
        setattr(rules, key, value)
    rules.save()
    _audit("booking_rules.update", rules, actor=actor, fields=data.keys())
    return rules


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
) -> av.Span:
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
                "The practitioner does not work at this time.", code="outside_working_hours"
            )
        raise Conflict(SLOT_TAKEN, code="slot_unavailable")
    if enforce_rules:
        earliest, latest = selectors.notice_window(service, now)
        if start < earliest:
            raise Conflict(
                f"This service needs {service.min_notice_minutes} minutes' notice.",
                code="notice_too_short",
            )
        if start > latest:
            raise Conflict(
                f"This service can be booked up to {service.booking_window_days} days ahead.",
                code="beyond_booking_window",
            )
        step = timedelta(minutes=clinic.slot_step_minutes or 15)
        if (start - (span.anchor or span.start)) % step:
            raise InvalidInput(
                "Choose one of the offered slot times.",
                code="not_a_slot",
                fields={"start": "Not a slot start."},
            )
    return span


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
            "The patient already has an appointment at this time.", code="patient_overlap"
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
                f"A patient can have at most {limit} upcoming appointments at this clinic.",
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
    raise Conflict("Could not assign a reservation code; try again.", code="retry")


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
    **fields,
) -> Appointment:
    if (
        patient.clinic_id != clinic.pk
        or practitioner.clinic_id != clinic.pk
        or service.clinic_id != clinic.pk
    ):
        raise InvalidInput("Patient, practitioner and service must belong to this clinic.")
    if not service.is_active:
        raise Conflict("This service is not offered any more.", code="service_inactive")
    if not service.practitioners.filter(pk=practitioner.pk).exists():
        raise InvalidInput(
            "This practitioner does not offer this service.",
            fields={"practitioner_id": "Does not offer it."},
        )
    if not patient.is_active:
        raise Conflict("This patient record is deactivated.", code="patient_inactive")
    slot_mode = av.combine_modes(service.mode, mode)
    if slot_mode is None:
        raise InvalidInput(
            f"This service is not offered as {mode}.", fields={"mode": "Not offered."}
        )
    if timezone.is_naive(start):
        raise InvalidInput(
            "Times must include a UTC offset.", fields={"start": "Include a UTC offset."}
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
    span = _check_fits(
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
            "The practitioner does not see patients in this mode at this time.",
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
        raise InvalidInput(fields={k: "Unknown field." for k in sorted(unknown)})
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
                                "This Idempotency-Key was used with a different request; use a new key.",
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
        "The same request is being processed; retry shortly.", code="idempotency_in_progress"
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
                "Choose a practitioner and a start time.",
                fields={"practitioner_id": "Required.", "start": "Required."},
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
            "Choose a date and a period.", fields={"period": "morning, afternoon or evening."}
        )
    slots, _ = selectors.available_slots(
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
        chosen = practitioner or Membership.objects.get(pk=slot.practitioner_id)
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
    raise Conflict(f"No {period} time is left on {date.isoformat()}.", code="period_full")


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
        raise InvalidInput("A hold lasts 1 minute to 24 hours.", fields={"minutes": "1–1440."})
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
        raise InvalidInput("This hold belongs to another clinic.")
    if hold.status == S.HELD:
        hold.status = S.RELEASED
        hold.save(update_fields=["status", "updated_at"])
        _audit("hold.release", hold, actor=actor, fields=["status"])
        _on_commit(_waitlist_after_free, hold.pk)
    elif hold.status not in (S.RELEASED, S.EXPIRED):
        raise Conflict(
            f"This hold was already turned into an appointment ({hold.get_status_display()}).",
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
        raise InvalidInput("A hold becomes a requested, scheduled or confirmed appointment.")
    unknown = set(details) - {"kind", "reason_for_visit", "symptoms", "notes", "source_channel"}
    if unknown:
        raise InvalidInput(fields={k: "Unknown field." for k in sorted(unknown)})
    _lock_practitioners(hold.practitioner_id)
    hold = _hold_locked(hold)
    if hold.clinic_id != clinic.pk:
        raise InvalidInput("This hold belongs to another clinic.")
    if hold.status != S.HELD:
        if hold.hold_expires_at and hold.status in (S.SCHEDULED, S.CONFIRMED, S.REQUESTED):
            return hold  # converted already (a repeated payment webhook)
        raise Conflict(f"This hold is {hold.get_status_display().lower()}.", code="hold_not_live")
    if hold.hold_expires_at <= now:
        # Still ours only if nobody else took the time meanwhile (they would have expired it).
        clash = Appointment.objects.filter(
            selectors.blocking_q(now),
            practitioner_id=hold.practitioner_id,
            occupied_start__lt=hold.occupied_end,
            occupied_end__gt=hold.occupied_start,
        ).exclude(pk=hold.pk)
        if clash.exists():
            raise Conflict("The hold expired and the time was taken.", code="hold_expired")
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
        transaction.on_commit(lambda pk=pk: _waitlist_after_free(pk))
    return count


# --- Changes and the status machine -------------------------------------------------------------


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update()
        .select_related("service", "clinic")
        .get(pk=appointment.pk)
    )


def _require(appointment: Appointment, target: str, verb: str) -> None:
    if target not in TRANSITIONS.get(appointment.status, frozenset()):
        raise Conflict(
            f"This appointment is {appointment.get_status_display().lower()}; it cannot be {verb}.",
            code="invalid_transition",
            fields={"status": appointment.status},
        )


def _cutoff(appointment: Appointment, *, as_patient: bool, now: datetime, verb: str) -> None:
    if not as_patient:
        return
    cutoff = appointment.start - timedelta(hours=appointment.service.cancellation_cutoff_hours)
    if now > cutoff:
        raise Conflict(
            f"Appointments can be {verb} online up to {appointment.service.cancellation_cutoff_hours} hours "
            "before they start; please call the clinic.",
            code="cancellation_cutoff_passed",
        )


@transaction.atomic
def appointment_update(*, appointment: Appointment, actor, **details) -> Appointment:
    unknown = set(details) - {"kind", "reason_for_visit", "symptoms", "notes", "room_id"}
    if unknown:
        raise InvalidInput(fields={k: "Unknown field." for k in sorted(unknown)})
    appointment = _locked(appointment)
    if appointment.status not in Appointment.OPEN:
        raise Conflict(
            f"This appointment is {appointment.get_status_display().lower()}; it cannot be changed.",
            code="invalid_transition",
            fields={"status": appointment.status},
        )
    if details.get("kind") and details["kind"] not in Appointment.Kind.values:
        raise InvalidInput(fields={"kind": "Unknown type."})
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
    _require(appointment, S.CANCELLED, "cancelled")
    _cutoff(appointment, as_patient=as_patient, now=now, verb="cancelled")
    appointment.status = S.CANCELLED
    appointment.cancellation_reason = (reason or "")[:500]
    appointment.cancelled_at = now
    appointment.save(update_fields=["status", "cancellation_reason", "cancelled_at", "updated_at"])
    _audit("appointment.cancel", appointment, actor=actor, fields=["status", "cancellation_reason"])
    events.appointment_cancelled(appointment)
    _on_commit(_waitlist_after_free, appointment.pk)
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
    _require(old, S.RESCHEDULED, "rescheduled")
    _cutoff(old, as_patient=as_patient, now=now, verb="rescheduled")
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
        room_id=old.room_id if practitioner.pk == old.practitioner_id else None,
    )
    _audit(
        "appointment.reschedule",
        new,
        actor=actor,
        fields=["start", "practitioner", "rescheduled_from"],
    )
    events.appointment_rescheduled(old, new)
    _on_commit(_waitlist_after_free, old.pk)
    return new


def _transition(
    appointment: Appointment,
    *,
    actor,
    target: str,
    verb: str,
    stamp: str | None,
    now: datetime | None,
) -> Appointment:
    now = now or timezone.now()
    appointment = _locked(appointment)
    _require(appointment, target, verb)
    appointment.status = target
    fields = ["status", "updated_at"]
    if stamp:
        setattr(appointment, stamp, now)
        fields.append(stamp)
    appointment.save(update_fields=fields)
    _audit(f"appointment.{target}", appointment, actor=actor, fields=fields)
    return appointment


@transaction.atomic
def appointment_confirm(
    *, appointment: Appointment, actor, now: datetime | None = None
) -> Appointment:
    appointment = _transition(
        appointment,
        actor=actor,
        target=S.CONFIRMED,
        verb="confirmed",
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
        verb="checked in",
        stamp="checked_in_at",
        now=now,
    )


@transaction.atomic
def appointment_start(
    *, appointment: Appointment, actor, now: datetime | None = None
) -> Appointment:
    return _transition(
        appointment, actor=actor, target=S.IN_PROGRESS, verb="started", stamp="started_at", now=now
    )


@transaction.atomic
def appointment_check_out(
    *, appointment: Appointment, actor, now: datetime | None = None
) -> Appointment:
    return _transition(
        appointment,
        actor=actor,
        target=S.COMPLETED,
        verb="checked out",
        stamp="checked_out_at",
        now=now,
    )


@transaction.atomic
def appointment_no_show(
    *, appointment: Appointment, actor, now: datetime | None = None
) -> Appointment:
    appointment = _transition(
        appointment, actor=actor, target=S.NO_SHOW, verb="marked as a no-show", stamp=None, now=now
    )
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


# --- Series ---------------------------------------------------------------------------------------


@transaction.atomic
def series_create(
    *,
    clinic,
    actor,
    patient,
    practitioner: Membership,
    service: Service,
    first_start: datetime,
    occurrences: int,
    interval_days: int = 7,
    as_patient: bool = False,
    now: datetime | None = None,
    **details,
) -> Series:
    """Books every occurrence or none: a clash on any date answers 409 naming the dates."""
    now = now or timezone.now()
    if not 2 <= occurrences <= 52:
        raise InvalidInput("A series has 2 to 52 occurrences.", fields={"occurrences": "2–52."})
    if not 1 <= interval_days <= 90:
        raise InvalidInput("Occurrences are 1 to 90 days apart.", fields={"interval_days": "1–90."})
    series = Series.objects.create(
        clinic=clinic,
        patient=patient,
        practitioner=practitioner,
        service=service,
        interval_days=interval_days,
        occurrences=occurrences,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    tz = selectors.clinic_tz(clinic)
    local_first = first_start.astimezone(tz)
    clashes = []
    for index in range(occurrences):
        # Same local wall time each time, so a DST change does not shift the visit by an hour.
        day = local_first.date() + timedelta(days=index * interval_days)
        start = av.local_to_utc(day, local_first.time().replace(tzinfo=None), tz)
        try:
            with transaction.atomic():
                _claim(
                    clinic=clinic,
                    actor=actor,
                    patient=patient,
                    practitioner=practitioner,
                    service=service,
                    start=start,
                    mode=details.get("mode"),
                    status=S.SCHEDULED,
                    enforce_rules=as_patient,
                    now=now,
                    count_limit=False,
                    series=series,
                    series_index=index + 1,
                    **{k: v for k, v in details.items() if k != "mode"},
                    **_who(actor, as_patient=as_patient),
                )
        except Conflict as exc:
            clashes.append(f"{day.isoformat()} ({exc.message})")
    if clashes:
        raise Conflict(
            "These occurrences cannot be booked: " + "; ".join(clashes), code="series_clash"
        )
    _audit(
        "series.create", series, actor=actor, fields=["occurrences", "interval_days", "first_start"]
    )
    for occurrence in Appointment.objects.filter(series=series):
        events.appointment_booked(occurrence)
    return series


def series_future(series: Series, now: datetime):
    return Appointment.objects.filter(
        series=series, status__in=Appointment.OPEN, start__gt=now
    ).order_by("start")


@transaction.atomic
def series_update(*, series: Series, actor, now: datetime | None = None, **details) -> Series:
    """Applies detail changes to every upcoming open occurrence; moved or cancelled ones keep
    their own state (a moved occurrence is a new row that still belongs to the series)."""
    now = now or timezone.now()
    unknown = set(details) - {"kind", "reason_for_visit", "notes"}
    if unknown:
        raise InvalidInput(fields={k: "Unknown field." for k in sorted(unknown)})
    for appointment in series_future(series, now):
        appointment_update(appointment=appointment, actor=actor, **details)
    _audit("series.update", series, actor=actor, fields=details.keys())
    return series


@transaction.atomic
def series_cancel(*, series: Series, actor, reason: str = "", now: datetime | None = None) -> int:
    """Cancels every upcoming open occurrence; past and already-changed ones stay as they are."""
    now = now or timezone.now()
    count = 0
    for appointment in series_future(series, now):
        appointment_cancel(
            appointment=appointment, actor=actor, reason=reason or "Series cancelled", now=now
        )
        count += 1
    _audit("series.cancel", series, actor=actor, fields=["status"])
    return count


# --- Waitlist -------------------------------------------------------------------------------------


@transaction.atomic
def waitlist_join(
    *,
    clinic,
    actor,
    patient,
    service: Service,
    earliest_date,
    latest_date,
    practitioner: Membership | None = None,
    appointment: Appointment | None = None,
    note: str = "",
) -> WaitlistEntry:
    if earliest_date > latest_date:
        raise InvalidInput(
            "The earliest date must not be after the latest.",
            fields={"latest_date": "Before earliest."},
        )
    if appointment is not None and appointment.patient_id != patient.pk:
        raise InvalidInput(
            "That appointment is someone else's.", fields={"appointment_id": "Not this patient's."}
        )
    if WaitlistEntry.objects.filter(
        clinic=clinic,
        patient=patient,
        service=service,
        status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED],
    ).exists():
        raise Conflict(
            "The patient is already on the waitlist for this service.", code="already_waiting"
        )
    entry = WaitlistEntry.objects.create(
        clinic=clinic,
        patient=patient,
        service=service,
        practitioner=practitioner,
        appointment=appointment,
        earliest_date=earliest_date,
        latest_date=latest_date,
        note=note[:300],
    )
    _audit(
        "waitlist.join",
        entry,
        actor=actor,
        fields=["service", "practitioner", "earliest_date", "latest_date"],
    )
    return entry


@transaction.atomic
def waitlist_cancel(*, entry: WaitlistEntry, actor) -> WaitlistEntry:
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status in (WaitlistEntry.Status.BOOKED, WaitlistEntry.Status.CANCELLED):
        raise Conflict(
            f"This waitlist entry is {entry.get_status_display().lower()}.",
            code="invalid_transition",
        )
    if entry.offered_hold_id:
        hold = Appointment.objects.get(pk=entry.offered_hold_id)
        if hold.status == S.HELD:
            hold_release(clinic=entry.clinic, actor=actor, hold=hold)
    entry.status = WaitlistEntry.Status.CANCELLED
    entry.save(update_fields=["status", "updated_at"])
    _audit("waitlist.cancel", entry, actor=actor, fields=["status"])
    return entry


def _waitlist_after_free(appointment_id) -> None:
    """After a visit is cancelled, moved or a hold lapses: offer the freed time to the waitlist."""
    freed = (
        Appointment.objects.select_related("clinic", "service", "practitioner")
        .filter(pk=appointment_id)
        .first()
    )
    if freed is None:
        return
    # An offer nobody took: its patient waits again, but this time goes to the next in line.
    lapsed = list(
        WaitlistEntry.objects.filter(
            offered_hold_id=freed.pk, status=WaitlistEntry.Status.OFFERED
        ).values_list("pk", flat=True)
    )
    if lapsed:
        WaitlistEntry.objects.filter(pk__in=lapsed).update(
            status=WaitlistEntry.Status.WAITING, offered_hold=None, updated_at=timezone.now()
        )
    waitlist_offer_freed_slot(
        clinic=freed.clinic, practitioner=freed.practitioner, start=freed.start, skip=lapsed
    )


def waitlist_offer_freed_slot(
    *,
    clinic,
    practitioner: Membership,
    start: datetime,
    now: datetime | None = None,
    skip=(),
) -> WaitlistEntry | None:
    """Offers a freed time to the first waiting patient it suits, holding it for them for the
    clinic's offer minutes; returns the entry offered, if any."""
    now = now or timezone.now()
    if start <= now:
        return None
    local_date = start.astimezone(selectors.clinic_tz(clinic)).date()
    candidates = (
        WaitlistEntry.objects.filter(
            clinic=clinic,
            status=WaitlistEntry.Status.WAITING,
            earliest_date__lte=local_date,
            latest_date__gte=local_date,
        )
        .filter(Q(practitioner__isnull=True) | Q(practitioner=practitioner))
        .filter(service__practitioners=practitioner, service__is_active=True)
        .exclude(pk__in=list(skip))
        .select_related("service", "patient", "appointment")
        .order_by("created_at")[:20]
    )
    minutes = selectors.booking_rules(clinic).waitlist_offer_minutes
    for entry in candidates:
        if entry.appointment is not None and (
            entry.appointment.start <= start or entry.appointment.status not in Appointment.OPEN
        ):
            continue  # they asked for something earlier than what they have
        try:
            with transaction.atomic():
                hold = hold_create(
                    clinic=clinic,
                    actor=None,
                    patient=entry.patient,
                    practitioner=practitioner,
                    service=entry.service,
                    start=start,
                    minutes=minutes,
                    enforce_rules=True,
                    hold_ref=f"waitlist:{entry.pk}",
                    now=now,
                )
                entry.status = WaitlistEntry.Status.OFFERED
                entry.offered_hold = hold
                entry.offered_at = now
                entry.save(update_fields=["status", "offered_hold", "offered_at", "updated_at"])
                _audit("waitlist.offer", entry, actor=None, fields=["status", "offered_hold"])
        except (Conflict, InvalidInput):
            continue
        events.waitlist_offered(entry)
        return entry
    return None


@transaction.atomic
def waitlist_accept(*, entry: WaitlistEntry, actor, now: datetime | None = None) -> Appointment:
    """The patient takes the offered time: the hold becomes their appointment, and the later
    appointment they wanted to move (if any) is marked rescheduled to it."""
    now = now or timezone.now()
    entry = WaitlistEntry.objects.select_for_update().select_related("clinic").get(pk=entry.pk)
    if entry.status != WaitlistEntry.Status.OFFERED or entry.offered_hold_id is None:
        raise Conflict("There is no open offer on this waitlist entry.", code="no_offer")
    hold = Appointment.objects.get(pk=entry.offered_hold_id)
    if hold.status != S.HELD or hold.hold_expires_at <= now:
        entry.status = WaitlistEntry.Status.WAITING
        entry.offered_hold = None
        entry.save(update_fields=["status", "offered_hold", "updated_at"])
        raise Conflict(
            "The offer has expired; you are still on the waitlist.", code="offer_expired"
        )
    previous = entry.appointment
    if previous is not None and previous.status in Appointment.OPEN:
        previous = _locked(previous)
        previous.status = S.RESCHEDULED
        previous.save(update_fields=["status", "updated_at"])
        hold.rescheduled_from = previous
        hold.reason_for_visit, hold.symptoms = previous.reason_for_visit, previous.symptoms
        hold.save(update_fields=["rescheduled_from", "reason_for_visit", "symptoms", "updated_at"])
    appointment = hold_convert_to_appointment(clinic=entry.clinic, actor=actor, hold=hold, now=now)
    entry.status = WaitlistEntry.Status.BOOKED
    entry.save(update_fields=["status", "updated_at"])
    _audit("waitlist.accept", entry, actor=actor, fields=["status"])
    return appointment


# --- Calendar feed --------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_rotate(*, clinic, actor, practitioner: Membership) -> CalendarFeed:
    """Issues a new private feed token (the old URL stops working)."""
    feed, _ = CalendarFeed.objects.get_or_create(
        practitioner=practitioner, defaults={"clinic": clinic, "token": secrets.token_urlsafe(32)}
    )
    if not _:
        feed.token = secrets.token_urlsafe(32)
        feed.save(update_fields=["token", "updated_at"])
    _audit("calendar_feed.rotate", feed, actor=actor, fields=["token"])
    return feed


def staff_may_act_for(membership, practitioner: Membership) -> bool:
    if membership is None:
        return False
    from clinicore.clinics.permissions import Perm, role_has

    return membership.pk == practitioner.pk or role_has(membership.role, Perm.SCHEDULE_MANAGE)


def forbid_unless(condition: bool, message: str) -> None:
    if not condition:
        raise Forbidden(message)


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
        raise Conflict(f"This hold is {hold.get_status_display().lower()}.", code="hold_not_live")
    hold.reason_for_visit = (reason_for_visit or "")[:500]
    hold.symptoms = (symptoms or "")[:2000]
    fields = ["reason_for_visit", "symptoms", "updated_at"]
    if source_channel:
        hold.source_channel = source_channel[:30]
        fields.append("source_channel")
    hold.save(update_fields=fields)
    _audit("hold.details", hold, actor=actor, fields=["reason_for_visit", "symptoms"])
    return hold
