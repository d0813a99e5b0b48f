"""One person's weekly working hours: several ranges a weekday, each with its mode, branch and
room.

The form posts parallel lists (weekday, start, end, mode, branch, room), one entry per range in
the order shown. "Add a range" and "Remove" are submit buttons, so the page works without
JavaScript: they re-render the form with the user's input and save nothing. Saving checks every
range (both times, start before end, no overlap within a day, known mode, branch and room; a
room in the range's branch, none on a video-only range), shows the
problems beside the ranges they concern and changes nothing until all are right; then the whole
week goes through scheduling's `working_hours_replace`.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.translation import gettext as _

from clinicore.clinics.models import Branch, Room
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import DomainError, InvalidInput
from clinicore.desk.views.common import clinic_view
from clinicore.scheduling import services as scheduling
from clinicore.scheduling.access import practitioner_get_for_clinic
from clinicore.scheduling.models import Mode, WorkingHours

WEEKDAYS = sorted(DAY_NAMES.items())  # (0, Monday) … (6, Sunday), translated by Django
MAX_RANGES = 70  # ten a day is more than any real week needs


@dataclass
class HoursRow:
    """One range as shown in the form: the text as typed, so a rejected form shows it again."""

    weekday: int
    start: str = ""
    end: str = ""
    mode: str = Mode.EITHER
    branch: str = ""
    room: str = ""
    error: str = ""

    @property
    def is_blank(self) -> bool:
        return not self.start and not self.end

    def as_range(self) -> dict:
        return {
            "weekday": self.weekday,
            "start_time": dt.time.fromisoformat(self.start),
            "end_time": dt.time.fromisoformat(self.end),
            "mode": self.mode,
            "branch_id": self.branch or None,
            "room_id": self.room or None,
        }


def rows_saved(clinic, member) -> list[HoursRow]:
    return [
        HoursRow(
            weekday=h.weekday,
            start=h.start_time.strftime("%H:%M"),
            end=h.end_time.strftime("%H:%M"),
            mode=h.mode,
            branch=str(h.branch_id or ""),
            room=str(h.room_id or ""),
        )
        for h in WorkingHours.objects.filter(clinic=clinic, practitioner=member).order_by(
            "weekday", "start_time"
        )
    ]


def rows_posted(post) -> list[HoursRow]:
    columns = [post.getlist(name) for name in ("weekday", "start", "end", "mode", "branch")]
    # A form saved before rooms existed posts no room column: its ranges have no room.
    columns.append(post.getlist("room") or [""] * len(columns[0]))
    if len({len(c) for c in columns}) != 1 or len(columns[0]) > MAX_RANGES:
        raise InvalidInput(_("The form was incomplete; reload the page and try again."))
    rows = []
    for weekday, start, end, mode, branch, room in zip(*columns, strict=True):
        if weekday not in {str(d) for d, _label in WEEKDAYS}:
            raise InvalidInput(_("The form was incomplete; reload the page and try again."))
        rows.append(
            HoursRow(
                weekday=int(weekday),
                start=start.strip()[:8],
                end=end.strip()[:8],
                mode=mode,
                branch=branch.strip()[:40],
                room=room.strip()[:40],
            )
        )
    return rows


def _wall_time(text: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        return None


def rows_check(rows: list[HoursRow], branch_ids: set[str], room_branches: dict[str, str]) -> bool:
    """Marks each range that cannot be saved with the reason; True when the week is valid."""
    valid: dict[int, list[HoursRow]] = {}
    for row in rows:
        if row.is_blank:
            continue
        start, end = _wall_time(row.start), _wall_time(row.end)
        if not row.start or not row.end:
            row.error = _("Give both a start and an end time.")
        elif start is None or end is None:
            row.error = _("Times look like 09:00.")
        elif start >= end:
            row.error = _("The start must be before the end.")
        elif row.mode not in Mode.values:
            row.error = _("Choose in person, video or either.")
        elif row.branch and row.branch not in branch_ids:
            row.error = _("Choose one of the clinic's branches.")
        elif row.room and row.room not in room_branches:
            row.error = _("Choose one of the clinic's rooms.")
        elif row.room and row.branch and room_branches[row.room] != row.branch:
            row.error = _("The room is in another branch.")
        elif row.room and row.mode == Mode.VIDEO:
            row.error = _("A video-only range has no room.")
        else:
            valid.setdefault(row.weekday, []).append(row)
    for day_rows in valid.values():
        day_rows.sort(key=lambda r: _wall_time(r.start))
        for before, after in zip(day_rows, day_rows[1:], strict=False):
            if _wall_time(after.start) < _wall_time(before.end):
                after.error = _("Overlaps %(start)s–%(end)s on the same day.") % {
                    "start": before.start,
                    "end": before.end,
                }
    return not any(row.error for row in rows)


def _by_day(rows: list[HoursRow], member) -> tuple[list[HoursRow], list[dict]]:
    """Rows in the order the form shows them (by weekday), a blank row on each day without any
    so a day's first range can be typed straight away; a blank day is a day off."""
    ordered, days = [], []
    for day, label in WEEKDAYS:
        mine = [r for r in rows if r.weekday == day] or [_blank(day, member)]
        days.append(
            {
                "day": day,
                "label": label,
                "rows": [(len(ordered) + i, r) for i, r in enumerate(mine)],
            }
        )
        ordered.extend(mine)
    return ordered, days


