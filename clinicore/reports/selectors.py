"""The clinic reports, each computed by SQL aggregation (annotate/aggregate) — never row by row.

Each function takes the clinic and a Range (clinic time zone) and returns a Report: summary,
tables, charts, and the `data` the API returns. Periods are truncated in the clinic's zone.
"""

from decimal import Decimal

from django.apps import apps
from django.db.models import Avg, Count, DecimalField, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce

from clinicore.core.money import quantize
from clinicore.reports import periods as P
from clinicore.reports.base import Chart, Report, Table

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)

# Appointment fields used here (scheduling owns the model; only these names tie us to it).
A_START = "start"
A_STATUS = "status"
A_PRACTITIONER = "practitioner"
A_SERVICE = "service"
A_CHANNEL = "source_channel"
A_CHECKED_IN = "checked_in_at"
A_STARTED = "started_at"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
COMPLETED = "completed"
ATTENDED = ("checked_in", "in_progress", "completed")
# Holds and superseded rows are not appointments a patient had (a reschedule's new row counts).
NOT_APPOINTMENTS = ("held", "released", "expired", "rescheduled")


def _appointment_model():
    return apps.get_model("scheduling", "Appointment")


def _rows(**condition):
    """Counts appointments by their status column (never null), not by id: with the covering
    (clinic, start) index PostgreSQL answers from the index alone, without visiting the table."""
    return Count(A_STATUS, filter=Q(**condition) if condition else None)


def _appointments(clinic, rng):
    return (
        _appointment_model()
        .objects.filter(clinic=clinic, **rng.lookup(A_START))
        .exclude(**{f"{A_STATUS}__in": NOT_APPOINTMENTS})
    )


def _choices_label(model, field: str):
    choices = dict(model._meta.get_field(field).flatchoices)
    return lambda key: str(choices.get(key) or (key or "—").replace("_", " ").capitalize())


