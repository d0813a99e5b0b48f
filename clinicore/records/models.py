"""What a clinic writes about a patient's care: the treatment catalog, visit summaries (treatment
records) with their addenda, prescriptions and uploaded documents.

Clinical free text is encrypted at rest (core.fields.EncryptedTextField) and never logged.
A visit summary is editable until it is signed; afterwards only addenda are added.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinicore.core.fields import EncryptedTextField
from clinicore.core.models import TenantModel


class TreatmentCatalogItem(TenantModel):
    """A treatment the clinic offers, with its default price; visit summaries list them."""

    name = models.CharField(max_length=150)
    code = models.CharField(max_length=30, help_text="The clinic's own short code, e.g. RCT-1.")
    description = models.TextField(blank=True)
    default_price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3)
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "code"], name="records_catalog_code_unique")
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class TreatmentRecord(TenantModel):
    """A visit summary: what was found and done at one visit, signed by the practitioner."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.RESTRICT, related_name="treatment_records"
    )
    practitioner = models.ForeignKey(
        "clinics.Membership", on_delete=models.RESTRICT, related_name="treatment_records"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="treatment_records",
    )
    performed_at = models.DateTimeField()
    diagnosis = EncryptedTextField(blank=True, default="")
    notes = EncryptedTextField(blank=True, default="")
    shared_with_patient = models.BooleanField(default=False)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-performed_at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "patient", "-performed_at"], name="records_tr_patient"),
        ]

    CLINICAL_FIELDS = ("diagnosis", "notes")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class TreatmentRecordItem(TenantModel):
    """One treatment done at the visit; name and price copied from the catalog at the time."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.CASCADE, related_name="items")
    catalog_item = models.ForeignKey(
        TreatmentCatalogItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=150)
    code = models.CharField(max_length=30, blank=True)
    quantity = models.PositiveSmallIntegerField(default=1)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class RecordAddendum(TenantModel):
    """A later note on a signed visit summary; the signed text itself never changes."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.CASCADE, related_name="addenda")
    text = EncryptedTextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]


class Prescription(TenantModel):
    """Medicines prescribed to a patient; issued once and never edited (issue a new one)."""

    code = models.CharField(max_length=12, unique=True)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.RESTRICT, related_name="prescriptions"
    )
    prescriber = models.ForeignKey(
        "clinics.Membership", on_delete=models.RESTRICT, related_name="prescriptions"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prescriptions",
    )
    advice = EncryptedTextField(blank=True, default="")
    issued_at = models.DateTimeField()
    shared_with_patient = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "patient", "-issued_at"], name="records_rx_patient"),
        ]


class PrescriptionItem(TenantModel):
    """One medicine line. Every field is free text a clinician types, so all are encrypted."""

    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    medicine = EncryptedTextField()
    strength = EncryptedTextField(blank=True, default="")
    dose = EncryptedTextField(blank=True, default="")
    frequency = EncryptedTextField(blank=True, default="")
    duration = EncryptedTextField(blank=True, default="")
    instructions = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["position", "id"]

    FIELDS = ("medicine", "strength", "dose", "frequency", "duration", "instructions")


class Document(TenantModel):
    """A file about a patient (lab report, imaging, referral, consent…), stored privately."""

    class Kind(models.TextChoices):
        LAB_REPORT = "lab_report", _("Lab report")
        IMAGING = "imaging", _("Imaging")
        REFERRAL = "referral", _("Referral")
        CONSENT = "consent", _("Consent form")
        OTHER = "other", _("Other")

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.RESTRICT, related_name="documents"
    )
    # A title such as "HbA1c results" is health data: encrypted like other clinical text.
    title = EncryptedTextField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    filename = EncryptedTextField()
    storage_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_with_patient = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "patient", "-created_at"], name="records_doc_patient"),
        ]
