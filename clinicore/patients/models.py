"""A clinic's record of a person it treats; may exist without a login (walk-ins)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Lower, Replace

from clinicore.core.fields import EncryptedTextField
from clinicore.core.models import TenantModel

# What a phone number may hold besides digits (the forms and the API allow exactly these).
PHONE_PUNCTUATION = "+()- "


def phone_digits(field: str = "phone"):
    """The number without punctuation, as the database computes it: searches compare digits, and
    on PostgreSQL a trigram index is built over this same expression (patients migration 0003)."""
    expression = F(field)
    for char in PHONE_PUNCTUATION:
        expression = Replace(expression, Value(char), Value(""))
    return expression


class Patient(TenantModel):
    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNDISCLOSED = "undisclosed", "Prefer not to say"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient_records",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=12, choices=Gender.choices, default=Gender.UNDISCLOSED)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_phone = models.CharField(max_length=20, blank=True)
    # Clinical free text: encrypted at rest, never logged, never in the audit log.
    allergies = EncryptedTextField(blank=True, default="")
    current_medications = EncryptedTextField(blank=True, default="")
    medical_history = EncryptedTextField(blank=True, default="")
    preferred_language = models.CharField(max_length=10, default="en")
    barcode = models.CharField(max_length=32, unique=True)
    is_active = models.BooleanField(default=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["clinic", "last_name", "first_name"], name="patient_clinic_name"),
            models.Index(fields=["clinic", "phone"], name="patient_clinic_phone"),
            models.Index(Lower("email"), "clinic", name="patient_email_ci"),
            # Patient growth reports count and join registrations from the index alone.
            models.Index(
                fields=["clinic", "created_at", "is_active", "merged_into", "id"],
                name="patient_clinic_created",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "user"],
                condition=models.Q(user__isnull=False),
                name="patient_one_record_per_user_per_clinic",
            )
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    CLINICAL_FIELDS = ("allergies", "current_medications", "medical_history")
