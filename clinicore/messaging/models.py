"""Chat between a patient and a clinic department: conversations, messages, attachments, reads."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinicore.core.fields import EncryptedTextField
from clinicore.core.models import TenantModel


class Department(models.TextChoices):
    GENERAL = "general", _("General")
    BILLING = "billing", _("Billing")
    MEDICAL = "medical", _("Medical")
    APPOINTMENT = "appointment", _("Appointment")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Conversation(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    code = models.CharField(max_length=12, unique=True)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="conversations"
    )
    department = models.CharField(
        max_length=16, choices=Department.choices, default=Department.GENERAL
    )
    subject = models.CharField(max_length=200, blank=True)
    # Set when the conversation is about one visit (its video room shows this chat beside the call).
    appointment_id = models.UUIDField(null=True, blank=True, db_index=True)
    assigned_to = models.ForeignKey(
        "clinics.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-created_at"]
        indexes = [
            models.Index(
                fields=["clinic", "status", "-last_message_at"], name="conv_clinic_status_last"
            ),
            models.Index(fields=["clinic", "assigned_to"], name="conv_clinic_assigned"),
            models.Index(fields=["clinic", "patient"], name="conv_clinic_patient"),
        ]

    def __str__(self):
        return self.code


class Attachment(TenantModel):
    """A file uploaded into a conversation; stored under PRIVATE_MEDIA_ROOT, served only to members."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)

    def __str__(self):
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Message(TenantModel):
    class Side(models.TextChoices):
        PATIENT = "patient", _("Patient")
        STAFF = "staff", _("Clinic")
        SYSTEM = "system", _("System")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sender_side = models.CharField(max_length=8, choices=Side.choices)
    sender_name = models.CharField(max_length=200, blank=True)
    # Patients write about their health here: encrypted at rest like every clinical text.
    text = EncryptedTextField(blank=True, default="")
    attachment = models.OneToOneField(
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="message"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_conv_created")]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ReadState(TenantModel):
    """How far one participant has read a conversation, and when they were last told of new messages."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_states"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    side = models.CharField(max_length=8, choices=Message.Side.choices)
    last_read_at = models.DateTimeField(null=True, blank=True)
    last_read_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The sending time of the message that opened the last burst this person was notified of.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="readstate_conv_user_unique"
            )
        ]
