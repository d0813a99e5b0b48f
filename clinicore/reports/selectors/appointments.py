"""The appointments report: totals, no-show rate, and counts by status, service, practitioner,
channel and period."""

from django.utils.translation import gettext as _

from clinicore.reports import periods as P
from clinicore.reports.base import Chart, Report, Table
from clinicore.reports.selectors._shared import (
    A_CHANNEL,
    A_PRACTITIONER,
    A_SERVICE,
    A_START,
    A_STATUS,
    CANCELLED,
    COMPLETED,
    NO_SHOW,
    _appointment_model,
    _appointments,
    _base,
    _choices_label,
    _per_period,
    _practitioner_names,
    _rate,
    _rows,
    _series,
)


def _channel_label(key: str) -> str:
    """The channels the product books through, by name; any other (an API client's own word)
    as it was stored."""
    names = {
        "portal": _("Portal"),
        "desk": _("Desk"),
        "phone": _("Phone"),
        # Translators: appointments booked by a patient who walked in without one.
        "walk_in": _("Walk in"),
        # Translators: appointments booked through the API by another program.
        "api": _("Api"),
        # Translators: appointments booked by paying online first.
        "payment": _("Payment"),
    }
    return names.get(key) or (key or "—").replace("_", " ").capitalize()


def appointments_report(*, clinic, rng: P.Range, group: str = "day") -> Report:
    Appointment = _appointment_model()
    qs = _appointments(clinic, rng)
    status_label = _choices_label(Appointment, A_STATUS)
    by_status = [
        {"key": r[A_STATUS], "label": status_label(r[A_STATUS]), "count": r["n"]}
        for r in qs.values(A_STATUS).annotate(n=_rows()).order_by("-n", A_STATUS)
    ]
    # The totals are sums of the per-status counts (a dozen rows at most), not another scan.
    per_status = {r["key"]: r["count"] for r in by_status}
    totals = {
        "total": sum(per_status.values()),
        "cancelled": per_status.get(CANCELLED, 0),
        "no_shows": per_status.get(NO_SHOW, 0),
        "completed": per_status.get(COMPLETED, 0),
    }
    # The no-show rate counts only appointments that were meant to happen (not cancelled ones).
    expected = totals["total"] - totals["cancelled"]
    no_show_rate = _rate(totals["no_shows"], expected)

    service_rows = list(qs.values(A_SERVICE).annotate(n=_rows()))
    service_names = dict(
        Appointment._meta.get_field(A_SERVICE)
        .related_model.objects.filter(clinic=clinic, pk__in=[r[A_SERVICE] for r in service_rows])
        .values_list("pk", "name")
    )
    by_service = sorted(
        (
            {
                "key": str(r[A_SERVICE] or ""),
                "label": service_names.get(r[A_SERVICE]) or "—",
                "count": r["n"],
            }
            for r in service_rows
        ),
        key=lambda b: (-b["count"], b["label"]),
    )
    prac_rows = list(
        qs.values(A_PRACTITIONER)
        .annotate(n=_rows(), no_shows=_rows(**{A_STATUS: NO_SHOW}))
        .order_by("-n")
    )
    names = _practitioner_names(clinic, [r[A_PRACTITIONER] for r in prac_rows])
    by_practitioner = [
        {
            "key": str(r[A_PRACTITIONER] or ""),
            "label": names.get(r[A_PRACTITIONER], "—"),
            "count": r["n"],
            "no_shows": r["no_shows"],
        }
        for r in prac_rows
    ]
    by_channel = [
        {"key": r[A_CHANNEL], "label": _channel_label(r[A_CHANNEL]), "count": r["n"]}
        for r in qs.values(A_CHANNEL).annotate(n=_rows()).order_by("-n", A_CHANNEL)
    ]
    per_period = (
        qs.annotate(bucket=P.trunc(group, A_START, rng.tz))
        .values("bucket")
        .annotate(n=_rows(), no_shows=_rows(**{A_STATUS: NO_SHOW}))
        .order_by("bucket")
    )
    per_period = list(per_period)
    series = _series(rng, group, per_period, "n")
    no_show_series = dict(_series(rng, group, per_period, "no_shows"))

    report = _base("appointments", _("Appointments"), clinic, rng)
    report.summary = [
        (_("Appointments"), totals["total"]),
        (_("Completed"), totals["completed"]),
        (_("Cancelled"), totals["cancelled"]),
        (_("No-shows"), totals["no_shows"]),
        (_("No-show rate (%)"), no_show_rate),
    ]
    report.charts = [
        Chart(
            _per_period(
                group,
                day=_("Appointments per day"),
                week=_("Appointments per week"),
                month=_("Appointments per month"),
            ),
            [(P.short_label(d, group), n) for d, n in series],
        ),
        Chart(_("By status"), [(r["label"], r["count"]) for r in by_status], kind="hbar"),
        Chart(
            _("By practitioner"), [(r["label"], r["count"]) for r in by_practitioner], kind="hbar"
        ),
    ]
    report.tables = [
        Table(
            _per_period(group, day=_("Per day"), week=_("Per week"), month=_("Per month")),
            [_("Period"), _("Appointments"), _("No-shows")],
            [[P.period_label(d, group), n, no_show_series.get(d, 0)] for d, n in series],
        ),
        Table(
            _("By status"),
            [_("Status"), _("Appointments")],
            [[r["label"], r["count"]] for r in by_status],
        ),
        Table(
            _("By service"),
            [_("Service"), _("Appointments")],
            [[r["label"], r["count"]] for r in by_service],
        ),
        Table(
            _("By practitioner"),
            [_("Practitioner"), _("Appointments"), _("No-shows")],
            [[r["label"], r["count"], r["no_shows"]] for r in by_practitioner],
        ),
        Table(
            _("By channel"),
            [_("Channel"), _("Appointments")],
            [[r["label"], r["count"]] for r in by_channel],
        ),
    ]
    report.data = {
        **rng.as_params(),
        "group": group,
        "time_zone": clinic.time_zone,
        "total": totals["total"],
        "completed": totals["completed"],
        "cancelled": totals["cancelled"],
        "no_shows": totals["no_shows"],
        "no_show_rate": no_show_rate,
        "by_status": by_status,
        "by_service": by_service,
        "by_practitioner": by_practitioner,
        "by_channel": by_channel,
        "series": [
            {"period": d.isoformat(), "count": n, "no_shows": no_show_series.get(d, 0)}
            for d, n in series
        ],
    }
    return report
