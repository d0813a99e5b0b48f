"""Services (appointment types), working hours, overrides, time off, closures, booking rules and calendar feeds."""

from __future__ import annotations

import secrets
from datetime import datetime, time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clinicore.clinics.models import Membership, Room
from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.core.money import CURRENCIES, quantize
from clinicore.scheduling import selectors
from clinicore.scheduling.models import (
    MAX_BUFFER_MINUTES,
    MAX_DURATION_MINUTES,
    BookingRules,
    CalendarFeed,
    ClinicClosure,
    Mode,
    ScheduleOverride,
    Service,
    TimeOff,
    WorkingHours,
)
from clinicore.scheduling.services._base import _audit

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
        errors["duration_minutes"] = _("Between %(low)s and %(high)s minutes.") % {
            "low": 5,
            "high": MAX_DURATION_MINUTES,
        }
    for name in ("buffer_before_minutes", "buffer_after_minutes"):
        if name in data and not (0 <= data[name] <= MAX_BUFFER_MINUTES):
            errors[name] = _("Between %(low)s and %(high)s minutes.") % {
                "low": 0,
                "high": MAX_BUFFER_MINUTES,
            }
    if "booking_window_days" in data and not (1 <= data["booking_window_days"] <= 730):
        errors["booking_window_days"] = _("Between %(low)s and %(high)s days.") % {
            "low": 1,
            "high": 730,
        }
    if "mode" in data and data["mode"] not in Mode.values:
        errors["mode"] = "One of " + ", ".join(Mode.values) + "."
    if "currency" in data:
        data["currency"] = (data["currency"] or clinic.currency).upper()
        if data["currency"] not in CURRENCIES:
            errors["currency"] = _("Unsupported currency.")
    if "price" in data and not errors.get("currency"):
        if data["price"] < 0:
            errors["price"] = _("Cannot be negative.")
        else:
            data["price"] = quantize(data["price"], data.get("currency") or clinic.currency)
    if errors:
        raise InvalidInput(_("Some service fields are invalid."), fields=errors)
    return data


def _practitioners(clinic, ids) -> list[Membership]:
    ids = list(dict.fromkeys(ids))
    found = list(selectors.practitioners_of(clinic).filter(pk__in=ids))
    if len(found) != len(ids):
        raise InvalidInput(
            _("Some practitioners are not practitioners of this clinic."),
            fields={"practitioner_ids": _("Unknown practitioner.")},
        )
    return found


@transaction.atomic
def service_create(*, clinic, actor, practitioner_ids=(), **data: Any) -> Service:
    unknown = set(data) - set(SERVICE_FIELDS)
    if unknown:
        raise InvalidInput(fields={k: _("Unknown field.") for k in sorted(unknown)})
    data.setdefault("currency", clinic.currency)
    data = _service_clean(clinic, data)
    if Service.objects.filter(clinic=clinic, name=data.get("name", "")).exists():
        raise Conflict(_("A service with this name exists."), code="service_name_taken")
    service = Service.objects.create(clinic=clinic, **data)
    service.practitioners.set(_practitioners(clinic, practitioner_ids))
    _audit("service.create", service, actor=actor, fields=[*data, "practitioners"])
    return service


@transaction.atomic
def service_update(*, service: Service, actor, practitioner_ids=None, **data: Any) -> Service:
    unknown = set(data) - set(SERVICE_FIELDS)
    if unknown:
        raise InvalidInput(fields={k: _("Unknown field.") for k in sorted(unknown)})
    data = _service_clean(service.clinic, data)
    if (
        "name" in data
        and Service.objects.filter(clinic=service.clinic_id, name=data["name"])
        .exclude(pk=service.pk)
        .exists()
    ):
        raise Conflict(_("A service with this name exists."), code="service_name_taken")
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
                _("Each range must start before it ends."),
                fields={f"ranges.{i}": _("Start after end.")},
            )
        by_day.setdefault(r.get("weekday", r.get("date")), []).append(
            (r["start_time"], r["end_time"])
        )
    for day, items in by_day.items():
        items.sort()
        for (_s1, e1), (s2, _e2) in zip(items, items[1:], strict=False):
            if s2 < e1:
                raise InvalidInput(
                    _("Ranges overlap on %(day)s.") % {"day": day},
                    fields={"ranges": _("Ranges of one day overlap.")},
                )


