"""What the patient area keeps beside a person's patient records: sign-ins and deletion requests."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinicore.core.models import BaseModel


class SignedInSession(BaseModel):
    """One browser sign-in, so a person can see where they are signed in and end it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=64, unique=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"], name="portal_session_user_open")]
        ordering = ["-last_seen_at"]

    def __str__(self):
        return f"session of {self.user_id}"

    @property
    def device(self) -> str:
        ua = self.user_agent or ""
        for needle, name in (
            ("Edg/", "Edge"),
            ("Chrome/", "Chrome"),
            ("Firefox/", "Firefox"),
            ("Safari/", "Safari"),
        ):
            if needle in ua:
                browser = name
                break
        else:
            browser = "Browser"
        for needle, name in (
            ("Android", "Android"),
            ("iPhone", "iPhone"),
            ("iPad", "iPad"),
            ("Windows", "Windows"),
            ("Mac OS", "macOS"),
            ("Linux", "Linux"),
        ):
            if needle in ua:
                return f"{browser} · {name}"
        return browser


class DeletionRequest(BaseModel):
    """A person asking for their account to be erased; the clinic's legal hold is handled by staff."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WITHDRAWN = "withdrawn", "Withdrawn"
        DONE = "done", "Done"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField()
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="open"),
                name="portal_one_open_deletion_request",
            )
        ]

    def __str__(self):
        return f"deletion request {self.pk}"
