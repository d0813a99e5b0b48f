"""Report exports prepared in the background: what was asked, progress, and the finished file."""

from django.conf import settings
from django.db import models

from clinicore.core.models import TenantModel


class ReportExport(TenantModel):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"

    report = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    format = models.CharField(max_length=4, choices=Format.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The requester's language when they asked: the worker writes the file in it.
    language = models.CharField(max_length=10, default="en")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["clinic", "-created_at"], name="report_export_clinic_at")]

    def __str__(self):
        return f"{self.report} {self.format} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.DONE
