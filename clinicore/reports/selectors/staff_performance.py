"""The staff performance report: per practitioner appointments, no-shows, money received and
waiting time."""

from decimal import Decimal

from django.db.models import Avg, DurationField, ExpressionWrapper, F, Q
from django.utils.translation import gettext as _

from clinicore.core.money import quantize
from clinicore.reports import periods as P
from clinicore.reports.base import Chart, Report, Table
from clinicore.reports.selectors._shared import (
    A_CHECKED_IN,
    A_PRACTITIONER,
    A_STARTED,
    A_STATUS,
    COMPLETED,
    NO_SHOW,
    ZERO,
    _appointments,
    _base,
    _money_sum,
    _payments,
    _per_invoice_practitioner,
    _practitioner_names,
    _rows,
)


def staff_performance_report(*, clinic, rng: P.Range) -> Report:
    """Per practitioner: appointments, completed, no-shows, money received on their invoices,
    and the average delay between a patient's check-in and being seen."""
    qs = _appointments(clinic, rng)
    delay = ExpressionWrapper(F(A_STARTED) - F(A_CHECKED_IN), output_field=DurationField())
    rows = list(
        qs.values(A_PRACTITIONER).annotate(
            n=_rows(),
            completed=_rows(**{A_STATUS: COMPLETED}),
            no_shows=_rows(**{A_STATUS: NO_SHOW}),
            avg_delay=Avg(
                delay, filter=Q(**{f"{A_STARTED}__isnull": False, f"{A_CHECKED_IN}__isnull": False})
            ),
        )
    )
    revenue = {
        r["pid"]: quantize(r["v"], clinic.currency)
        for r in _per_invoice_practitioner(_payments(clinic, rng), clinic).annotate(
            v=_money_sum("amount")
        )
    }
    names = _practitioner_names(clinic, [r[A_PRACTITIONER] for r in rows] + list(revenue))
    people = {r[A_PRACTITIONER] for r in rows if r[A_PRACTITIONER]} | {k for k in revenue if k}
    by_id = {r[A_PRACTITIONER]: r for r in rows}
    staff = []
    for pid in sorted(people, key=lambda p: names.get(p, "")):
        r = by_id.get(pid, {})
        avg = r.get("avg_delay")
        minutes = (
            (Decimal(avg.days * 86400 + avg.seconds) / 60).quantize(Decimal("0.1"))
            if avg is not None
            else None
        )
        staff.append(
            {
                "membership_id": str(pid),
                "name": names.get(pid, "—"),
                "appointments": r.get("n", 0),
                "completed": r.get("completed", 0),
                "no_shows": r.get("no_shows", 0),
                "revenue": revenue.get(pid, quantize(ZERO, clinic.currency)),
                "average_delay_minutes": minutes,
            }
        )
    report = _base("staff-performance", _("Staff performance"), clinic, rng)
    cur = clinic.currency
    money = {"currency": cur}
    report.summary = [(_("Practitioners"), len(staff))]
    report.charts = [
        Chart(
            _("Appointments per practitioner"),
            [(s["name"], s["appointments"]) for s in staff],
            kind="hbar",
        ),
        Chart(
            _("Revenue per practitioner (%(currency)s)") % money,
            [(s["name"], s["revenue"]) for s in staff],
            kind="hbar",
        ),
    ]
    report.tables = [
        Table(
            _("Practitioners"),
            [
                _("Practitioner"),
                _("Appointments"),
                _("Completed"),
                _("No-shows"),
                _("Revenue (%(currency)s)") % money,
                _("Avg. wait (min)"),
            ],
            [
                [
                    s["name"],
                    s["appointments"],
                    s["completed"],
                    s["no_shows"],
                    s["revenue"],
                    "" if s["average_delay_minutes"] is None else s["average_delay_minutes"],
                ]
                for s in staff
            ],
        ),
    ]
    report.data = {
        **rng.as_params(),
        "time_zone": clinic.time_zone,
        "currency": cur,
        "staff": staff,
    }
    return report
