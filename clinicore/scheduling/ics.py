"""iCalendar output: one appointment for the patient, a practitioner's private feed.

No health data goes into calendars (they end up in third-party calendar apps): the service
name, the clinic and the reservation code only — never reason, symptoms or notes.
"""

from datetime import datetime

from django.conf import settings
from icalendar import Calendar, Event

from clinicore.scheduling.models import Appointment

PRODID = "-//Clinicore//Scheduling//EN"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _event(appointment: Appointment, *, summary: str, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"{appointment.pk}@clinicore")
    event.add("dtstamp", now)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", summary)
    event.add("description", f"Reservation {appointment.reservation_code}")
    clinic = appointment.clinic
    location = ", ".join(p for p in (clinic.name, clinic.address_line, clinic.city) if p)
    if appointment.mode == "video":
        location = f"Video visit — {clinic.name}"
    event.add("location", location)
    event.add(
        "status", "CANCELLED" if appointment.status == Appointment.Status.CANCELLED else "CONFIRMED"
    )
    event.add("url", f"{settings.PUBLIC_BASE_URL}/me/")
    return event


def appointment_ics(appointment: Appointment, *, now: datetime) -> bytes:
    cal = _calendar(appointment.clinic.name)
    cal.add("method", "PUBLISH")
    summary = f"{appointment.service.name} — {appointment.clinic.name}"
    cal.add_component(_event(appointment, summary=summary, now=now))
    return cal.to_ical()


def practitioner_feed(practitioner, appointments, *, now: datetime) -> bytes:
    cal = _calendar(f"{practitioner.display_name} — {practitioner.clinic.name}")
    for appointment in appointments:
        patient = appointment.patient
        initial = (patient.last_name[:1] + ".") if patient.last_name else ""
        summary = f"{appointment.service.name}: {patient.first_name} {initial}".strip()
        cal.add_component(_event(appointment, summary=summary, now=now))
    return cal.to_ical()
