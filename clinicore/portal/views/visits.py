"""The person's appointments and the records their clinics share."""

from datetime import UTC, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicore.core.errors import DomainError
from clinicore.portal import selectors
from clinicore.portal.views.me import patient_area


@patient_area
@require_GET
def appointment_list(request):
    upcoming, past = selectors.my_upcoming_and_past(user=request.user, now=timezone.now())
    return render(
        request,
        _live_template(request, "portal/me/appointments.html", "rows"),
        {"upcoming": upcoming, "past": past, "me_nav": "appointments"},
    )


def _live_template(request, template: str, partial: str) -> str:
    """The whole page, or only its live part when the page's script asks for it again."""
    return f"{template}#{partial}" if request.GET.get("partial") == partial else template


@patient_area
@require_GET
def records(request):
    from clinicore.records import selectors as records_selectors
    from clinicore.records import services as records_services
    from clinicore.scheduling.models import Appointment

    visits = list(
        selectors.my_appointments(user=request.user)
        .filter(status=Appointment.Status.COMPLETED)
        .order_by("-start")[:100]
    )
    # What the clinics shared (records app): signed visit summaries, prescriptions, documents.
    summaries = list(records_selectors.shared_treatment_records_for_user(user=request.user)[:100])
    prescriptions = list(records_selectors.shared_prescriptions_for_user(user=request.user)[:100])
    documents = list(records_selectors.shared_documents_for_user(user=request.user)[:100])
    for patient in selectors.my_patient_records(user=request.user):
        records_services.patient_records_read(patient=patient, actor=request.user, as_patient=True)
    return render(
        request,
        "portal/me/records.html",
        {
            "visits": visits,
            "summaries": summaries,
            "prescriptions": prescriptions,
            "documents": documents,
            "me_nav": "records",
        },
    )


def _google_calendar_url(appointment) -> str:
    from urllib.parse import urlencode

    fmt = "%Y%m%dT%H%M%SZ"
    start = appointment.start.astimezone(UTC).strftime(fmt)
    end = appointment.end.astimezone(UTC).strftime(fmt)
    return "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": f"{appointment.service.name} · {appointment.clinic.name}",
            "dates": f"{start}/{end}",
            "details": _("Reservation %(code)s") % {"code": appointment.reservation_code},
            "location": _location(appointment),
        }
    )


def _location(appointment) -> str:
    if appointment.mode == "video":
        return _("Video visit")
    clinic = appointment.clinic
    return ", ".join(x for x in (clinic.name, clinic.address_line, clinic.city) if x)


def _can_change(appointment, now) -> bool:
    from clinicore.scheduling.models import Appointment

    if appointment.status not in Appointment.OPEN or appointment.status in (
        Appointment.Status.CHECKED_IN,
        Appointment.Status.IN_PROGRESS,
    ):
        return False
    cutoff = appointment.start - timedelta(hours=appointment.service.cancellation_cutoff_hours)
    return now <= cutoff


def _video_url(appointment, now) -> str:
    """The video room's page while telehealth's window for this visit is open."""
    from clinicore.telehealth.access import JOINABLE, room_window

    if appointment.mode != "video" or appointment.status not in JOINABLE:
        return ""
    window = room_window(appointment)
    if not (window.opens_at <= now <= window.closes_at):
        return ""
    return reverse("telehealth-portal:video", kwargs={"appointment_id": appointment.pk})


@patient_area
@require_GET
def appointment_detail(request, appointment_id):
    appointment = selectors.my_appointment(user=request.user, appointment_id=appointment_id)
    now = timezone.now()
    return render(
        request,
        _live_template(request, "portal/me/appointment.html", "live"),
        {
            "a": appointment,
            "replaced_by": selectors.my_appointment_replacement(
                user=request.user, appointment=appointment
            ),
            "booked": request.GET.get("booked") == "1",
            "can_change": _can_change(appointment, now),
            "cutoff_hours": appointment.service.cancellation_cutoff_hours,
            "google_url": _google_calendar_url(appointment),
            "video_url": _video_url(appointment, now),
            "location": _location(appointment),
            "me_nav": "appointments",
        },
    )


@patient_area
@require_GET
def appointment_ics(request, appointment_id):
    from icalendar import Calendar, Event

    appointment = selectors.my_appointment(user=request.user, appointment_id=appointment_id)
    cal = Calendar()
    cal.add("prodid", "-//Clinicore//Patient portal//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"{appointment.pk}@clinicore")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.start.astimezone(UTC))
    event.add("dtend", appointment.end.astimezone(UTC))
    event.add("summary", f"{appointment.service.name} · {appointment.clinic.name}")
    event.add("location", _location(appointment))
    event.add(
        "description",
        _("Reservation %(code)s with %(who)s")
        % {"code": appointment.reservation_code, "who": appointment.practitioner.display_name},
    )
    if appointment.status in ("cancelled", "rescheduled"):
        event.add("status", "CANCELLED")
    cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{appointment.reservation_code}.ics"'
    return response


@patient_area
@require_POST
def appointment_cancel(request, appointment_id):
    from clinicore.scheduling import services as scheduling_services

    appointment = selectors.my_appointment(user=request.user, appointment_id=appointment_id)
    try:
        scheduling_services.appointment_cancel(
            appointment=appointment,
            actor=request.user,
            reason=request.POST.get("reason", "")[:500],
            as_patient=True,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your appointment is cancelled."))
    return redirect("portal:appointment", appointment_id=appointment.pk)


@patient_area
@require_http_methods(["GET", "POST"])
def appointment_reschedule(request, appointment_id):
    from datetime import date

    from clinicore.portal import calendar
    from clinicore.scheduling import services as scheduling_services

    appointment = selectors.my_appointment(user=request.user, appointment_id=appointment_id)
    clinic = appointment.clinic
    now = timezone.now()
    if not _can_change(appointment, now):
        messages.error(
            request, _("This appointment can no longer be moved online; please call the clinic.")
        )
        return redirect("portal:appointment", appointment_id=appointment.pk)
    lost = ""
    nearest = []
    if request.method == "POST":
        start = calendar.slot_parse(request.POST.get("slot", ""))
        if start is not None:
            try:
                new = scheduling_services.appointment_reschedule(
                    appointment=appointment, actor=request.user, start=start, as_patient=True
                )
            except DomainError as exc:
                if exc.code not in ("slot_unavailable", "not_a_slot"):
                    messages.error(request, exc.message)
                    return redirect("portal:appointment", appointment_id=appointment.pk)
                lost = _("Someone booked this time a moment ago. Here are the nearest free times.")
                nearest = calendar.nearest_free(
                    clinic=clinic,
                    service=appointment.service,
                    practitioner_id=appointment.practitioner_id,
                    mode=appointment.mode,
                    wanted=start,
                    now=now,
                )
            else:
                messages.success(request, _("Your appointment is moved."))
                return redirect(
                    reverse("portal:appointment", kwargs={"appointment_id": new.pk}) + "?booked=1"
                )
    try:
        first = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        first = calendar.clinic_today(clinic, now)
    cal = calendar.two_weeks(
        clinic=clinic,
        service=appointment.service,
        practitioner_id=appointment.practitioner_id,
        mode=appointment.mode,
        first=first,
        now=now,
        exclude_appointment_id=appointment.pk,
    )
    template = "portal/me/reschedule.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "slots":
        template = "portal/me/reschedule.html#slots"
    return render(
        request,
        template,
        {
            "a": appointment,
            "clinic": clinic,
            "cal": cal,
            "lost": lost,
            "nearest": nearest,
            "me_nav": "appointments",
        },
        status=409 if lost else 200,
    )
