"""Live topics of chat and of the clinic's boards, and who may subscribe to each.

Other apps register their own topics in `clinicore/<app>/live.py` with `@live_topic("<kind>")`.
"""

import uuid

from clinicore.clinics.access import membership_get
from clinicore.clinics.models import Clinic
from clinicore.clinics.permissions import Perm, role_has
from clinicore.core.live import Subscriber, live_topic


def _uuid(key):
    try:
        return uuid.UUID(str(key))
    except ValueError:
        return None


def staff_may(subscriber: Subscriber, clinic_id, perm: str) -> bool:
    pk = _uuid(clinic_id)
    if pk is None:
        return False
    if subscriber.token_clinic_id and str(subscriber.token_clinic_id) != str(pk):
        return False
    clinic = Clinic.objects.filter(pk=pk, status=Clinic.Status.ACTIVE).first()
    if clinic is None:
        return False
    membership = membership_get(subscriber.user, clinic)
    return membership is not None and role_has(membership.role, perm)


@live_topic("inbox")
def _inbox(*, subscriber: Subscriber, key: str) -> bool:
    """One's own chat feed (unread badge); the key must be one's own user id."""
    return str(subscriber.user.pk) == str(key) or str(subscriber.user.pk.hex) == str(key)


@live_topic("clinic-inbox")
def _clinic_inbox(*, subscriber: Subscriber, key: str) -> bool:
    return staff_may(subscriber, key, Perm.CHAT_READ)


@live_topic("board")
def _board(*, subscriber: Subscriber, key: str) -> bool:
    """The front desk board of a clinic (today's appointments, arrivals, queue)."""
    return staff_may(subscriber, key, Perm.SCHEDULE_READ)


@live_topic("appointment")
def _appointment(*, subscriber: Subscriber, key: str) -> bool:
    """One appointment's page: its patient, or staff of its clinic who may read the schedule."""
    from clinicore.scheduling.models import Appointment

    pk = _uuid(key)
    if pk is None:
        return False
    appointment = Appointment.objects.select_related("patient").filter(pk=pk).first()
    if appointment is None:
        return False
    if appointment.patient.user_id == subscriber.user.pk and (
        not subscriber.token_clinic_id
        or str(subscriber.token_clinic_id) == str(appointment.clinic_id)
    ):
        return True
    return staff_may(subscriber, appointment.clinic_id, Perm.SCHEDULE_READ)
