"""Services, practitioner schedules, time off, closures, appointments (and holds), series, waitlist.

A hold is an Appointment row in status `held` with `hold_expires_at`: holds and appointments
share one table so one PostgreSQL exclusion constraint (added in migration 0002, PostgreSQL
only) forbids any two live rows of one practitioner from overlapping, buffers included.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinicore.core.fields import EncryptedTextField
from clinicore.core.models import TenantModel

# Upper bounds that keep every occupied range shorter than a day, so range queries can bound
# `occupied_start` from below and read only the rows near the range asked (see selectors).
MAX_DURATION_MINUTES = 12 * 60
MAX_BUFFER_MINUTES = 120
MAX_OCCUPIED = timedelta(minutes=MAX_DURATION_MINUTES + 2 * MAX_BUFFER_MINUTES)


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")
    EITHER = "either", _("In person or video")


class Service(TenantModel):
    """An appointment type a clinic offers: what it is, how long, what it costs, who offers it."""

    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="USD")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    min_notice_minutes = models.PositiveIntegerField(default=60)
    booking_window_days = models.PositiveSmallIntegerField(default=60)
    cancellation_cutoff_hours = models.PositiveSmallIntegerField(default=24)
    payment_required = models.BooleanField(default=False)
    practitioners = models.ManyToManyField(
        "clinics.Membership", related_name="services", blank=True
    )
    colour = models.CharField(max_length=7, default="#2563eb")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="service_name_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)


class WorkingHours(TenantModel):
    """One weekly range a practitioner works (several per weekday allowed), in clinic local time."""

    practitioner = models.ForeignKey(
        "clinics.Membership", on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    start_time = models.TimeField()
    end_time = models.TimeField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.EITHER)
    branch = models.ForeignKey("clinics.Branch", null=True, blank=True, on_delete=models.SET_NULL)
    room = models.ForeignKey("clinics.Room", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["weekday", "start_time"]
        indexes = [models.Index(fields=["practitioner", "weekday"], name="workinghours_prac_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__lt=models.F("end_time")),
                name="workinghours_start_before_end",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="workinghours_weekday_range"
            ),
        ]


class ScheduleOverride(TenantModel):
    """A date whose hours replace the weekly rules: rows with times are that day's ranges; a row
    without times makes the day off."""

    practitioner = models.ForeignKey(
        "clinics.Membership", on_delete=models.CASCADE, related_name="schedule_overrides"
    )
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.EITHER)
    branch = models.ForeignKey("clinics.Branch", null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date", "start_time"]
        indexes = [models.Index(fields=["practitioner", "date"], name="override_prac_date")]


class TimeOff(TenantModel):
    practitioner = models.ForeignKey(
        "clinics.Membership", on_delete=models.CASCADE, related_name="time_off"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["practitioner", "start"], name="timeoff_prac_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="timeoff_start_before_end"
            )
        ]


class ClinicClosure(TenantModel):
    """A holiday or closure of the whole clinic, from `start_date` to `end_date` inclusive (local)."""

    start_date = models.DateField()
    end_date = models.DateField()
    name = models.CharField(max_length=150)

    class Meta:
        ordering = ["start_date"]
        indexes = [models.Index(fields=["clinic", "start_date"], name="closure_clinic_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__lte=models.F("end_date")),
                name="closure_dates_ordered",
            )
        ]


class Series(TenantModel):
    """Recurring follow-ups; each occurrence is its own appointment and can change alone."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    practitioner = models.ForeignKey(
        "clinics.Membership", on_delete=models.CASCADE, related_name="+"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    interval_days = models.PositiveSmallIntegerField(default=7)
    occurrences = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class Appointment(TenantModel):
    class Status(models.TextChoices):
        HELD = "held", _("Held")
        REQUESTED = "requested", _("Requested")
        SCHEDULED = "scheduled", _("Scheduled")
        CONFIRMED = "confirmed", _("Confirmed")
        CHECKED_IN = "checked_in", _("Checked in")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        RELEASED = "released", _("Hold released")
        EXPIRED = "expired", _("Hold expired")

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        TREATMENT = "treatment", _("Treatment")
        FOLLOW_UP = "follow_up", _("Follow-up")
        EMERGENCY = "emergency", _("Emergency")

    class BookingMode(models.TextChoices):
        SPECIFIC_TIME = "specific_time", _("Specific time")
        TIME_PERIOD = "time_period", _("Time period")

    class Period(models.TextChoices):
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")
        EVENING = "evening", _("Evening")

    class CreatedBy(models.TextChoices):
        PATIENT = "patient", _("Patient")
        STAFF = "staff", _("Staff")
        API = "api", _("API")

    # Rows in these statuses occupy the practitioner's time (the exclusion constraint's condition).
    BLOCKING = (
        Status.HELD,
        Status.REQUESTED,
        Status.SCHEDULED,
        Status.CONFIRMED,
        Status.CHECKED_IN,
        Status.IN_PROGRESS,
        Status.COMPLETED,
    )
    # Booked and not yet over: counted by the per-patient limit.
    OPEN = (
        Status.REQUESTED,
        Status.SCHEDULED,
        Status.CONFIRMED,
        Status.CHECKED_IN,
        Status.IN_PROGRESS,
    )

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="appointments"
    )
    practitioner = models.ForeignKey(
        "clinics.Membership", on_delete=models.PROTECT, related_name="appointments"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    branch = models.ForeignKey("clinics.Branch", null=True, blank=True, on_delete=models.SET_NULL)
    room = models.ForeignKey("clinics.Room", null=True, blank=True, on_delete=models.SET_NULL)
    start = models.DateTimeField()
    end = models.DateTimeField()
    # [start - buffer before, end + buffer after): what the overlap guarantee compares.
    occupied_start = models.DateTimeField()
    occupied_end = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=[c for c in Mode.choices if c[0] != Mode.EITHER])
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.CONSULTATION)
    reason_for_visit = EncryptedTextField(blank=True, default="")
    symptoms = EncryptedTextField(blank=True, default="")
    notes = EncryptedTextField(blank=True, default="")
    reservation_code = models.CharField(max_length=10, unique=True)
    booking_mode = models.CharField(
        max_length=14, choices=BookingMode.choices, default=BookingMode.SPECIFIC_TIME
    )
    period = models.CharField(max_length=10, choices=Period.choices, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    cancellation_reason = models.CharField(max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    reminder_day_before_sent = models.BooleanField(default=False)
    reminder_hour_before_sent = models.BooleanField(default=False)
    created_by = models.CharField(max_length=10, choices=CreatedBy.choices, default=CreatedBy.STAFF)
    created_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_channel = models.CharField(max_length=30, default="api")
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    hold_ref = models.CharField(
        max_length=100, blank=True, help_text="e.g. the payment session holding it"
    )
    rescheduled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_to"
    )
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    series_index = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [
            # Range reads per practitioner (availability, the overlap check) and per clinic (calendar).
            models.Index(fields=["practitioner", "occupied_start"], name="appt_prac_occupied"),
            # Reports read appointments by clinic and start and group them by these columns:
            # carrying them in the index lets both databases answer from the index alone.
            models.Index(
                fields=[
                    *("clinic", "start", "status", "practitioner", "service", "source_channel"),
                    *("patient", "checked_in_at", "started_at"),
                ],
                name="appt_clinic_start_report",
            ),
            models.Index(fields=["patient", "start"], name="appt_patient_start"),
            models.Index(fields=["status", "hold_expires_at"], name="appt_status_hold"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="appt_start_before_end"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    occupied_start__lte=models.F("start"), occupied_end__gte=models.F("end")
                ),
                name="appt_occupied_covers_visit",
            ),
        ]

    def __str__(self):
        return self.reservation_code

    @property
    def is_hold(self) -> bool:
        return self.status == self.Status.HELD


class IdempotencyKey(TenantModel):
    """A POST's `Idempotency-Key`, scoped to clinic and caller: the same key and body return the
    same appointment; the same key with another body is refused."""

    principal = models.CharField(max_length=80)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    appointment = models.ForeignKey(
        Appointment, null=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "principal", "key"], name="idempotency_key_unique"
            )
        ]


class WaitlistEntry(TenantModel):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered")
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    practitioner = models.ForeignKey(
        "clinics.Membership", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The later appointment the patient would like to move earlier (optional).
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    earliest_date = models.DateField()
    latest_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    offered_hold = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["clinic", "status", "created_at"], name="waitlist_clinic_status")
        ]


class CalendarFeed(TenantModel):
    """A practitioner's private calendar feed: the token in the URL is the only key."""

    practitioner = models.OneToOneField(
        "clinics.Membership", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)


class BookingRules(TenantModel):
    """A clinic's booking limits; a clinic without a row uses the settings' defaults."""

    max_open_per_patient = models.PositiveSmallIntegerField(default=3)
    hold_minutes = models.PositiveSmallIntegerField(default=10)
    waitlist_offer_minutes = models.PositiveSmallIntegerField(default=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic"], name="bookingrules_one_per_clinic")
        ]
