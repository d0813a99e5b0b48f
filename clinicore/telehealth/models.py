"""A video room for each online appointment: its waiting room, admission and call times."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from clinicore.core.models import TenantModel


class VideoRoom(TenantModel):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        LIVE = "live", _("In call")
        ENDED = "ended", _("Ended")

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.CASCADE, related_name="video_room"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    admitted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Video room {self.appointment_id}"

    @property
    def is_admitted(self) -> bool:
        return self.status == self.Status.LIVE
