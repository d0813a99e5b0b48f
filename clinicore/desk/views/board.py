"""The front desk: today's board, scanning cards to check in, walk-ins and phone bookings."""

import datetime as dt
import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.clinics.permissions import Perm
from clinicore.core.errors import DomainError, InvalidInput
from clinicore.desk import selectors, services
from clinicore.desk.models import ScanEvent
from clinicore.desk.views.common import can, clinic_view, local_datetime, parse_day
from clinicore.patients.access import patient_get_for_clinic
from clinicore.patients.selectors import patient_search
from clinicore.scheduling import selectors as sched
from clinicore.scheduling.access import (
    appointment_get_for_clinic,
    practitioner_get_for_clinic,
    service_get_for_clinic,
)
from clinicore.scheduling.models import Service


def _board_context(request):
    clinic = request.clinic
    day = parse_day(request.GET.get("day"), selectors.today(clinic))
    mine = request.GET.get("mine") == "1" or (
        request.membership.is_practitioner and request.GET.get("mine") != "0"
    )
    practitioner_id = request.membership.pk if mine and request.membership.is_practitioner else None
    board = selectors.board_for_day(clinic=clinic, day=day, practitioner_id=practitioner_id)
    return {
        "nav": "board",
        "board": board,
        "day": day,
        "mine": bool(practitioner_id),
        "is_today": day == selectors.today(clinic),
        "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "can_book": can(request, Perm.SCHEDULE_BOOK),
        "sees_clinical": can(request, Perm.PATIENTS_CLINICAL_READ),
        "recent_scans": ScanEvent.objects.filter(clinic=clinic).select_related("patient")[:5]
        if can(request, Perm.SCHEDULE_BOOK)
        else [],
    }


@clinic_view(Perm.SCHEDULE_READ, methods=("GET",))
def board(request):
    context = _board_context(request)
    if request.headers.get("HX-Request") and request.GET.get("partial") == "rows":
        return render(request, "desk/board.html#rows", context)
    return render(request, "desk/board.html", context)


@clinic_view(Perm.SCHEDULE_BOOK, methods=("GET", "POST"))
def scan(request):
    """The scan box posts here (wedge scanners type the code and Enter; the camera fills it)."""
    result, error = None, None
    if request.method == "POST":
        source = request.POST.get("source") or ScanEvent.Source.WEDGE
        try:
            result = services.barcode_scan(
                clinic=request.clinic,
                actor=request.user,
                code=request.POST.get("code", "")[:64],
                source=source,
            )
        except DomainError as exc:
            error = exc.message
    context = {
        "nav": "board",
        "result": result,
        "error": error,
        "sees_clinical": can(request, Perm.PATIENTS_CLINICAL_READ),
    }
    if request.headers.get("HX-Request"):
        response = render(request, "desk/scan.html#result", context)
        if result and result.checked_in:
            response["HX-Trigger"] = "board-refresh"
        return response
    return render(request, "desk/scan.html", context, status=422 if error else 200)


@clinic_view(Perm.SCHEDULE_BOOK, methods=("POST",))
def appointment_act(request, appointment_id):
    appointment = appointment_get_for_clinic(clinic=request.clinic, appointment_id=appointment_id)
    action = request.POST.get("action", "")
    practitioner = None
    start = None
    room_id = None
    try:
        if action == "room":
            room_id = _room_id(request.POST.get("room_id", ""))
        if action == "move":
            start = local_datetime(
                request.clinic, request.POST.get("date", ""), request.POST.get("time", "")
            )
            if request.POST.get("practitioner_id"):
                practitioner = practitioner_get_for_clinic(
                    clinic=request.clinic, practitioner_id=request.POST["practitioner_id"]
                )
        result = services.board_action(
            clinic=request.clinic,
            actor=request.user,
            appointment=appointment,
            action=action,
            reason=request.POST.get("reason", ""),
            start=start,
            practitioner=practitioner,
            room_id=room_id,
        )
        if action == "room":
            done = _("%(code)s: room changed.") % {"code": result.reservation_code}
        else:
            done = _("%(code)s: %(status)s.") % {
                "code": result.reservation_code,
                "status": result.get_status_display(),
            }
        messages.success(request, done)
    except DomainError as exc:
        messages.error(request, exc.message)
    nxt = request.POST.get("next", "")
    if nxt.startswith(f"/c/{request.clinic.slug}/desk/"):
        return redirect(nxt)
    return redirect("desk:board", clinic_slug=request.clinic.slug)


