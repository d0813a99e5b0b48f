"""Writes of the front desk: scanning a card to check in, walk-ins, phone bookings, board moves.

Each one calls the scheduling and patients services (which audit and check transitions), then
tells every open board of the clinic to refresh after the transaction commits.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.core.live import live_group, live_publish
from clinicore.desk import selectors
from clinicore.desk.models import ScanEvent
from clinicore.patients.services import patient_create
from clinicore.scheduling import services as scheduling
from clinicore.scheduling.models import Appointment

S = Appointment.Status


def board_changed(clinic, *, event: str, appointment_id=None) -> None:
    """Open boards of the clinic reload their rows (ids and states only; no health data). Status
    changes need no call here: scheduling's events refresh the boards after commit."""
    payload = {"event": event, "clinic_id": str(clinic.pk)}
    if appointment_id:
        payload["appointment_id"] = str(appointment_id)
    live_publish(live_group("board", str(clinic.pk)), payload)


@dataclass
class ScanResult:
    scan: ScanEvent
    patient: object
    appointment: Appointment | None
    checked_in: bool

    @property
    def message(self) -> str:
        outcome = self.scan.outcome
        if outcome == ScanEvent.Outcome.UNKNOWN:
            return _("No patient has this code.")
        name = self.patient.full_name
        if outcome == ScanEvent.Outcome.CHECKED_IN:
            return _("%(name)s is checked in.") % {"name": name}
        if outcome == ScanEvent.Outcome.ALREADY_IN:
            return _("%(name)s was already checked in.") % {"name": name}
        if outcome == ScanEvent.Outcome.NO_APPOINTMENT:
            return _("%(name)s has no appointment today.") % {"name": name}
        return _("Found %(name)s.") % {"name": name}


def _open_today(clinic, appointment: Appointment | None, now: dt.datetime) -> bool:
    if appointment is None or appointment.status not in (
        *selectors.EXPECTED,
        S.CHECKED_IN,
        S.IN_PROGRESS,
    ):
        return False
    start, end = selectors.local_day_bounds(clinic, selectors.today(clinic, now))
    return start <= appointment.start < end


@transaction.atomic
def barcode_scan(
    *,
    clinic,
    actor,
    code: str,
    source: str = ScanEvent.Source.WEDGE,
    check_in: bool = True,
    now: dt.datetime | None = None,
) -> ScanResult:
    """Finds the patient by card barcode (or reservation code), shows today's visit, checks them
    in when they are expected, and records the scan whatever happened."""
    now = now or timezone.now()
    code = (code or "").strip()
    if not code:
        raise InvalidInput(_("Scan or type a code."), fields={"code": _("Required.")})
    if source not in ScanEvent.Source.values:
        raise InvalidInput(fields={"source": "wedge, camera or api"})
    patient, appointment = selectors.patient_by_code(clinic=clinic, code=code)
    checked_in = False
    if patient is None:
        outcome = ScanEvent.Outcome.UNKNOWN
    else:
        # A reservation code names one visit; the desk acts on it only if it is an open visit
        # today, otherwise on the patient's visit today (a code for next week checks nobody in).
        if not _open_today(clinic, appointment, now):
            appointment = selectors.todays_appointment(clinic=clinic, patient=patient, now=now)
        if appointment is None:
            outcome = ScanEvent.Outcome.NO_APPOINTMENT
        elif appointment.status in (S.CHECKED_IN, S.IN_PROGRESS):
            outcome = ScanEvent.Outcome.ALREADY_IN
        elif check_in:
            appointment = scheduling.appointment_check_in(
                appointment=appointment, actor=actor, now=now
            )
            checked_in = True
            outcome = ScanEvent.Outcome.CHECKED_IN
        else:
            outcome = ScanEvent.Outcome.FOUND
    scan = ScanEvent.objects.create(
        clinic=clinic,
        code=code[:64],
        source=source,
        outcome=outcome,
        patient=patient,
        appointment=appointment,
        scanned_by=actor,
    )
    audit_record(
        action="barcode.scan",
        entity_type="patient" if patient else "scan",
        entity_id=patient.pk if patient else scan.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=["code", "outcome"],
    )
    return ScanResult(scan=scan, patient=patient, appointment=appointment, checked_in=checked_in)


@transaction.atomic
def walk_in_register(
    *,
    clinic,
    actor,
    service,
    first_name: str,
    last_name: str = "",
    phone: str = "",
    practitioner_id=None,
    check_in: bool = True,
    now: dt.datetime | None = None,
):
    """A new patient at the counter: a record in seconds, the next free slot, checked in."""
    now = now or timezone.now()
    slot = selectors.next_free_slot(
        clinic=clinic, service=service, practitioner_id=practitioner_id, now=now
    )
    if slot is None:
        raise Conflict(
            _("Nobody has free time for this service in the next week."), code="no_free_slot"
        )
    patient = patient_create(
        clinic=clinic, actor=actor, first_name=first_name, last_name=last_name, phone=phone
    )
    appointment, _created = scheduling.appointment_book(
        clinic=clinic,
        actor=actor,
        patient=patient,
        practitioner=slot.practitioner,
        service=service,
        start=slot.start,
        now=now,
        source_channel="walk_in",
    )
    if check_in and slot.start - now <= dt.timedelta(hours=2):
        appointment = scheduling.appointment_check_in(appointment=appointment, actor=actor, now=now)
    return patient, appointment


@transaction.atomic
def phone_booking(
    *,
    clinic,
    actor,
    patient,
    service,
    practitioner,
    start: dt.datetime,
    now: dt.datetime | None = None,
) -> Appointment:
    """A booking taken on the phone for an existing patient (staff rules: inside working hours)."""
    appointment, _created = scheduling.appointment_book(
        clinic=clinic,
        actor=actor,
        patient=patient,
        practitioner=practitioner,
        service=service,
        start=start,
        now=now,
        source_channel="phone",
    )
    return appointment


ACTIONS = {
    "confirm": scheduling.appointment_confirm,
    "check_in": scheduling.appointment_check_in,
    "start": scheduling.appointment_start,
    "check_out": scheduling.appointment_check_out,
    "no_show": scheduling.appointment_no_show,
}


@transaction.atomic
def board_action(
    *,
    clinic,
    actor,
    appointment: Appointment,
    action: str,
    reason: str = "",
    start: dt.datetime | None = None,
    practitioner=None,
    room_id=None,
) -> Appointment:
    """One button on the board or calendar: the status machine in scheduling decides (409 if not)."""
    if action == "cancel":
        result = scheduling.appointment_cancel(appointment=appointment, actor=actor, reason=reason)
    elif action == "move":
        if start is None:
            raise InvalidInput(_("Choose the new time."), fields={"start": _("Required.")})
        result = scheduling.appointment_reschedule(
            appointment=appointment, actor=actor, start=start, practitioner=practitioner
        )
    elif action == "room":
        # A room change is no status change: scheduling publishes nothing, so the board is told.
        result = scheduling.appointment_update(
            appointment=appointment, actor=actor, room_id=room_id
        )
        board_changed(clinic, event="appointment.room", appointment_id=result.pk)
    elif action in ACTIONS:
        result = ACTIONS[action](appointment=appointment, actor=actor)
    else:
        raise InvalidInput(
            _("Unknown action."),
            fields={"action": ", ".join([*ACTIONS, "cancel", "move", "room"])},
        )
    return result
