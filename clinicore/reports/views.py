"""Workspace pages of the clinic reports: charts, tables, CSV/PDF downloads, background exports."""

import functools
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation

from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import DomainError
from clinicore.reports import selectors, services
from clinicore.reports.access import report_export_get_for_clinic
from clinicore.reports.exports import RENDERERS, file_language
from clinicore.reports.models import ReportExport
from clinicore.reports.periods import GROUPS

KINDS = tuple(selectors.REPORTS)


def _clinic_view(perm, *, methods):
    """`workspace_view` rendering times in the clinic's time zone."""

    def decorate(view):
        @functools.wraps(view)
        def in_clinic_time(request, *args, **kwargs):
            with timezone.override(ZoneInfo(request.clinic.time_zone)):
                return view(request, *args, **kwargs)

        return workspace_view(perm, methods=methods)(in_clinic_time)

    return decorate


def _params(request, kind) -> dict:
    params = {"start": request.GET.get("start") or None, "end": request.GET.get("end") or None}
    if kind != "staff-performance":
        params["group"] = request.GET.get("group") or (
            "week" if kind == "patient-growth" else "day"
        )
    return params


def report_page(kind: str):
    @_clinic_view(Perm.REPORTS_READ, methods=("GET",))
    def view(request):
        params = _params(request, kind)
        error = None
        try:
            report = selectors.report_build(clinic=request.clinic, kind=kind, **params)
        except DomainError as exc:
            error, report = exc.message, None
            params = {"group": "day"} if kind != "staff-performance" else {}
        recent = list(
            ReportExport.objects.filter(clinic=request.clinic).select_related("requested_by")[:5]
        )
        for export in recent:
            export.title = selectors.TITLES.get(export.report, export.report)
        return render(
            request,
            "reports/report.html",
            {
                "nav": "reports",
                "kind": kind,
                "kinds": [(k, selectors.TITLES[k]) for k in KINDS],
                "report": report,
                "error": error,
                "params": params,
                "groups": GROUPS,
                "charts": report.chart_svgs() if report else [],
                "recent": recent,
                "query": request.GET.urlencode(),
            },
            status=422 if error else 200,
        )

    view.__name__ = f"report_{kind.replace('-', '_')}_page"
    return view


def report_file(kind: str, fmt: str):
    @_clinic_view(Perm.REPORTS_READ, methods=("GET",))
    def view(request):
        render_file, content_type = RENDERERS[fmt]
        with translation.override(file_language(fmt, translation.get_language())):
            report = selectors.report_build(
                clinic=request.clinic, kind=kind, **_params(request, kind)
            )
            data = render_file(report)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="{kind}-{report.start}-{report.end}.{fmt}"'
        )
        return response

    view.__name__ = f"report_{kind.replace('-', '_')}_{fmt}"
    return view


@_clinic_view(Perm.REPORTS_READ, methods=("POST",))
def export_create(request):
    try:
        export = services.report_export_request(
            clinic=request.clinic,
            actor=request.user,
            language=translation.get_language(),
            report=request.POST.get("report", ""),
            format=request.POST.get("format", ""),
            start=request.POST.get("start") or None,
            end=request.POST.get("end") or None,
            group=request.POST.get("group") or None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reports:home", clinic_slug=request.clinic.slug)
    return redirect("reports:export", clinic_slug=request.clinic.slug, report_export_id=export.pk)


@_clinic_view(Perm.REPORTS_READ, methods=("GET",))
def export_page(request, report_export_id):
    export = report_export_get_for_clinic(clinic=request.clinic, export_id=report_export_id)
    template = (
        "reports/export.html#status" if request.headers.get("HX-Request") else "reports/export.html"
    )
    return render(
        request,
        template,
        {
            "nav": "reports",
            "export": export,
            "title": selectors.TITLES.get(export.report, export.report),
        },
    )


@_clinic_view(Perm.REPORTS_READ, methods=("GET",))
def export_download(request, report_export_id):
    export = report_export_get_for_clinic(clinic=request.clinic, export_id=report_export_id)
    if not export.is_ready:
        return redirect(
            "reports:export", clinic_slug=request.clinic.slug, report_export_id=export.pk
        )
    response = HttpResponse(
        services.report_export_file(export), content_type=RENDERERS[export.format][1]
    )
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


reports_home = report_page("appointments")
