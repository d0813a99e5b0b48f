"""The treatments report: treatments performed and their value, by treatment, practitioner and
period."""

from django.apps import apps
from django.db.models import Count, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from clinicore.core.money import quantize
from clinicore.reports import periods as P
from clinicore.reports.base import Chart, Report, Table
from clinicore.reports.selectors._shared import (
    MONEY,
    ZERO,
    _base,
    _money,
    _money_sum,
    _per_period,
    _practitioner_names,
    _series,
)


def _treatment_items(clinic, rng):
    """Treatments recorded on visit summaries performed in the range (drafts included)."""
    Item = apps.get_model("records", "TreatmentRecordItem")
    # The record's clinic is the item's; naming it keeps PostgreSQL to this clinic's records.
    return Item.objects.filter(
        clinic=clinic, record__clinic=clinic, **rng.lookup("record__performed_at")
    )


def treatments_report(*, clinic, rng: P.Range, group: str = "day") -> Report:
    """Treatments performed (quantities), visits with treatments, and their value at the price
    recorded on the visit, by treatment, by practitioner and per period."""
    cur = clinic.currency
    items = _treatment_items(clinic, rng)
    # Value: quantity × the price copied from the catalog, in the clinic's currency only.
    value = _money_sum(
        ExpressionWrapper(F("quantity") * F("price"), output_field=MONEY),
        filter=Q(currency=cur),
    )
    count = Coalesce(Sum("quantity"), 0)
    visits = Count("record", distinct=True)
    totals = _money(
        [
            items.aggregate(
                n=count,
                visits=visits,
                unsigned=Count("record", distinct=True, filter=Q(record__signed_at__isnull=True)),
                v=value,
            )
        ],
        cur,
        "v",
    )[0]
    by_treatment = [
        {
            "key": r["code"] or r["name"],
            "code": r["code"],
            "label": r["name"],
            "count": r["n"],
            "visits": r["visits"],
            "amount": r["v"],
        }
        for r in _money(
            items.values("code", "name")
            .annotate(n=count, visits=visits, v=value)
            .order_by("-n", "name", "code"),
            cur,
            "v",
        )
    ]
    prac_rows = _money(
        list(
            items.values(pid=F("record__practitioner"))
            .annotate(n=count, visits=visits, v=value)
            .order_by("-n")
        ),
        cur,
        "v",
    )
    names = _practitioner_names(clinic, [r["pid"] for r in prac_rows])
    by_practitioner = [
        {
            "key": str(r["pid"]),
            "label": names.get(r["pid"], "—"),
            "count": r["n"],
            "visits": r["visits"],
            "amount": r["v"],
        }
        for r in sorted(prac_rows, key=lambda r: (-r["n"], names.get(r["pid"], "")))
    ]
    per_period = _money(
        list(
            items.annotate(bucket=P.trunc(group, "record__performed_at", rng.tz))
            .values("bucket")
            .annotate(n=count, v=value)
            .order_by("bucket")
        ),
        cur,
        "v",
    )
    series = _series(rng, group, per_period, "n")
    value_series = dict(_series(rng, group, per_period, "v", quantize(ZERO, cur)))

    money = {"currency": cur}
    value_label = _("Value (%(currency)s)") % money
    report = _base("treatments", _("Treatments"), clinic, rng)
    report.summary = [
        (_("Treatments"), totals["n"]),
        (_("Visits with treatments"), totals["visits"]),
        (_("Unsigned visits"), totals["unsigned"]),
        (value_label, totals["v"]),
    ]
    report.charts = [
        Chart(
            _per_period(
                group,
                day=_("Treatments per day"),
                week=_("Treatments per week"),
                month=_("Treatments per month"),
            ),
            [(P.short_label(d, group), n) for d, n in series],
        ),
        Chart(_("By treatment"), [(r["label"], r["count"]) for r in by_treatment], kind="hbar"),
        Chart(
            _("Value by practitioner (%(currency)s)") % money,
            [(r["label"], r["amount"]) for r in by_practitioner],
            kind="hbar",
        ),
    ]
    report.tables = [
        Table(
            _per_period(group, day=_("Per day"), week=_("Per week"), month=_("Per month")),
            [_("Period"), _("Treatments"), value_label],
            [[P.period_label(d, group), n, value_series.get(d)] for d, n in series],
        ),
        Table(
            _("By treatment"),
            [_("Treatment"), _("Code"), _("Treatments"), _("Visits"), value_label],
            [[r["label"], r["code"], r["count"], r["visits"], r["amount"]] for r in by_treatment],
        ),
        Table(
            _("By practitioner"),
            [_("Practitioner"), _("Treatments"), _("Visits"), value_label],
            [[r["label"], r["count"], r["visits"], r["amount"]] for r in by_practitioner],
        ),
    ]
    report.data = {
        **rng.as_params(),
        "group": group,
        "time_zone": clinic.time_zone,
        "currency": cur,
        "treatments": totals["n"],
        "visits": totals["visits"],
        "unsigned_visits": totals["unsigned"],
        "value": totals["v"],
        "by_treatment": by_treatment,
        "by_practitioner": by_practitioner,
        "series": [
            {"period": d.isoformat(), "count": n, "value": value_series.get(d)} for d, n in series
        ],
    }
    return report