def _rate(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _series(rng, group, rows, value_key: str, default=0) -> list[tuple]:
    """Fills every period of the range from grouped rows (period, value); empty periods are 0."""
    found = {P.period_key(row["bucket"], rng.tz): row[value_key] for row in rows}
    return [(day, found.get(day, default)) for day in P.periods(rng, group)]


def _base(kind, title, clinic, rng) -> Report:
    return Report(
        kind=kind,
        title=title,
        clinic_name=clinic.name,
        start=rng.start.isoformat(),
        end=rng.end.isoformat(),
        time_zone=clinic.time_zone,
    )


def _practitioner_names(clinic, ids) -> dict:
    Membership = apps.get_model("clinics", "Membership")
    rows = Membership.objects.filter(clinic=clinic, pk__in=[i for i in ids if i]).select_related(
        "user"
    )
    return {m.pk: m.display_name for m in rows}


# --- Appointments ------------------------------------------------------------------------------


def appointments_report(*, clinic, rng: P.Range, group: str = "day") -> Report:
    Appointment = _appointment_model()
    qs = _appointments(clinic, rng)
    status_label = _choices_label(Appointment, A_STATUS)
    channel_label = _choices_label(Appointment, A_CHANNEL)
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
        {"key": r[A_CHANNEL], "label": channel_label(r[A_CHANNEL]), "count": r["n"]}
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

    report = _base("appointments", "Appointments", clinic, rng)
    report.summary = [
        ("Appointments", totals["total"]),
        ("Completed", totals["completed"]),
        ("Cancelled", totals["cancelled"]),
        ("No-shows", totals["no_shows"]),
        ("No-show rate (%)", no_show_rate),
    ]
    report.charts = [
        Chart(f"Appointments per {group}", [(P.short_label(d, group), n) for d, n in series]),
        Chart("By status", [(r["label"], r["count"]) for r in by_status], kind="hbar"),
        Chart("By practitioner", [(r["label"], r["count"]) for r in by_practitioner], kind="hbar"),
    ]
    report.tables = [
        Table(
            f"Per {group}",
            ["Period", "Appointments", "No-shows"],
            [[P.period_label(d, group), n, no_show_series.get(d, 0)] for d, n in series],
        ),
        Table(
            "By status", ["Status", "Appointments"], [[r["label"], r["count"]] for r in by_status]
        ),
        Table(
            "By service",
            ["Service", "Appointments"],
            [[r["label"], r["count"]] for r in by_service],
        ),
        Table(
            "By practitioner",
            ["Practitioner", "Appointments", "No-shows"],
            [[r["label"], r["count"], r["no_shows"]] for r in by_practitioner],
        ),
        Table(
            "By channel",
            ["Channel", "Appointments"],
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


# --- Revenue -----------------------------------------------------------------------------------


def _payments(clinic, rng):
    Payment = apps.get_model("billing", "Payment")
    return Payment.objects.filter(
        clinic=clinic, status__in=Payment.SETTLED_STATUSES, **rng.lookup("paid_at")
    )


def _per_invoice_practitioner(payments, clinic):
    """Payments grouped by their invoice's practitioner. Naming the invoice's clinic too (always
    the payment's) lets PostgreSQL read only that clinic's invoices for the join."""
    return payments.filter(invoice__clinic=clinic).values(pid=F("invoice__practitioner"))


def _refunds(clinic, rng):
    Refund = apps.get_model("billing", "Refund")
    return Refund.objects.filter(
        clinic=clinic, status=Refund.Status.SUCCEEDED, **rng.lookup("processed_at")
    )


def _money_sum(field, **extra):
    return Coalesce(Sum(field, **extra), ZERO, output_field=MONEY)


def _money(rows, currency, *keys):
    """Quantizes sums to the currency's minor unit (SQLite answers 1500 where PostgreSQL says 1500.00)."""
    for row in rows:
        for key in keys:
            row[key] = quantize(row[key], currency)
    return rows


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
            "label": names.get(r["pid"], "Unassigned"),
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

    report = _base("revenue", "Revenue", clinic, rng)
    report.summary = [
        (f"Received ({cur})", received["v"]),
        ("Payments", received["n"]),
        (f"Refunded ({cur})", refunded["v"]),
        (f"Net ({cur})", net),
    ]
    report.charts = [
        Chart(
            f"Net revenue per {group} ({cur})",
            [(P.short_label(d, group), v - r) for d, v, r in series],
        ),
        Chart(f"By method ({cur})", [(r["label"], r["amount"]) for r in by_method], kind="hbar"),
        Chart(
            f"By practitioner ({cur})",
            [(r["label"], r["amount"]) for r in by_practitioner],
            kind="hbar",
        ),
    ]
    report.tables = [
        Table(
            f"Per {group}",
            ["Period", f"Received ({cur})", f"Refunded ({cur})", f"Net ({cur})"],
            [[P.period_label(d, group), v, r, v - r] for d, v, r in series],
        ),
        Table(
            "By method",
            ["Method", "Payments", f"Amount ({cur})"],
            [[r["label"], r["count"], r["amount"]] for r in by_method],
        ),
        Table(
            "By practitioner",
            ["Practitioner", "Payments", f"Amount ({cur})"],
            [[r["label"], r["count"], r["amount"]] for r in by_practitioner],
        ),
        Table(
            "Billed by service",
            ["Service", "Lines", f"Billed ({cur})"],
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


# --- Patient growth ----------------------------------------------------------------------------


def patient_growth_report(*, clinic, rng: P.Range, group: str = "week") -> Report:
    """New: records created in a period. Returning: patients with an attended appointment in a
    period whose record existed before that period began."""
    Patient = apps.get_model("patients", "Patient")
    new_rows = (
        Patient.objects.filter(clinic=clinic, merged_into__isnull=True, **rng.lookup("created_at"))
        .annotate(bucket=P.trunc(group, "created_at", rng.tz))
        .values("bucket")
        .annotate(n=Count("created_at"))
        .order_by("bucket")
    )
    visits = (
        _appointments(clinic, rng)
        .filter(**{f"{A_STATUS}__in": ATTENDED})
        .annotate(bucket=P.trunc(group, A_START, rng.tz))
    )
    ret_rows = (
        # Registered in an earlier period: both truncated in the clinic's zone, so the
        # comparison is between local period starts on every database.
        visits.alias(registered=P.trunc(group, "patient__created_at", rng.tz))
        .filter(patient__clinic=clinic, registered__lt=F("bucket"))
        .values("bucket")
        .annotate(n=Count("patient", distinct=True))
        .order_by("bucket")
    )
    new_series = _series(rng, group, new_rows, "n")
    ret_series = dict(_series(rng, group, ret_rows, "n"))
    total_new = sum(n for _, n in new_series)
    returning_total = (
        _appointments(clinic, rng)
        .filter(
            **{f"{A_STATUS}__in": ATTENDED},
            patient__clinic=clinic,
            patient__created_at__lt=rng.start_at,
        )
        .aggregate(n=Count("patient", distinct=True))["n"]
    )
    active = Patient.objects.filter(
        clinic=clinic, is_active=True, created_at__lt=rng.end_at
    ).count()

    report = _base("patient-growth", "Patient growth", clinic, rng)
    report.summary = [
        ("New patients", total_new),
        ("Returning patients", returning_total),
        ("Active patients at end", active),
    ]
    report.charts = [
        Chart(f"New patients per {group}", [(P.short_label(d, group), n) for d, n in new_series]),
        Chart(
            f"Returning patients per {group}",
            [(P.short_label(d, group), ret_series.get(d, 0)) for d, _ in new_series],
        ),
    ]
    report.tables = [
        Table(
            f"Per {group}",
            ["Period", "New", "Returning"],
            [[P.period_label(d, group), n, ret_series.get(d, 0)] for d, n in new_series],
        ),
    ]
    report.data = {
        **rng.as_params(),
        "group": group,
        "time_zone": clinic.time_zone,
        "new_patients": total_new,
        "returning_patients": returning_total,
        "active_patients": active,
        "series": [
            {"period": d.isoformat(), "new": n, "returning": ret_series.get(d, 0)}
            for d, n in new_series
        ],
    }
    return report


# --- Staff performance -------------------------------------------------------------------------


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
    report = _base("staff-performance", "Staff performance", clinic, rng)
    cur = clinic.currency
    report.summary = [("Practitioners", len(staff))]
    report.charts = [
        Chart(
            "Appointments per practitioner",
            [(s["name"], s["appointments"]) for s in staff],
            kind="hbar",
        ),
        Chart(
            f"Revenue per practitioner ({cur})",
            [(s["name"], s["revenue"]) for s in staff],
            kind="hbar",
        ),
    ]
    report.tables = [
        Table(
            "Practitioners",
            [
                "Practitioner",
                "Appointments",
                "Completed",
                "No-shows",
                f"Revenue ({cur})",
                "Avg. wait (min)",
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


# --- Treatments --------------------------------------------------------------------------------


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

    report = _base("treatments", "Treatments", clinic, rng)
    report.summary = [
        ("Treatments", totals["n"]),
        ("Visits with treatments", totals["visits"]),
        ("Unsigned visits", totals["unsigned"]),
        (f"Value ({cur})", totals["v"]),
    ]
    report.charts = [
        Chart(f"Treatments per {group}", [(P.short_label(d, group), n) for d, n in series]),
        Chart("By treatment", [(r["label"], r["count"]) for r in by_treatment], kind="hbar"),
        Chart(
            f"Value by practitioner ({cur})",
            [(r["label"], r["amount"]) for r in by_practitioner],
            kind="hbar",
        ),
    ]
    report.tables = [
        Table(
            f"Per {group}",
            ["Period", "Treatments", f"Value ({cur})"],
            [[P.period_label(d, group), n, value_series.get(d)] for d, n in series],
        ),
        Table(
            "By treatment",
            ["Treatment", "Code", "Treatments", "Visits", f"Value ({cur})"],
            [[r["label"], r["code"], r["count"], r["visits"], r["amount"]] for r in by_treatment],
        ),
        Table(
            "By practitioner",
            ["Practitioner", "Treatments", "Visits", f"Value ({cur})"],
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


REPORTS = {
    "appointments": appointments_report,
    "revenue": revenue_report,
    "patient-growth": patient_growth_report,
    "staff-performance": staff_performance_report,
    "treatments": treatments_report,
}
TITLES = {
    "appointments": "Appointments",
    "revenue": "Revenue",
    "patient-growth": "Patient growth",
    "staff-performance": "Staff performance",
    "treatments": "Treatments",
}


def report_build(*, clinic, kind: str, start=None, end=None, group: str | None = None) -> Report:
    from clinicore.core.errors import InvalidInput

    if kind not in REPORTS:
        raise InvalidInput("Unknown report.", fields={"report": ", ".join(REPORTS)})
    rng = P.range_for(clinic, start, end)
    if kind == "staff-performance":
        return staff_performance_report(clinic=clinic, rng=rng)
    return REPORTS[kind](
        clinic=clinic,
        rng=rng,
        group=P.check_group(group or ("week" if kind == "patient-growth" else "day")),
    )


# --- Platform usage (the operators' console; the one place figures span clinics) ---------------


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