def _room_id(value: str) -> uuid.UUID | None:
    """The room chosen in the calendar's Room form; empty takes the visit out of its room."""
    try:
        return uuid.UUID(value.strip()) if value.strip() else None
    except ValueError:
        raise InvalidInput(_("Choose a room of this clinic.")) from None


def _services(clinic):
    return Service.objects.filter(clinic=clinic, is_active=True).order_by("name")


@clinic_view(Perm.SCHEDULE_BOOK, methods=("GET", "POST"))
def walk_in(request):
    clinic = request.clinic
    services_ = list(_services(clinic))
    practitioners = list(sched.practitioners_of(clinic))
    error, values = None, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            service = service_get_for_clinic(
                clinic=clinic, service_id=request.POST.get("service_id", ""), active_only=True
            )
            patient, appointment = services.walk_in_register(
                clinic=clinic,
                actor=request.user,
                service=service,
                first_name=request.POST.get("first_name", "")[:100],
                last_name=request.POST.get("last_name", "")[:100],
                phone=request.POST.get("phone", "")[:20],
                practitioner_id=request.POST.get("practitioner_id") or None,
            )
            local = timezone.localtime(appointment.start, selectors.ZoneInfo(clinic.time_zone))
            messages.success(
                request,
                _("%(name)s is booked at %(time)s with %(who)s (%(code)s).")
                % {
                    "name": patient.full_name,
                    "time": local.strftime("%H:%M"),
                    "who": appointment.practitioner.display_name,
                    "code": appointment.reservation_code,
                },
            )
            return redirect("desk:board", clinic_slug=clinic.slug)
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "desk/walk_in.html",
        {
            "nav": "board",
            "services": services_,
            "practitioners": practitioners,
            "error": error,
            "values": values,
        },
        status=422 if error else 200,
    )


@clinic_view(Perm.SCHEDULE_BOOK, methods=("GET", "POST"))
def phone_booking(request):
    """Quick booking on the phone: find the caller, pick a service; the next free time is offered."""
    clinic = request.clinic
    data = request.POST if request.method == "POST" else request.GET
    q = data.get("q", "").strip()[:100]
    matches = list(patient_search(clinic=clinic, q=q)[:8]) if q else []
    if q and not matches:  # a reservation code read out on the phone
        by_code, _appointment = selectors.patient_by_code(clinic=clinic, code=q)
        matches = [by_code] if by_code else []
    services_ = list(_services(clinic))
    practitioners = list(sched.practitioners_of(clinic))
    chosen_patient = None
    if data.get("patient_id"):
        chosen_patient = patient_get_for_clinic(clinic=clinic, patient_id=data["patient_id"])
    elif len(matches) == 1:
        chosen_patient = matches[0]
    service = None
    if data.get("service_id"):
        service = service_get_for_clinic(
            clinic=clinic, service_id=data["service_id"], active_only=True
        )
    elif len(services_) == 1:
        service = services_[0]
    suggestion = None
    if service is not None:
        suggestion = selectors.next_free_slot(
            clinic=clinic, service=service, practitioner_id=data.get("practitioner_id") or None
        )
    error = None
    if request.method == "POST" and request.POST.get("book"):
        try:
            if chosen_patient is None or service is None:
                raise InvalidInput(_("Choose the patient and the service."))
            practitioner = practitioner_get_for_clinic(
                clinic=clinic, practitioner_id=request.POST.get("practitioner_id", "")
            )
            start = local_datetime(
                clinic, request.POST.get("date", ""), request.POST.get("time", "")
            )
            appointment = services.phone_booking(
                clinic=clinic,
                actor=request.user,
                patient=chosen_patient,
                service=service,
                practitioner=practitioner,
                start=start,
            )
            messages.success(
                request,
                _("Booked %(name)s, reservation %(code)s.")
                % {"name": chosen_patient.full_name, "code": appointment.reservation_code},
            )
            return redirect("desk:board", clinic_slug=clinic.slug)
        except DomainError as exc:
            error = exc.message
    tz = selectors.ZoneInfo(clinic.time_zone)
    return render(
        request,
        "desk/phone_booking.html",
        {
            "nav": "board",
            "q": q,
            "matches": matches,
            "patient": chosen_patient,
            "services": services_,
            "service": service,
            "practitioners": practitioners,
            "suggestion": suggestion,
            "suggested_local": suggestion.start.astimezone(tz) if suggestion else None,
            "error": error,
            "chosen_practitioner": data.get("practitioner_id")
            or (str(suggestion.practitioner.pk) if suggestion else ""),
        },
        status=422 if error else 200,
    )


