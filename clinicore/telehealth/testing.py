"""Video visits for tests. The API walkers need nothing new here: the one operation names the
`appointment` kind, whose factory scheduling registers, and takes no body."""

from datetime import timedelta

from django.utils import timezone

from clinicore.scheduling.models import Appointment, Mode, WorkingHours
from clinicore.scheduling.testing import (
    ALL_WEEK,
    book,
    local_start,
    make_practitioner,
    make_service,
)


def make_video_appointment(
    clinic, *, patient, practitioner=None, starts_in=timedelta(minutes=-5), minutes=30
):
    """A video appointment starting `starts_in` from now (booked normally, then moved in time so
    tests need not wait for the joining window)."""
    service = make_service(clinic, mode=Mode.VIDEO, duration_minutes=minutes)
    practitioner = practitioner or make_practitioner(clinic, services_=[service])
    service.practitioners.add(practitioner)
    if not WorkingHours.objects.filter(practitioner=practitioner).exists():
        WorkingHours.objects.bulk_create(
            [
                WorkingHours(
                    clinic=clinic, practitioner=practitioner, weekday=day, start_time=s, end_time=e
                )
                for day, s, e in ALL_WEEK
            ]
        )
    appointment = book(
        clinic,
        patient=patient,
        practitioner=practitioner,
        service=service,
        start=local_start(clinic),
    )
    start = timezone.now() + starts_in
    Appointment.objects.filter(pk=appointment.pk).update(
        mode=Mode.VIDEO,
        start=start,
        end=start + timedelta(minutes=minutes),
        occupied_start=start,
        occupied_end=start + timedelta(minutes=minutes),
    )
    appointment.refresh_from_db()
    return appointment
