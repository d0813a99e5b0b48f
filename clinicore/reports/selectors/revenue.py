"""The revenue report: money received less refunds paid out, by method, practitioner and period,
and what was billed per service."""

from django.apps import apps
from django.db.models import Count
from django.utils.translation import gettext as _

from clinicore.core.money import quantize
from clinicore.reports import periods as P
from clinicore.reports.base import Chart, Report, Table
from clinicore.reports.selectors._shared import (
    ZERO,
    _base,
    _choices_label,
    _money,
    _money_sum,
    _payments,
    _per_invoice_practitioner,
    _per_period,
    _practitioner_names,
    _series,
)


def _refunds(clinic, rng):
    Refund = apps.get_model("billing", "Refund")
    return Refund.objects.filter(
        clinic=clinic, status=Refund.Status.SUCCEEDED, **rng.lookup("processed_at")
    )


def revenue_report(*, clinic, rng: P.Range, group: str = "day") -> Report:
    """Money received (settled payments by the day they were paid) less refunds paid out."""
    Payment = apps.get_model("billing", "Payment")
    InvoiceLine = apps.get_model("billing", "InvoiceLine")
    Invoice = apps.get_model("billing", "Invoice")
    payments = _payments(clinic, rng)
    refunds = _refunds(clinic, rng)
    cur = clinic.currency
    received = _money([payments.aggregate(v=_money_sum("amount"), n=Count("amount"))], cur, "v")[0]
    refunded = _money([refunds.aggregate(v=_money_sum("amount"), n=Count("amount"))], cur, "v")[0]
    net = received["v"] - refunded["v"]

    method_label = _choices_label(Payment, "method")
    by_method = [
        {"key": r["method"], "label": method_label(r["method"]), "amount": r["v"], "count": r["n"]}
        for r in _money(
            payments.values("method")
            .annotate(v=_money_sum("amount"), n=Count("amount"))
            .order_by("-v", "method"),
            cur,
            "v",
        )
    ]
    prac_rows = _money(
        list(
            _per_invoice_practitioner(payments, clinic)
            .annotate(v=_money_sum("amount"), n=Count("amount"))
            .order_by("-v")
        ),
        cur,
        "v",
    )
    names = _practitioner_names(clinic, [r["pid"] for r in prac_rows])
    by_practitioner = [
        {
            "key": str(r["pid"] or ""),
            "label": names.get(r["pid"], _("Unassigned")),
            "amount": r["v"],
            "count": r["n"],
        }
        for r in prac_rows
    ]
    # What was billed per service: lines of invoices issued in the range (void ones left out).
    lines = InvoiceLine.objects.filter(
        clinic=clinic, invoice__clinic=clinic, **rng.lookup("invoice__issued_at")
    ).exclude(invoice__status=Invoice.Status.VOID)
    by_service = [
        {"key": r["description"], "label": r["description"], "amount": r["v"], "count": r["n"]}
        for r in _money(
            lines.values("description")
            .annotate(v=_money_sum("total"), n=Count("total"))
            .order_by("-v", "description")[:50],
            cur,
            "v",
        )
    ]
    pay_rows = (
        payments.annotate(bucket=P.trunc(group, "paid_at", rng.tz))
        .values("bucket")
        .annotate(v=_money_sum("amount"))
        .order_by("bucket")
    )
    ref_rows = (
        refunds.annotate(bucket=P.trunc(group, "processed_at", rng.tz))
        .values("bucket")
        .annotate(v=_money_sum("amount"))
        .order_by("bucket")
    )
    pay_series = _series(rng, group, _money(pay_rows, cur, "v"), "v", quantize(ZERO, cur))
    ref_series = dict(_series(rng, group, _money(ref_rows, cur, "v"), "v", quantize(ZERO, cur)))
    series = [(d, v, ref_series.get(d, ZERO)) for d, v in pay_series]

    money = {"currency": cur}
    received_label = _("Received (%(currency)s)") % money
    refunded_label = _("Refunded (%(currency)s)") % money
    net_label = _("Net (%(currency)s)") % money
    amount_label = _("Amount (%(currency)s)") % money
    report = _base("revenue", _("Revenue"), clinic, rng)
    report.summary = [
        (received_label, received["v"]),
        (_("Payments"), received["n"]),
        (refunded_label, refunded["v"]),
        (net_label, net),
    ]
    report.charts = [
        Chart(
            _per_period(
                group,
                day=_("Net revenue per day (%(currency)s)"),
                week=_("Net revenue per week (%(currency)s)"),
                month=_("Net revenue per month (%(currency)s)"),
            )
            % money,
            [(P.short_label(d, group), v - r) for d, v, r in series],
        ),
        Chart(
            _("By method (%(currency)s)") % money,
            [(r["label"], r["amount"]) for r in by_method],
            kind="hbar",
        ),
        Chart(
            _("By practitioner (%(currency)s)") % money,
            [(r["label"], r["amount"]) for r in by_practitioner],
            kind="hbar",
        ),
    ]
    report.tables = [
        Table(
            _per_period(group, day=_("Per day"), week=_("Per week"), month=_("Per month")),
            [_("Period"), received_label, refunded_label, net_label],
            [[P.period_label(d, group), v, r, v - r] for d, v, r in series],
        ),
        Table(
            _("By method"),
            [_("Method"), _("Payments"), amount_label],
            [[r["label"], r["count"], r["amount"]] for r in by_method],
        ),
        Table(
            _("By practitioner"),
            [_("Practitioner"), _("Payments"), amount_label],
            [[r["label"], r["count"], r["amount"]] for r in by_practitioner],
        ),
        Table(
            _("Billed by service"),
            [_("Service"), _("Lines"), _("Billed (%(currency)s)") % money],
            [[r["label"], r["count"], r["amount"]] for r in by_service],
        ),
    ]
    report.data = {
        **rng.as_params(),
        "group": group,
        "time_zone": clinic.time_zone,
        "currency": cur,
        "received": received["v"],
        "payments": received["n"],
        "refunded": refunded["v"],
        "net": net,
        "by_method": by_method,
        "by_practitioner": by_practitioner,
        "by_service": by_service,
        "series": [
            {"period": d.isoformat(), "received": v, "refunded": r, "net": v - r}
            for d, v, r in series
        ],
    }
    return report
