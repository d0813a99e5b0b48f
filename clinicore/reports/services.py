"""Writes of the reports app: asking for an export, and the worker filling it in."""

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinicore.core.audit import audit_record
from clinicore.core.errors import InvalidInput
from clinicore.reports import selectors
from clinicore.reports.exports import RENDERERS, file_language
from clinicore.reports.models import ReportExport
from clinicore.reports.periods import check_group, range_for

logger = logging.getLogger("clinicore.reports")


def export_dir() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "report-exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_path(export: ReportExport) -> Path:
    return export_dir() / f"{export.pk}.{export.format}"


def report_export_request(
    *,
    clinic,
    actor,
    language: str,
    report: str,
    format: str,
    start=None,
    end=None,
    group: str | None = None,
) -> ReportExport:
    """Queues a background export; the file appears on the export page when the worker is done,
    written in `language` (the requester's, as their request was read)."""
    if report not in selectors.REPORTS:
        raise InvalidInput(_("Unknown report."), fields={"report": ", ".join(selectors.REPORTS)})
    if format not in RENDERERS:
        raise InvalidInput(_("Export as csv or pdf."), fields={"format": "csv or pdf"})
    rng = range_for(clinic, start, end)  # validates the dates now, not in the worker
    params = rng.as_params()
    if group:
        params["group"] = check_group(group)
    with transaction.atomic():
        export = ReportExport.objects.create(
            clinic=clinic,
            report=report,
            format=format,
            params=params,
            requested_by=actor,
            language=_language_offered(language),
        )
        audit_record(
            action="report.export",
            entity_type="report_export",
            entity_id=export.pk,
            clinic_id=clinic.pk,
            actor=actor,
            fields=["report", "format", *params],
        )
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _language_offered(language: str) -> str:
    """The product's own code for the language (`zh-Hant` → `zh-hant`), English if not offered."""
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _enqueue(export_id) -> None:
    from clinicore.reports.tasks import report_export_run

    report_export_run.enqueue(str(export_id))


def _set(export: ReportExport, **changes) -> None:
    for name, value in changes.items():
        setattr(export, name, value)
    export.save(update_fields=[*changes, "updated_at"])


def report_export_run_now(*, export_id) -> ReportExport:
    """Builds the file of a queued export in its requester's language (a PDF they could not read
    in it is in English), saving progress as it goes."""
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().select_related("clinic").get(pk=export_id)
        if export.status in (ReportExport.Status.DONE, ReportExport.Status.RUNNING):
            return export
        _set(export, status=ReportExport.Status.RUNNING, progress=5)
    try:
        with translation.override(file_language(export.format, export.language)):
            report = selectors.report_build(
                clinic=export.clinic, kind=export.report, **export.params
            )
            _set(export, progress=40)
            render, _content_type = RENDERERS[export.format]

            def progress(fraction: float) -> None:
                value = 40 + int(55 * fraction)
                if value > export.progress:
                    _set(export, progress=value)

            data = render(report, progress=progress)
        path = export_path(export)
        path.write_bytes(data)
        name = f"{export.report}-{export.params.get('start')}-{export.params.get('end')}.{export.format}"
        _set(
            export,
            status=ReportExport.Status.DONE,
            progress=100,
            file_name=name,
            size_bytes=len(data),
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("report export failed", extra={"export_id": str(export.pk)})
        _set(
            export,
            status=ReportExport.Status.FAILED,
            error=str(exc)[:300],
            finished_at=timezone.now(),
        )
    return export


def report_export_file(export: ReportExport) -> bytes:
    return export_path(export).read_bytes()