@clinic_view(Perm.PATIENTS_READ, methods=("GET",))
def patient_card(request, patient_id):
    """A printable card: name, clinic, and the barcode/QR the desk scans at check-in."""
    import io

    import segno
    from barcode import Code128
    from barcode.writer import SVGWriter

    patient = patient_get_for_clinic(clinic=request.clinic, patient_id=patient_id)
    qr_svg = segno.make(patient.barcode, error="m").svg_inline(scale=4, dark="#000")
    buffer = io.BytesIO()
    Code128(patient.barcode, writer=SVGWriter()).write(
        buffer, options={"module_height": 12, "write_text": True, "quiet_zone": 2}
    )
    barcode_svg = buffer.getvalue().decode()
    barcode_svg = barcode_svg[barcode_svg.find("<svg") :]
    return render(
        request,
        "desk/card.html",
        {"nav": "patients", "patient": patient, "qr_svg": qr_svg, "barcode_svg": barcode_svg},
    )


@clinic_view(Perm.PATIENTS_MERGE, methods=("GET", "POST"))
def patient_merge_page(request):
    """Two records of one person: pick the one to keep and the duplicate; see what moves."""
    from clinicore.patients.services import patient_merge

    clinic = request.clinic
    data = request.POST if request.method == "POST" else request.GET
    keep = (
        patient_get_for_clinic(clinic=clinic, patient_id=data["keep"]) if data.get("keep") else None
    )
    duplicate = (
        patient_get_for_clinic(clinic=clinic, patient_id=data["duplicate"])
        if data.get("duplicate")
        else None
    )
    q = data.get("q", "").strip()[:100]
    matches = (
        [p for p in patient_search(clinic=clinic, q=q)[:10] if not keep or p.pk != keep.pk]
        if q
        else []
    )
    error = None
    if request.method == "POST" and keep and duplicate:
        try:
            patient_merge(clinic=clinic, keep=keep, duplicate=duplicate, actor=request.user)
            messages.success(
                request,
                _("%(dup)s was merged into %(keep)s.")
                % {"dup": duplicate.full_name, "keep": keep.full_name},
            )
            return redirect("patients:detail", clinic_slug=clinic.slug, patient_id=keep.pk)
        except DomainError as exc:
            error = exc.message
    counts = {}
    if duplicate is not None:
        from clinicore.billing.models import Invoice
        from clinicore.scheduling.models import Appointment

        counts = {
            "appointments": Appointment.objects.filter(clinic=clinic, patient=duplicate).count(),
            "invoices": Invoice.objects.filter(clinic=clinic, patient=duplicate).count(),
        }
    return render(
        request,
        "desk/merge.html",
        {
            "nav": "patients",
            "keep": keep,
            "duplicate": duplicate,
            "q": q,
            "matches": matches,
            "error": error,
            "counts": counts,
        },
        status=422 if error else 200,
    )
