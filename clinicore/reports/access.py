"""Reaching a clinic's report exports: always through the clinic, 404 across clinics."""

import uuid

from django.utils.translation import gettext as _

from clinicore.core.errors import NotFound
from clinicore.reports.models import ReportExport


def report_export_get_for_clinic(*, clinic, export_id) -> ReportExport:
    try:
        return ReportExport.objects.get(clinic=clinic, pk=uuid.UUID(str(export_id)))
    except (ValueError, ReportExport.DoesNotExist):
        raise NotFound(_("Export not found."), code="report_export_not_found") from None
