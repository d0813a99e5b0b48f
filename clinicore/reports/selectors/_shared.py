"""What the reports share: the appointment fields and statuses they count, the clinic's
appointments and settled payments in a range, money sums, periods filled with zeros,
practitioners' names, and the words per period. Every label is translated as the report is
built, in the language active then (the request's, or the export requester's in the worker)."""

from decimal import Decimal

from django.apps import apps
from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce

from clinicore.core.money import quantize
from clinicore.reports import periods as P
from clinicore.reports.base import Report

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


def _per_period(group: str, *, day: str, week: str, month: str) -> str:
    """One of three whole sentences by the report's period: translators see "Appointments per
    week" as one sentence, never a translated word glued into another."""
    return {"day": day, "week": week, "month": month}[group]


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


def _payments(clinic, rng):
    Payment = apps.get_model("billing", "Payment")
    return Payment.objects.filter(
        clinic=clinic, status__in=Payment.SETTLED_STATUSES, **rng.lookup("paid_at")
    )


def _per_invoice_practitioner(payments, clinic):
    """Payments grouped by their invoice's practitioner. Naming the invoice's clinic too (always
    the payment's) lets PostgreSQL read only that clinic's invoices for the join."""
    return payments.filter(invoice__clinic=clinic).values(pid=F("invoice__practitioner"))


def _money_sum(field, **extra):
    return Coalesce(Sum(field, **extra), ZERO, output_field=MONEY)


def _money(rows, currency, *keys):
    """Quantizes sums to the currency's minor unit (SQLite answers 1500 where PostgreSQL says 1500.00)."""
    for row in rows:
        for key in keys:
            row[key] = quantize(row[key], currency)
    return rows
