"""Record times shown in the clinic's own time zone, in the reader's locale."""

from zoneinfo import ZoneInfo

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def clinic_dt(value, clinic):
    """`{{ record.performed_at|clinic_dt:record.clinic }}` → the clinic's wall time."""
    if value is None:
        return ""
    return formats.date_format(value.astimezone(ZoneInfo(clinic.time_zone)), "DATETIME_FORMAT")


@register.filter
def clinic_d(value, clinic):
    if value is None:
        return ""
    return formats.date_format(value.astimezone(ZoneInfo(clinic.time_zone)), "DATE_FORMAT")


@register.filter
def filesize_kb(value):
    return f"{max(1, round((value or 0) / 1024))} KB"
