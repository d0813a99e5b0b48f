"""The calendar: day, week and two-week views per practitioner, per room or the whole clinic,
with the day's actions, and time off and one-day overrides edited in place."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clinicore.clinics.models import Room
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import DomainError, InvalidInput
from clinicore.desk import selectors
from clinicore.desk.views.common import can, clinic_view, local_datetime, parse_day
from clinicore.scheduling import selectors as sched
from clinicore.scheduling import services as scheduling
from clinicore.scheduling.access import (
    override_get_for_clinic,
    practitioner_get_for_clinic,
    time_off_get_for_clinic,
)
from clinicore.scheduling.models import Appointment, Mode, ScheduleOverride, TimeOff

VIEWS = {"day": 1, "week": 7, "2week": 14}


def _params(request):
    clinic = request.clinic
    view = request.GET.get("view") or "week"
    view = view if view in VIEWS else "week"
    day = parse_day(request.GET.get("date"), selectors.today(clinic))
    first = day if view == "day" else day - dt.timedelta(days=day.weekday())
    last = first + dt.timedelta(days=VIEWS[view] - 1)
    default_prac = str(request.membership.pk) if request.membership.is_practitioner else ""
    prac = request.GET.get(
        "practitioner", default_prac if "practitioner" not in request.GET else ""
    )
    room = request.GET.get("room", "")
    return view, day, first, last, prac, room


@clinic_view(Perm.SCHEDULE_READ, methods=("GET",))
def calendar(request):
    clinic = request.clinic
    tz = ZoneInfo(clinic.time_zone)
    view, day, first, last, prac, room = _params(request)
    practitioners = list(sched.practitioners_of(clinic))
    rooms = list(Room.objects.filter(clinic=clinic, is_active=True).select_related("branch"))
    chosen = next((p for p in practitioners if str(p.pk) == prac), None)
    qs = (
        sched.calendar(
            clinic=clinic, first=first, last=last, practitioner_id=chosen.pk if chosen else None
        )
        .exclude(status__in=(Appointment.Status.RESCHEDULED,))
        .select_related("room")
    )
    if room:
        qs = qs.filter(room_id=room if any(str(r.pk) == room for r in rooms) else None)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    by_day = {d: [] for d in days}
    for appt in qs[:2000]:
        local = appt.start.astimezone(tz)
        by_day.setdefault(local.date(), []).append({"a": appt, "local": local})
    start, end = (
        selectors.local_day_bounds(clinic, first)[0],
        selectors.local_day_bounds(clinic, last)[1],
    )
    time_off = TimeOff.objects.filter(clinic=clinic, start__lt=end, end__gt=start).select_related(
        "practitioner__user"
    )
    overrides = ScheduleOverride.objects.filter(
        clinic=clinic, date__gte=first, date__lte=last
    ).select_related("practitioner__user")
    if chosen:
        time_off = time_off.filter(practitioner=chosen)
        overrides = overrides.filter(practitioner=chosen)
    step = dt.timedelta(days=VIEWS[view])
    return render(
        request,
        "desk/calendar.html",
        {
            "nav": "calendar",
            "view": view,
            "views": [("day", _("Day")), ("week", _("Week")), ("2week", _("Two weeks"))],
            "day": day,
            "first": first,
            "last": last,
            "days": [(d, by_day.get(d, [])) for d in days],
            "practitioners": practitioners,
            "rooms": rooms,
            "chosen": chosen,
            "prac": prac,
            "room": room,
            "prev": (first - step).isoformat(),
            "next": (first + step).isoformat(),
            "today": selectors.today(clinic),
            "time_off": time_off,
            "overrides": overrides,
            "can_book": can(request, Perm.SCHEDULE_BOOK),
            "can_manage": can(request, Perm.SCHEDULE_MANAGE),
            "tz": clinic.time_zone,
            "modes": Mode.choices,
        },
    )


def _back(request):
    nxt = request.POST.get("next", "")
    if nxt.startswith(f"/c/{request.clinic.slug}/desk/calendar/"):
        return redirect(nxt)
    return redirect("desk:calendar", clinic_slug=request.clinic.slug)


def _wall(value):
    try:
        return dt.time.fromisoformat(value) if value else None
    except ValueError:
        raise InvalidInput(_("Times look like 09:00.")) from None


def _day_ranges(post) -> list[dict]:
    """A one-day change's ranges: up to two (a morning and an afternoon), each seen in the chosen
    mode. A range with only one of its times is refused rather than read as a day off."""
    mode = post.get("mode") or Mode.EITHER
    ranges = []
    for suffix in ("", "_2"):
        start, end = _wall(post.get(f"start_time{suffix}")), _wall(post.get(f"end_time{suffix}"))
        if (start is None) != (end is None):
            raise InvalidInput(_("Give both a start and an end time."))
        if start is not None:
            ranges.append({"start_time": start, "end_time": end, "mode": mode})
    return ranges


@clinic_view(Perm.SCHEDULE_MANAGE, methods=("POST",))
def schedule_edit(request):
    """Time off (from–to) and one-day overrides (other hours, or the day off), and their removal."""
    clinic = request.clinic
    post = request.POST
    try:
        kind = post.get("kind", "")
        if kind == "time_off_delete":
            scheduling.time_off_delete(
                time_off=time_off_get_for_clinic(clinic=clinic, time_off_id=post.get("id", "")),
                actor=request.user,
            )
        elif kind == "override_delete":
            scheduling.override_delete(
                override=override_get_for_clinic(clinic=clinic, override_id=post.get("id", "")),
                actor=request.user,
            )
        else:
            practitioner = practitioner_get_for_clinic(
                clinic=clinic, practitioner_id=post.get("practitioner_id", "")
            )
            if kind == "time_off":
                start = local_datetime(
                    clinic, post.get("start_date", ""), post.get("start_time") or "00:00"
                )
                end = local_datetime(
                    clinic, post.get("end_date", ""), post.get("end_time") or "23:59"
                )
                scheduling.time_off_create(
                    clinic=clinic,
                    actor=request.user,
                    practitioner=practitioner,
                    start=start,
                    end=end,
                    reason=post.get("reason", "")[:200],
                )
            elif kind == "override":
                date = dt.date.fromisoformat(post.get("date", ""))
                scheduling.override_set(
                    clinic=clinic,
                    actor=request.user,
                    practitioner=practitioner,
                    date=date,
                    ranges=_day_ranges(post),
                    note=post.get("note", "")[:200],
                )
            else:
                raise InvalidInput(_("Unknown change."))
        messages.success(request, _("Schedule updated."))
    except ValueError:
        messages.error(request, _("Dates look like 2026-03-31."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request)
