"""The clinic reports, each computed by SQL aggregation (annotate/aggregate) — never row by row.

Each function takes the clinic and a Range (clinic time zone) and returns a Report: summary,
tables, charts, and the `data` the API returns. Periods are truncated in the clinic's zone.
One module per report; every name is importable from `clinicore.reports.selectors`.
"""

from clinicore.reports.selectors._shared import (
    A_CHANNEL,
    A_CHECKED_IN,
    A_PRACTITIONER,
    A_SERVICE,
    A_START,
    A_STARTED,
    A_STATUS,
    ATTENDED,
    CANCELLED,
    COMPLETED,
    MONEY,
    NO_SHOW,
    NOT_APPOINTMENTS,
    ZERO,
)
from clinicore.reports.selectors.appointments import appointments_report
from clinicore.reports.selectors.custom import REPORTS, TITLES, report_build
from clinicore.reports.selectors.patient_growth import patient_growth_report
from clinicore.reports.selectors.revenue import revenue_report
from clinicore.reports.selectors.staff_performance import staff_performance_report
from clinicore.reports.selectors.treatments import treatments_report
from clinicore.reports.selectors.usage import platform_usage

__all__ = [
    "ATTENDED",
    "A_CHANNEL",
    "A_CHECKED_IN",
    "A_PRACTITIONER",
    "A_SERVICE",
    "A_START",
    "A_STARTED",
    "A_STATUS",
    "CANCELLED",
    "COMPLETED",
    "MONEY",
    "NOT_APPOINTMENTS",
    "NO_SHOW",
    "REPORTS",
    "TITLES",
    "ZERO",
    "appointments_report",
    "patient_growth_report",
    "platform_usage",
    "report_build",
    "revenue_report",
    "staff_performance_report",
    "treatments_report",
]
