"""What the front desk records beyond appointments: every barcode scan and its outcome."""

from django.conf import settings
from django.db import models

from clinicore.core.models import TenantModel


class ScanEvent(TenantModel):
    class Outcome(models.TextChoices):
        CHECKED_IN = "checked_in", "Checked in"
        ALREADY_IN = "already_in", "Already checked in"
        NO_APPOINTMENT = "no_appointment", "No appointment today"
        FOUND = "found", "Patient found"
        UNKNOWN = "unknown", "Unknown code"

    class Source(models.TextChoices):
        WEDGE = "wedge", "Scanner or keyboard"
        CAMERA = "camera", "Camera"
        API = "api", "API"

    code = models.CharField(max_length=64)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEDGE)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["clinic", "-created_at"], name="scan_clinic_at")]

    def __str__(self):
        return f"{self.code} → {self.outcome}"


class StaffInvite(TenantModel):
    """An invitation to join a clinic's staff, sent by email; only the token's hash is kept."""

    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        "clinics.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"invite {self.email} as {self.role}"

    @property
    def is_open(self) -> bool:
        from django.utils import timezone

        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
