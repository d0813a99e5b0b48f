"""The tenant: clinics, their branches and rooms, staff memberships, API keys."""

from django.conf import settings
from django.db import models

from clinicore.clinics.permissions import Role
from clinicore.core.models import BaseModel, TenantModel


class Clinic(BaseModel):
    class Kind(models.TextChoices):
        GENERAL = "general", "General practice"
        MULTISPECIALTY = "multispecialty", "Multi-specialty"
        DENTAL = "dental", "Dental"
        AESTHETIC = "aesthetic", "Aesthetic"
        PEDIATRIC = "pediatric", "Pediatric"
        DERMATOLOGY = "dermatology", "Dermatology"
        PHYSIOTHERAPY = "physiotherapy", "Physiotherapy"
        EYE = "eye", "Eye care"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    class Tier(models.TextChoices):
        STARTER = "starter", "Starter"
        PROFESSIONAL = "professional", "Professional"
        ENTERPRISE = "enterprise", "Enterprise"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    tagline = models.CharField(max_length=200, blank=True)
    about = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    currency = models.CharField(max_length=3, default="USD")
    default_language = models.CharField(max_length=10, default="en")
    address_line = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    logo = models.FileField(upload_to="clinic-logos/", blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.STARTER)
    # Booking rules shared by every service of the clinic (services may narrow them).
    slot_step_minutes = models.PositiveSmallIntegerField(default=15)
    upi_vpa = models.CharField("UPI VPA", max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Branch(TenantModel):
    name = models.CharField(max_length=200)
    address_line = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="branch_name_unique")
        ]

    def __str__(self):
        return self.name


class Room(TenantModel):
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="room_name_unique")]

    def __str__(self):
        return self.name


class Membership(TenantModel):
    """A person's job at one clinic. One person may hold memberships at several clinics."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    title = models.CharField(max_length=100, blank=True, help_text="Shown to patients, e.g. Dr.")
    specialization = models.CharField(max_length=120, blank=True)
    licence_number = models.CharField(max_length=60, blank=True)
    bio = models.TextField(blank=True)
    photo = models.FileField(upload_to="staff-photos/", blank=True)
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.SET_NULL)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "user"], name="membership_clinic_user_unique")
        ]
        indexes = [models.Index(fields=["clinic", "role"], name="membership_clinic_role")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        name = self.user.full_name or self.user.email
        return f"{self.title} {name}".strip() if self.title else name

    @property
    def is_practitioner(self) -> bool:
        return self.role in Role.practitioners()


class ApiKey(TenantModel):
    """A clinic's key for integrations: shown once, stored as a hash, scoped, revocable."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=128)
    scopes = models.JSONField(default=list, help_text="Permissions this key may use.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
