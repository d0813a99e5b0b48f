"""REST operations of the clinic reports (clinic owners, administrators and managers)."""

import datetime as dt
import uuid

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from clinicore.api.policy import ClinicRouter, policy
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import Conflict
from clinicore.reports import selectors, services
from clinicore.reports.access import report_export_get_for_clinic
from clinicore.reports.exports import RENDERERS, cell
from clinicore.reports.models import ReportExport
from clinicore.reports.schemas import (
    AppointmentsReportOut,
    CustomReportIn,
    CustomReportOut,
    ExportOut,
    Group,
    PatientGrowthReportOut,
    RevenueReportOut,
    StaffPerformanceReportOut,
    TreatmentsReportOut,
)

router = ClinicRouter(tags=["reports"])
READ = policy(Perm.REPORTS_READ)


class RangeParams(Schema):
    start: dt.date | None = Field(
        None,
        description="First day (clinic time zone). Default: 29 days before end.",
        examples=["2026-03-01"],
    )
    end: dt.date | None = Field(
        None, description="Last day, inclusive. Default: today.", examples=["2026-03-31"]
    )


class GroupedParams(RangeParams):
    group: Group = Field("day", description="Period of the series.", examples=["week"])


def _build(request, kind, params, group=None):
    return selectors.report_build(
        clinic=request.auth.clinic, kind=kind, start=params.start, end=params.end, group=group
    )


@router.get(
    "/appointments",
    response=AppointmentsReportOut,
    summary="Appointments report",
    description="Appointments starting in the range: by status, service, practitioner and "
    "channel, the no-show rate, and a series per day, week or month.",
    openapi_extra=READ,
)
def appointments(request, params: Query[GroupedParams]):
    return _build(request, "appointments", params, params.group).data


@router.get(
    "/revenue",
    response=RevenueReportOut,
    summary="Revenue report",
    description="Money received (settled payments by payment day) less refunds, by period, "
    "method, practitioner; and what was billed per service.",
    openapi_extra=READ,
)
def revenue(request, params: Query[GroupedParams]):
    return _build(request, "revenue", params, params.group).data


@router.get(
    "/patient-growth",
    response=PatientGrowthReportOut,
    summary="Patient growth report",
    description="New patients (records created) and returning patients (seen again) per period.",
    openapi_extra=READ,
)
def patient_growth(request, params: Query[GroupedParams]):
    return _build(request, "patient-growth", params, params.group).data


@router.get(
    "/staff-performance",
    response=StaffPerformanceReportOut,
    summary="Staff performance report",
    description="Per practitioner: appointments, completed, no-shows, revenue and the average "
    "wait from check-in to being seen.",
    openapi_extra=READ,
)
def staff_performance(request, params: Query[RangeParams]):
    return _build(request, "staff-performance", params).data


@router.get(
    "/treatments",
    response=TreatmentsReportOut,
    summary="Treatments report",
    description="Treatments recorded on visit summaries performed in the range: counts, visits "
    "and value at the recorded prices, by treatment, by practitioner and per period.",
    openapi_extra=READ,
)
def treatments(request, params: Query[GroupedParams]):
    return _build(request, "treatments", params, params.group).data


def _export_out(request, export: ReportExport) -> dict:
    return {
        "id": export.pk,
        "report": export.report,
        "format": export.format,
        "status": export.status,
        "progress": export.progress,
        "params": export.params,
        "file_name": export.file_name,
        "size_bytes": export.size_bytes,
        "error": export.error,
        "created_at": export.created_at,
        "finished_at": export.finished_at,
        "download_url": f"/api/v1/reports/export/{export.pk}/download" if export.is_ready else None,
    }


@router.post(
    "/custom",
    response={200: CustomReportOut, 202: ExportOut},
    summary="Custom report",
    description="Any report over any range and period. `format=json` answers with its "
    "summary and tables at once; `csv` or `pdf` queue a background export "
    "(202) to poll at `GET /reports/export/{id}`. Titles, labels and column headings, and "
    "the exported file's, are in the `Accept-Language` language; `report` stays the key.",
    openapi_extra=READ,
)
def custom(request, payload: CustomReportIn):
    clinic = request.auth.clinic
    if payload.format != "json":
        export = services.report_export_request(
            clinic=clinic,
            actor=request.auth.user,
            language=translation.get_language(),
            report=payload.report,
            format=payload.format,
            start=payload.start,
            end=payload.end,
            group=payload.group,
        )
        return 202, _export_out(request, export)
    report = selectors.report_build(
        clinic=clinic,
        kind=payload.report,
        start=payload.start,
        end=payload.end,
        group=payload.group,
    )
    return 200, {
        "report": report.kind,
        "title": report.title,
        "start": report.start,
        "end": report.end,
        "time_zone": report.time_zone,
        "summary": [{"label": str(k), "value": cell(v)} for k, v in report.summary],
        "tables": [
            {
                "title": t.title,
                "columns": t.columns,
                "rows": [[cell(v) for v in row] for row in t.rows],
            }
            for t in report.tables
        ],
    }


@router.get(
    "/export/{export_id}",
    response=ExportOut,
    summary="Export status",
    description="Progress of a background export and, once ready, its download link.",
    openapi_extra=policy(Perm.REPORTS_READ, obj="report_export"),
)
def export_status(request, export_id: uuid.UUID):
    export = report_export_get_for_clinic(clinic=request.auth.clinic, export_id=export_id)
    return _export_out(request, export)


@router.get(
    "/export/{export_id}/download",
    summary="Download an export",
    description="The finished CSV or PDF file; 409 while it is still being prepared.",
    response={200: None},
    openapi_extra=policy(Perm.REPORTS_READ, obj="report_export"),
)
def export_download(request, export_id: uuid.UUID):
    export = report_export_get_for_clinic(clinic=request.auth.clinic, export_id=export_id)
    if not export.is_ready:
        raise Conflict(_("The export is not ready yet."), code="export_not_ready")
    response = HttpResponse(
        services.report_export_file(export), content_type=RENDERERS[export.format][1]
    )
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response
