"""Date ranges and periods of reports, always in the clinic's time zone."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from clinicore.core.errors import InvalidInput

GROUPS = ("day", "week", "month")
MAX_DAYS = 3 * 366
_TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


@dataclass(frozen=True)
class Range:
    start: dt.date  # first day, inclusive
    end: dt.date  # last day, inclusive
    tz: ZoneInfo

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=self.tz)

    @property
    def end_at(self) -> dt.datetime:
        """Exclusive: midnight after the last day, in the clinic's zone."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def lookup(self, field: str) -> dict:
        return {f"{field}__gte": self.start_at, f"{field}__lt": self.end_at}

    def as_params(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def clinic_today(clinic) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(clinic.time_zone)).date()


def range_for(
    clinic, start: dt.date | str | None = None, end: dt.date | str | None = None
) -> Range:
    """The range asked for, defaulting to the last 30 days up to today in the clinic's zone."""
    tz = ZoneInfo(clinic.time_zone)
    try:
        end_d = _as_date(end) or clinic_today(clinic)
        start_d = _as_date(start) or end_d - dt.timedelta(days=29)
    except ValueError:
        raise InvalidInput(
            _("Dates must look like 2026-03-31."), fields={"start": "YYYY-MM-DD"}
        ) from None
    if start_d > end_d:
        raise InvalidInput(
            _("The start date is after the end date."), fields={"start": _("After end.")}
        )
    if (end_d - start_d).days + 1 > MAX_DAYS:
        raise InvalidInput(
            _("A report covers at most three years."), fields={"start": _("Too early.")}
        )
    return Range(start=start_d, end=end_d, tz=tz)


def _as_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def check_group(group: str) -> str:
    if group not in GROUPS:
        raise InvalidInput(
            _("Group by day, week or month."), fields={"group": "day, week or month"}
        )
    return group


def trunc(group: str, field: str, tz: ZoneInfo):
    return _TRUNC[check_group(group)](field, tzinfo=tz)


def period_start(day: dt.date, group: str) -> dt.date:
    if group == "week":
        return day - dt.timedelta(days=day.weekday())
    if group == "month":
        return day.replace(day=1)
    return day


def periods(rng: Range, group: str) -> list[dt.date]:
    """Every period touching the range (so empty periods show as zero, not as gaps)."""
    out, day = [], period_start(rng.start, group)
    while day <= rng.end:
        out.append(day)
        if group == "day":
            day += dt.timedelta(days=1)
        elif group == "week":
            day += dt.timedelta(days=7)
        else:
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def period_key(value, tz: ZoneInfo) -> dt.date:
    """A truncated value from the database as a date in the clinic's zone (backends differ)."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(tz)
        return value.date()
    return value


def period_label(day: dt.date, group: str) -> str:
    if group == "month":
        return day.strftime("%Y-%m")
    if group == "week":
        # Translators: a week in a report's table, named by its Monday (2026-03-02).
        return _("%(date)s wk") % {"date": day.isoformat()}
    return day.isoformat()


def short_label(day: dt.date, group: str) -> str:
    """Axis labels: short enough not to overlap on a phone, with the month's name in the
    reader's language."""
    if group == "month":
        # Translators: a date format (Django's "date" filter letters, not words) for a month on
        # a chart's axis: "M y" is "Mar 26"; "Y年n月" is "2026年3月". Keep it short.
        return dateformat.format(day, _("M y"))
    # Translators: a date format (Django's "date" filter letters, not words) for a day on a
    # chart's axis: "d M" is "02 Mar"; "n月j日" is "3月2日". Keep it short.
    return dateformat.format(day, _("d M"))
