"""Any report by its name, range and grouping: what the report pages, exports and the custom
report API build."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicore.reports import periods as P
from clinicore.reports.base import Report
from clinicore.reports.selectors.appointments import appointments_report
from clinicore.reports.selectors.patient_growth import patient_growth_report
from clinicore.reports.selectors.revenue import revenue_report
from clinicore.reports.selectors.staff_performance import staff_performance_report
from clinicore.reports.selectors.treatments import treatments_report

REPORTS = {
    "appointments": appointments_report,
    "revenue": revenue_report,
    "patient-growth": patient_growth_report,
    "staff-performance": staff_performance_report,
    "treatments": treatments_report,
}
# Read in the language of whoever shows them (tabs, the export page).
TITLES = {
    "appointments": gettext_lazy("Appointments"),
    "revenue": gettext_lazy("Revenue"),
    "patient-growth": gettext_lazy("Patient growth"),
    "staff-performance": gettext_lazy("Staff performance"),
    "treatments": gettext_lazy("Treatments"),
}


def report_build(*, clinic, kind: str, start=None, end=None, group: str | None = None) -> Report:
    from clinicore.core.errors import InvalidInput

    if kind not in REPORTS:
        raise InvalidInput(_("Unknown report."), fields={"report": ", ".join(REPORTS)})
    rng = P.range_for(clinic, start, end)
    if kind == "staff-performance":
        return staff_performance_report(clinic=clinic, rng=rng)
    return REPORTS[kind](
        clinic=clinic,
        rng=rng,
        group=P.check_group(group or ("week" if kind == "patient-growth" else "day")),
    )
