"""The waitlist: asking for an earlier time, offers of freed time, and taking an offer."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.clinics.models import Membership
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.scheduling import events, selectors
from clinicore.scheduling.models import (
    Appointment,
    Service,
    WaitlistEntry,
)
from clinicore.scheduling.services._base import (
    S,
    _audit,
    _locked,
)
from clinicore.scheduling.services.booking import (
    hold_convert_to_appointment,
    hold_create,
    hold_release,
)

# --- Waitlist -------------------------------------------------------------------------------------


@transaction.atomic
def waitlist_join(
    *,
    clinic,
    actor,
    patient,
    service: Service,
    earliest_date,
    latest_date,
    practitioner: Membership | None = None,
    appointment: Appointment | None = None,
    note: str = "",
) -> WaitlistEntry:
    if earliest_date > latest_date:
        raise InvalidInput(
            _("The earliest date must not be after the latest."),
            fields={"latest_date": _("Before earliest.")},
        )
    if appointment is not None and appointment.patient_id != patient.pk:
        raise InvalidInput(
            _("That appointment is someone else's."),
            fields={"appointment_id": _("Not this patient's.")},
        )
    if WaitlistEntry.objects.filter(
        clinic=clinic,
        patient=patient,
        service=service,
        status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED],
    ).exists():
        raise Conflict(
            _("The patient is already on the waitlist for this service."), code="already_waiting"
        )
    entry = WaitlistEntry.objects.create(
        clinic=clinic,
        patient=patient,
        service=service,
        practitioner=practitioner,
        appointment=appointment,
        earliest_date=earliest_date,
        latest_date=latest_date,
        note=note[:300],
    )
    _audit(
        "waitlist.join",
        entry,
        actor=actor,
        fields=["service", "practitioner", "earliest_date", "latest_date"],
    )
    return entry


@transaction.atomic
def waitlist_cancel(*, entry: WaitlistEntry, actor) -> WaitlistEntry:
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status in (WaitlistEntry.Status.BOOKED, WaitlistEntry.Status.CANCELLED):
        raise Conflict(
            _("This waitlist entry is %(status)s.")
            % {"status": entry.get_status_display().lower()},
            code="invalid_transition",
        )
    if entry.offered_hold_id:
        hold = Appointment.objects.get(pk=entry.offered_hold_id)
        if hold.status == S.HELD:
            hold_release(clinic=entry.clinic, actor=actor, hold=hold)
    entry.status = WaitlistEntry.Status.CANCELLED
    entry.save(update_fields=["status", "updated_at"])
    _audit("waitlist.cancel", entry, actor=actor, fields=["status"])
    return entry


def _waitlist_after_free(appointment_id) -> None:
    """After a visit is cancelled, moved or a hold lapses: offer the freed time to the waitlist."""
    freed = (
        Appointment.objects.select_related("clinic", "service", "practitioner")
        .filter(pk=appointment_id)
        .first()
    )
    if freed is None:
        return
    # An offer nobody took: its patient waits again, but this time goes to the next in line.
    lapsed = list(
        WaitlistEntry.objects.filter(
            offered_hold_id=freed.pk, status=WaitlistEntry.Status.OFFERED
        ).values_list("pk", flat=True)
    )
    if lapsed:
        WaitlistEntry.objects.filter(pk__in=lapsed).update(
            status=WaitlistEntry.Status.WAITING, offered_hold=None, updated_at=timezone.now()
        )
    waitlist_offer_freed_slot(
        clinic=freed.clinic, practitioner=freed.practitioner, start=freed.start, skip=lapsed
    )


def waitlist_offer_freed_slot(
    *,
    clinic,
    practitioner: Membership,
    start: datetime,
    now: datetime | None = None,
    skip=(),
) -> WaitlistEntry | None:
    """Offers a freed time to the first waiting patient it suits, holding it for them for the
    clinic's offer minutes; returns the entry offered, if any."""
    now = now or timezone.now()
    if start <= now:
        return None
    local_date = start.astimezone(selectors.clinic_tz(clinic)).date()
    candidates = (
        WaitlistEntry.objects.filter(
            clinic=clinic,
            status=WaitlistEntry.Status.WAITING,
            earliest_date__lte=local_date,
            latest_date__gte=local_date,
        )
        .filter(Q(practitioner__isnull=True) | Q(practitioner=practitioner))
        .filter(service__practitioners=practitioner, service__is_active=True)
        .exclude(pk__in=list(skip))
        .select_related("service", "patient", "appointment")
        .order_by("created_at")[:20]
    )
    minutes = selectors.booking_rules(clinic).waitlist_offer_minutes
    for entry in candidates:
        if entry.appointment is not None and (
            entry.appointment.start <= start or entry.appointment.status not in Appointment.OPEN
        ):
            continue  # they asked for something earlier than what they have
        try:
            with transaction.atomic():
                hold = hold_create(
                    clinic=clinic,
                    actor=None,
                    patient=entry.patient,
                    practitioner=practitioner,
                    service=entry.service,
                    start=start,
                    minutes=minutes,
                    enforce_rules=True,
                    hold_ref=f"waitlist:{entry.pk}",
                    now=now,
                )
                entry.status = WaitlistEntry.Status.OFFERED
                entry.offered_hold = hold
                entry.offered_at = now
                entry.save(update_fields=["status", "offered_hold", "offered_at", "updated_at"])
                _audit("waitlist.offer", entry, actor=None, fields=["status", "offered_hold"])
        except (Conflict, InvalidInput):
            continue
        events.waitlist_offered(entry)
        return entry
    return None


@transaction.atomic
def waitlist_accept(*, entry: WaitlistEntry, actor, now: datetime | None = None) -> Appointment:
    """The patient takes the offered time: the hold becomes their appointment, and the later
    appointment they wanted to move (if any) is marked rescheduled to it."""
    now = now or timezone.now()
    entry = WaitlistEntry.objects.select_for_update().select_related("clinic").get(pk=entry.pk)
    if entry.status != WaitlistEntry.Status.OFFERED or entry.offered_hold_id is None:
        raise Conflict(_("There is no open offer on this waitlist entry."), code="no_offer")
    hold = Appointment.objects.get(pk=entry.offered_hold_id)
    if hold.status != S.HELD or hold.hold_expires_at <= now:
        entry.status = WaitlistEntry.Status.WAITING
        entry.offered_hold = None
        entry.save(update_fields=["status", "offered_hold", "updated_at"])
        raise Conflict(
            _("The offer has expired; you are still on the waitlist."), code="offer_expired"
        )
    previous = entry.appointment
    if previous is not None and previous.status in Appointment.OPEN:
        previous = _locked(previous)
        previous.status = S.RESCHEDULED
        previous.save(update_fields=["status", "updated_at"])
        hold.rescheduled_from = previous
        hold.reason_for_visit, hold.symptoms = previous.reason_for_visit, previous.symptoms
        hold.save(update_fields=["rescheduled_from", "reason_for_visit", "symptoms", "updated_at"])
    appointment = hold_convert_to_appointment(clinic=entry.clinic, actor=actor, hold=hold, now=now)
    entry.status = WaitlistEntry.Status.BOOKED
    entry.save(update_fields=["status", "updated_at"])
    _audit("waitlist.accept", entry, actor=actor, fields=["status"])
    return appointment