@transaction.atomic
def working_hours_replace(
    *, clinic, actor, practitioner: Membership, ranges: list[dict]
) -> list[WorkingHours]:
    """Replaces a practitioner's whole week: `ranges` of {weekday, start_time, end_time, mode,
    branch_id, room_id}. A range's room is where the practitioner sees patients in person then:
    in-person visits booked in it take that room when it is free."""
    _ranges_clean(ranges)
    rooms = _clinic_rooms(clinic, [r.get("room_id") for r in ranges])
    for i, r in enumerate(ranges):
        if not 0 <= r["weekday"] <= 6:
            raise InvalidInput(
                _("Weekday is 0 (Monday) to 6 (Sunday)."), fields={f"ranges.{i}.weekday": "0–6."}
            )
        if r.get("mode", Mode.EITHER) not in Mode.values:
            raise InvalidInput(_("Unknown mode."), fields={f"ranges.{i}.mode": _("Unknown mode.")})
        if r.get("branch_id") and not clinic_branch_exists(clinic, r["branch_id"]):
            raise InvalidInput(
                _("Unknown branch."), fields={f"ranges.{i}.branch_id": _("Unknown branch.")}
            )
        if r.get("room_id"):
            room_branch = rooms.get(str(r["room_id"]))
            if room_branch is None:
                raise InvalidInput(
                    _("Choose a room of this clinic."),
                    fields={f"ranges.{i}.room_id": _("Not a room of this clinic.")},
                )
            if r.get("branch_id") and str(r["branch_id"]) != room_branch:
                raise InvalidInput(
                    _("The room is in another branch."),
                    fields={f"ranges.{i}.room_id": _("Not in this range's branch.")},
                )
            r["branch_id"] = room_branch
        if r.get("room_id") and r.get("mode") == Mode.VIDEO:
            raise InvalidInput(
                _("A video-only range has no room."),
                fields={f"ranges.{i}.room_id": _("Video visits take no room.")},
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
                room_id=r.get("room_id"),
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
        fields=["weekday", "start_time", "end_time", "mode", "branch", "room"],
    )
    return rows


def _clinic_rooms(clinic, room_ids) -> dict[str, str]:
    """{room id: its branch id} for the active rooms of this clinic among `room_ids`."""
    wanted = {str(r) for r in room_ids if r}
    if not wanted:
        return {}
    rows = Room.objects.filter(clinic=clinic, is_active=True, pk__in=wanted)
    return {str(pk): str(branch_id) for pk, branch_id in rows.values_list("pk", "branch_id")}


def clinic_branch_exists(clinic, branch_id) -> bool:
    from clinicore.clinics.models import Branch

    return Branch.objects.filter(clinic=clinic, pk=branch_id).exists()


@transaction.atomic
def override_set(
    *, clinic, actor, practitioner: Membership, date, ranges: list[dict], note: str = ""
) -> list[ScheduleOverride]:
    """Replaces one date's hours for a practitioner; no ranges makes the day off."""
    _ranges_clean([{**r, "date": date} for r in ranges])
    for i, r in enumerate(ranges):
        if r.get("mode", Mode.EITHER) not in Mode.values:
            raise InvalidInput(_("Unknown mode."), fields={f"ranges.{i}.mode": _("Unknown mode.")})
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
        raise InvalidInput(
            _("Time off must start before it ends."), fields={"end": _("Before start.")}
        )
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
            _("A closure must start on or before its last day."),
            fields={"end_date": _("Before start.")},
        )
    if (end_date - start_date).days > 366:
        raise InvalidInput(
            _("A closure is at most a year long."), fields={"end_date": _("Too long.")}
        )
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
    rules, _created = BookingRules.objects.get_or_create(clinic=clinic)
    for key, value in data.items():
        setattr(rules, key, value)
    rules.save()
    _audit("booking_rules.update", rules, actor=actor, fields=data.keys())
    return rules


# --- Calendar feed --------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_rotate(*, clinic, actor, practitioner: Membership) -> CalendarFeed:
    """Issues a new private feed token (the old URL stops working)."""
    feed, created = CalendarFeed.objects.get_or_create(
        practitioner=practitioner, defaults={"clinic": clinic, "token": secrets.token_urlsafe(32)}
    )
    if not created:
        feed.token = secrets.token_urlsafe(32)
        feed.save(update_fields=["token", "updated_at"])
    _audit("calendar_feed.rotate", feed, actor=actor, fields=["token"])
    return feed
