"""Platform usage for the operators' console: the one place figures span clinics."""

from clinicore.reports.selectors._shared import (
    A_STATUS,
    NOT_APPOINTMENTS,
    _appointment_model,
    _rows,
)


def platform_usage(*, clinic_ids, now=None) -> dict:
    """Appointments starting this calendar month (UTC) per clinic, by one grouped query."""
    import datetime as dt

    from django.utils import timezone

    now = now or timezone.now()
    month_start = now.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    rows = (
        _appointment_model()
        .objects.filter(
            clinic_id__in=list(clinic_ids), start__gte=month_start, start__lt=next_month
        )
        .exclude(**{f"{A_STATUS}__in": NOT_APPOINTMENTS})
        .values("clinic_id")
        .annotate(n=_rows())
    )
    return {row["clinic_id"]: row["n"] for row in rows}
