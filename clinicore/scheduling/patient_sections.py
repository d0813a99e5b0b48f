"""The patient's appointments on the workspace patient page."""

from clinicore.clinics.permissions import Perm
from clinicore.patients.sections import patient_section
from clinicore.scheduling.models import Appointment

HIDDEN = (Appointment.Status.HELD, Appointment.Status.RELEASED, Appointment.Status.EXPIRED)


@patient_section(
    "appointments",
    template="scheduling/_patient_appointments.html",
    perm=Perm.SCHEDULE_READ,
    order=10,
)
def patient_appointments(*, clinic, patient) -> list:
    return list(
        Appointment.objects.filter(clinic=clinic, patient=patient)
        .exclude(status__in=HIDDEN)
        .select_related("practitioner__user", "service")
        .order_by("-start")[:10]
    )