def _blank(day: int, member) -> HoursRow:
    return HoursRow(weekday=day, branch=str(member.branch_id or ""))


def _branches(clinic, rows: list[HoursRow]):
    used = {r.branch for r in rows if r.branch}
    return list(Branch.objects.filter(Q(is_active=True) | Q(pk__in=used), clinic=clinic))


def _rooms(clinic):
    return list(
        Room.objects.filter(clinic=clinic, is_active=True)
        .select_related("branch")
        .order_by("branch__name", "name")
    )


@clinic_view(Perm.SCHEDULE_MANAGE, methods=("GET", "POST"))
def working_hours(request, practitioner_id):
    clinic = request.clinic
    member = practitioner_get_for_clinic(clinic=clinic, practitioner_id=practitioner_id)
    status, errors, editing, focus = 200, [], False, None
    if request.method == "GET":
        rows = rows_saved(clinic, member)
    else:
        try:
            rows = rows_posted(request.POST)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(
                "desk:working-hours", clinic_slug=clinic.slug, practitioner_id=member.pk
            )
        rows, _days = _by_day(rows, member)
        editing = True
        if request.POST.get("add", "").isdigit() and int(request.POST["add"]) < len(WEEKDAYS):
            day = int(request.POST["add"])
            new = _blank(day, member)
            last = max((i for i, r in enumerate(rows) if r.weekday == day), default=len(rows) - 1)
            rows.insert(last + 1, new)
            focus = new
        elif request.POST.get("remove", "").isdigit():
            index = int(request.POST["remove"])
            if index < len(rows):
                rows.pop(index)
        else:
            branch_ids = {str(b.pk) for b in _branches(clinic, rows)}
            room_branches = {str(r.pk): str(r.branch_id) for r in _rooms(clinic)}
            if rows_check(rows, branch_ids, room_branches):
                try:
                    scheduling.working_hours_replace(
                        clinic=clinic,
                        actor=request.user,
                        practitioner=member,
                        ranges=[r.as_range() for r in rows if not r.is_blank],
                    )
                    messages.success(request, _("Working hours saved."))
                    return redirect(
                        "desk:working-hours", clinic_slug=clinic.slug, practitioner_id=member.pk
                    )
                except DomainError as exc:
                    errors.append(exc.message)
            labels = dict(WEEKDAYS)
            errors += [f"{labels[r.weekday]} {r.start}–{r.end}: {r.error}" for r in rows if r.error]
            status = 422
    rows, days = _by_day(rows, member)
    return render(
        request,
        "desk/working_hours.html",
        {
            "nav": "staff",
            "member": member,
            "days": days,
            "modes": Mode.choices,
            "branches": _branches(clinic, rows),
            "rooms": _rooms(clinic),
            "errors": errors,
            "editing": editing,
            "focus": next((i for i, r in enumerate(rows) if r is focus), None),
        },
        status=status,
    )
