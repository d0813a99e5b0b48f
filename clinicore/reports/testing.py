"""Factories and request bodies for the API walkers and page walker (see clinicore.core.testing)."""

from django.utils import timezone

from clinicore.core.testing import object_factory, request_body


@object_factory("report_export")
def _export(world, clinic):
    from clinicore.reports.models import ReportExport
    from clinicore.reports.services import export_path

    export = ReportExport.objects.create(
        clinic=clinic,
        report="appointments",
        format="csv",
        params={"start": "2026-03-01", "end": "2026-03-31"},
        status=ReportExport.Status.DONE,
        progress=100,
        file_name="appointments-2026-03.csv",
        finished_at=timezone.now(),
    )
    data = f"Appointments,{clinic.name}\n".encode()
    export_path(export).write_bytes(data)
    ReportExport.objects.filter(pk=export.pk).update(size_bytes=len(data))
    return export


@request_body("POST /api/v1/reports/custom")
def _custom(world, clinic):
    return {
        "report": "revenue",
        "start": "2026-03-01",
        "end": "2026-03-31",
        "group": "week",
        "format": "json",
    }
