"""Reads of invoices and payments shared by pages and the API, and the staff payment reports."""

import datetime
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum

from clinicore.billing.models import (
    BillingSettings,
    GatewayAccount,
    Invoice,
    Payment,
    Provider,
)


def invoice_list(*, clinic, status: str | None = None, patient_id=None):
    qs = Invoice.objects.filter(clinic=clinic).select_related("patient")
    if status:
        qs = qs.filter(status=status)
    if patient_id:
        qs = qs.filter(patient_id=patient_id)
    return qs.order_by("-created_at", "-id")


def invoice_list_for_patient_user(*, user, clinic=None):
    qs = (
        Invoice.objects.filter(patient__user=user)
        .exclude(status=Invoice.Status.DRAFT)
        .select_related("patient", "clinic")
    )
    if clinic is not None:
        qs = qs.filter(clinic=clinic)
    return qs.order_by("-created_at", "-id")


def checkout_choices(*, clinic) -> list[str]:
    """The gateways a patient may pick to pay this clinic online: the clinic's default first, then
    Razorpay's web checkout when the clinic has Razorpay keys set up."""
    default = (
        BillingSettings.objects.filter(clinic=clinic)
        .values_list("default_provider", flat=True)
        .first()
    ) or Provider.SANDBOX
    choices = [default]
    razorpay = GatewayAccount.objects.filter(
        clinic=clinic, provider=Provider.RAZORPAY, is_active=True
    ).first()
    if razorpay and razorpay.public_key and razorpay.secret_key and default != Provider.RAZORPAY:
        choices.append(Provider.RAZORPAY)
    return choices


def payment_list(
    *,
    clinic,
    status: str | None = None,
    method: str | None = None,
    provider: str | None = None,
    invoice_id=None,
):
    qs = Payment.objects.filter(clinic=clinic).select_related("invoice__patient")
    if status:
        qs = qs.filter(status=status)
    if method:
        qs = qs.filter(method=method)
    if provider:
        qs = qs.filter(provider=provider)
    if invoice_id:
        qs = qs.filter(invoice_id=invoice_id)
    return qs.order_by("-created_at", "-id")


def payment_list_for_patient_user(*, user, clinic=None):
    qs = Payment.objects.filter(invoice__patient__user=user).select_related("invoice__patient")
    if clinic is not None:
        qs = qs.filter(clinic=clinic)
    return qs.order_by("-created_at", "-id")


def upi_awaiting_confirmation(*, clinic):
    """UPI link payments not yet confirmed: staff check their bank and enter the UTR."""
    return (
        Payment.objects.filter(clinic=clinic, provider=Provider.UPI, status=Payment.Status.PENDING)
        .select_related("invoice__patient", "session")
        .order_by("created_at", "id")
    )


def invoices_outstanding(*, clinic, overdue_only: bool = False):
    statuses = [Invoice.Status.OVERDUE] if overdue_only else list(Invoice.OPEN_STATUSES)
    return (
        Invoice.objects.filter(clinic=clinic, status__in=statuses)
        .select_related("patient")
        .order_by("due_date", "created_at", "id")
    )


def payment_report(*, clinic, date_from: datetime.date, date_to: datetime.date) -> dict:
    """Money taken between two dates (inclusive, in the clinic's time zone), by day, method,
    status and practitioner; amounts are net of refunds, per currency, never mixed."""
    tz = ZoneInfo(clinic.time_zone)
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    base = Payment.objects.filter(clinic=clinic, created_at__gte=start, created_at__lt=end)
    settled = base.filter(status__in=Payment.SETTLED_STATUSES)

    def group(qs, key) -> list[dict]:
        rows = (
            qs.values(key, "currency")
            .annotate(count=Count("id"), amount=Sum("amount"), refunded=Sum("amount_refunded"))
            .order_by(key, "currency")
        )
        return [
            {
                "key": str(r[key] or ""),
                "currency": r["currency"],
                "count": r["count"],
                "amount": r["amount"] or Decimal("0"),
                "refunded": r["refunded"] or Decimal("0"),
                "net": (r["amount"] or Decimal("0")) - (r["refunded"] or Decimal("0")),
            }
            for r in rows
        ]

    by_day: dict = defaultdict(
        lambda: {"count": 0, "amount": Decimal("0"), "refunded": Decimal("0")}
    )
    for p in settled.only("paid_at", "created_at", "currency", "amount", "amount_refunded"):
        day = (p.paid_at or p.created_at).astimezone(tz).date().isoformat()
        row = by_day[(day, p.currency)]
        row["count"] += 1
        row["amount"] += p.amount
        row["refunded"] += p.amount_refunded
    days = [
        {"key": day, "currency": cur, **v, "net": v["amount"] - v["refunded"]}
        for (day, cur), v in sorted(by_day.items())
    ]
    practitioners = group(settled, "invoice__practitioner_id")
    from clinicore.clinics.models import Membership

    names = {
        str(m.pk): m.display_name
        for m in Membership.objects.filter(
            clinic=clinic, pk__in=[r["key"] for r in practitioners if r["key"]]
        ).select_related("user")
    }
    for row in practitioners:
        row["label"] = names.get(row["key"], "")
    totals = group(settled, "currency")
    return {
        "date_from": date_from,
        "date_to": date_to,
        "time_zone": clinic.time_zone,
        "totals": [
            {
                "currency": r["currency"],
                "count": r["count"],
                "amount": r["amount"],
                "refunded": r["refunded"],
                "net": r["net"],
            }
            for r in totals
        ],
        "by_day": days,
        "by_method": group(settled, "method"),
        "by_status": group(base, "status"),
        "by_practitioner": practitioners,
        "outstanding": [
            {"currency": r["currency"], "count": r["n"], "amount": r["due"] or Decimal("0")}
            for r in Invoice.objects.filter(clinic=clinic, status__in=Invoice.OPEN_STATUSES)
            .values("currency")
            .annotate(n=Count("id"), due=Sum("total") - Sum("amount_paid"))
            .order_by("currency")
        ],
        "overdue_count": Invoice.objects.filter(
            clinic=clinic, status=Invoice.Status.OVERDUE
        ).count(),
    }


def invoice_counts(*, clinic) -> dict:
    return Invoice.objects.filter(clinic=clinic).aggregate(
        open=Count("id", filter=Q(status__in=Invoice.OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status=Invoice.Status.OVERDUE)),
    )
