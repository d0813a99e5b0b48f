"""What every scheduling write shares: the status machine, audit and after-commit helpers."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicore.clinics.models import Membership, Room
from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from clinicore.scheduling import selectors
from clinicore.scheduling.models import Appointment, WorkingHours

S = Appointment.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.HELD: frozenset({S.REQUESTED, S.SCHEDULED, S.CONFIRMED, S.RELEASED, S.EXPIRED}),
    S.REQUESTED: frozenset({S.SCHEDULED, S.CONFIRMED, S.CANCELLED, S.RESCHEDULED}),
    S.SCHEDULED: frozenset({S.CONFIRMED, S.CHECKED_IN, S.CANCELLED, S.NO_SHOW, S.RESCHEDULED}),
    S.CONFIRMED: frozenset({S.CHECKED_IN, S.CANCELLED, S.NO_SHOW, S.RESCHEDULED}),
    S.CHECKED_IN: frozenset({S.IN_PROGRESS, S.COMPLETED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
}

# Lazy: read when raised, in the language of whoever is refused then.
SLOT_TAKEN = gettext_lazy("This time is no longer available; choose another slot.")


def _audit(action: str, obj, *, actor, fields=()) -> None:
    audit_record(
        action=action,
        entity_type=obj._meta.model_name,
        entity_id=obj.pk,
        clinic_id=obj.clinic_id,
        actor=actor,
        fields=fields,
    )


def _on_commit(fn, *args) -> None:
    transaction.on_commit(lambda: fn(*args))


def staff_may_act_for(membership, practitioner: Membership) -> bool:
    if membership is None:
        return False
    from clinicore.clinics.permissions import Perm, role_has

    return membership.pk == practitioner.pk or role_has(membership.role, Perm.SCHEDULE_MANAGE)


def forbid_unless(condition: bool, message: str) -> None:
    if not condition:
        raise Forbidden(message)


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update()
        .select_related("service", "clinic")
        .get(pk=appointment.pk)
    )


def _offer_freed_time(appointment_id) -> None:
    """After a visit is cancelled or moved, or a hold lapses: the waitlist is offered the time.
    Imported when called: the waitlist books through the booking module, which calls this."""
    from clinicore.scheduling.services.waitlist import _waitlist_after_free

    _waitlist_after_free(appointment_id)


def _room_check(*, clinic, room_id, start, end, now, exclude_id=None) -> None:
    """A room holds one visit at a time: the room must be an active room of this clinic and free
    for the visit. Its row is locked first, so two visits cannot take it at once."""
    room = Room.objects.select_for_update().filter(clinic=clinic, pk=room_id, is_active=True)
    if not list(room.values_list("pk", flat=True)):
        raise InvalidInput(
            _("Choose a room of this clinic."), fields={"room_id": _("Not a room of this clinic.")}
        )
    taken = (
        Appointment.objects.filter(
            selectors.blocking_q(now), clinic=clinic, room_id=room_id, start__lt=end, end__gt=start
        )
        .exclude(pk=exclude_id)
        .exists()
    )
    if taken:
        raise Conflict(_("This room is taken at that time."), code="room_taken")


def _room_of_hours(clinic, practitioner: Membership, start, end, *, overrides):
    """The room of the weekly range the visit falls in, when the clinic set one. A one-day change
    (one of `overrides`, the schedule booking already read) replaces the weekly ranges and
    carries no room, so that day has none."""
    tz = selectors.clinic_tz(clinic)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if local_end.date() != local_start.date():
        return None
    if any(o.date == local_start.date() for o in overrides):
        return None
    return (
        WorkingHours.objects.filter(
            practitioner=practitioner,
            weekday=local_start.weekday(),
            start_time__lte=local_start.time(),
            end_time__gte=local_end.time(),
            room__isnull=False,
        )
        .values_list("room_id", flat=True)
        .first()
    )


def _room_if_free(*, clinic, room_ids, start, end, now, exclude_id=None):
    """The first of `room_ids` that is free for the visit, or None. Used where a room is a
    convenience (the practitioner's usual room, the room a moved visit had): a taken room leaves
    the visit without one, for the desk to place, rather than refusing the booking."""
    for room_id in dict.fromkeys(r for r in room_ids if r):
        try:
            _room_check(
                clinic=clinic, room_id=room_id, start=start, end=end, now=now, exclude_id=exclude_id
            )
        except DomainError:
            continue
        return room_id
    return None
