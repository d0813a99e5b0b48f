"""The patient growth report: new and returning patients per period."""

from django.apps import apps
from django.db.models import Count, F
from django.utils.translation import gettext as _

from clinicore.reports import periods as P
from clinicore.reports.base import Chart, Report, Table
from clinicore.reports.selectors._shared import (
    A_START,
    A_STATUS,
    ATTENDED,
    _appointments,
    _base,
    _per_period,
    _series,
)


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
    total_new = sum(n for _day, n in new_series)
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

    report = _base("patient-growth", _("Patient growth"), clinic, rng)
    report.summary = [
        (_("New patients"), total_new),
        (_("Returning patients"), returning_total),
        (_("Active patients at end"), active),
    ]
    report.charts = [
        Chart(
            _per_period(
                group,
                day=_("New patients per day"),
                week=_("New patients per week"),
                month=_("New patients per month"),
            ),
            [(P.short_label(d, group), n) for d, n in new_series],
        ),
        Chart(
            _per_period(
                group,
                day=_("Returning patients per day"),
                week=_("Returning patients per week"),
                month=_("Returning patients per month"),
            ),
            [(P.short_label(d, group), ret_series.get(d, 0)) for d, _n in new_series],
        ),
    ]
    report.tables = [
        Table(
            _per_period(group, day=_("Per day"), week=_("Per week"), month=_("Per month")),
            # Translators: columns of the patient growth report: the period, patients registered in it,
            # and patients registered earlier who came back in it.
            [_("Period"), _("New"), _("Returning")],
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
