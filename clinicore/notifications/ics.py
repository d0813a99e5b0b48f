"""Calendar invitations (.ics) attached to booking confirmations."""

from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as CalendarEvent


def calendar_invite(
    *,
    uid: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    location: str = "",
    description: str = "",
) -> str:
    cal = Calendar()
    cal.add("prodid", "-//Clinicore//Appointments//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = CalendarEvent()
    event.add("uid", uid)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", starts_at.astimezone(UTC))
    event.add("dtend", ends_at.astimezone(UTC))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    cal.add_component(event)
    return cal.to_ical().decode()
