"""REST operations: availability and appointments (/appointments), schedule management (/scheduling)."""

import uuid
from datetime import date, time, timedelta

from django.http import HttpResponse
from django.utils import timezone
from ninja import Header, Query

from clinicore.api.pagination import PageParams, page_of, paginate
from clinicore.api.policy import PUBLIC, ClinicRouter, policy
from clinicore.clinics.access import clinic_get_by_slug
from clinicore.clinics.permissions import Perm, role_has
from clinicore.core.errors import Forbidden, InvalidInput, NotFound
from clinicore.patients.access import patient_get_for_clinic
from clinicore.patients.models import Patient
from clinicore.scheduling import access, ics, selectors, services
from clinicore.scheduling import availability as av
from clinicore.scheduling.models import (
    Appointment,
    ClinicClosure,
    ScheduleOverride,
    Service,
    TimeOff,
    WaitlistEntry,
    WorkingHours,
)
from clinicore.scheduling.schemas import (
    AppointmentIn,
    AppointmentOut,
    AppointmentUpdate,
    AvailabilityOut,
    BookingRulesIn,
    BookingRulesOut,
    CalendarOut,
    ClosureIn,
    ClosureOut,
    FeedOut,
    HoldIn,
    OverrideIn,
    OverrideOut,
    RescheduleIn,
    SeriesIn,
    SeriesOut,
    SeriesUpdate,
    ServiceIn,
    ServiceOut,
    ServiceUpdate,
    TimeOffIn,
    TimeOffOut,
    WaitlistIn,
    WaitlistOut,
    WeeklyRangeOut,
    WorkingHoursIn,
)

router = ClinicRouter(tags=["appointments"])
manage_router = ClinicRouter(tags=["scheduling"])


# --- Who is acting ----------------------------------------------------------------------------------


def _clinic(request):
    clinic = request.auth.clinic
    if clinic is None:
        raise Forbidden("Choose the clinic you act for (sign in with a clinic, or send X-Clinic).")
    return clinic


def _is_patient(request) -> bool:
    p = request.auth
    return p.user is not None and p.membership is None and p.api_key is None


def _patient_user(request):
    return request.auth.user if _is_patient(request) else None


def _sees_clinical(request) -> bool:
    p = request.auth
    if p.api_key is not None:
        return Perm.PATIENTS_CLINICAL_READ in (p.api_key.scopes or [])
    return bool(p.membership and role_has(p.membership.role, Perm.PATIENTS_CLINICAL_READ))


def _acting_patient(request, clinic, patient_id) -> Patient:
    if _is_patient(request):
        patient = Patient.objects.filter(
            clinic=clinic, user=request.auth.user, is_active=True
        ).first()
        if patient is None:
            raise NotFound(
                "You have no patient record at this clinic yet.", code="patient_not_found"
            )
        return patient
    if patient_id is None:
        raise InvalidInput("Choose the patient.", fields={"patient_id": "Required."})
    return patient_get_for_clinic(clinic=clinic, patient_id=patient_id)


def _principal_ref(request) -> str:
    p = request.auth
    if p.api_key is not None:
        return f"key:{p.api_key.pk}"
    return f"user:{p.user.pk}"


def _appointment(request, appointment_id) -> Appointment:
    return access.appointment_get_for_clinic(
        clinic=_clinic(request), appointment_id=appointment_id, patient_user=_patient_user(request)
    )


def _out(a: Appointment, *, clinical: bool, own: bool = False) -> dict:
    return {
        "id": a.pk,
        "reservation_code": a.reservation_code,
        "clinic_id": a.clinic_id,
        "patient_id": a.patient_id,
        "patient_name": a.patient.full_name,
        "practitioner_id": a.practitioner_id,
        "practitioner_name": a.practitioner.display_name,
        "service_id": a.service_id,
        "service_name": a.service.name,
        "start": a.start,
        "end": a.end,
        "time_zone": a.clinic.time_zone,
        "mode": a.mode,
        "kind": a.kind,
        "status": a.status,
        "booking_mode": a.booking_mode,
        "period": a.period,
        "reason_for_visit": a.reason_for_visit,
        "symptoms": a.symptoms if (clinical or own) else None,
        "notes": a.notes if clinical else None,
        "cancellation_reason": a.cancellation_reason,
        "confirmed_at": a.confirmed_at,
        "checked_in_at": a.checked_in_at,
        "started_at": a.started_at,
        "checked_out_at": a.checked_out_at,
        "created_by": a.created_by,
        "source_channel": a.source_channel,
        "series_id": a.series_id,
        "series_index": a.series_index,
        "rescheduled_from_id": a.rescheduled_from_id,
        "room_id": a.room_id,
        "hold_expires_at": a.hold_expires_at if a.status == Appointment.Status.HELD else None,
    }


def _respond(request, a: Appointment) -> dict:
    return _out(a, clinical=_sees_clinical(request), own=_is_patient(request))


def _date_range(clinic, start_date: date | None, end_date: date | None) -> tuple[date, date]:
    today = timezone.now().astimezone(selectors.clinic_tz(clinic)).date()
    first = start_date or today
    last = end_date or first + timedelta(days=selectors.DEFAULT_RANGE_DAYS - 1)
    if last < first:
        raise InvalidInput(
            "end_date is before start_date.", fields={"end_date": "Before start_date."}
        )
    if (last - first).days >= selectors.MAX_RANGE_DAYS:
        raise InvalidInput(
            f"Ask for at most {selectors.MAX_RANGE_DAYS} days at a time.",
            fields={"end_date": f"At most {selectors.MAX_RANGE_DAYS} days after start_date."},
        )
    return first, last


# --- Availability and calendar ------------------------------------------------------------------------


@router.get(
    "/availability",
    response=AvailabilityOut,
    auth=None,
    summary="Free slots to book",
    description=(
        "Open to everyone (patients browse before signing in). Slots of the service for each "
        "practitioner who offers it, with start/end in the clinic's time zone offset. Up to 31 days; "
        "the default is two weeks from today. `periods` gives, per date, the visits that still fit "
        "each morning/afternoon/evening for time-period booking."
    ),
    openapi_extra=policy(PUBLIC),
)
def availability(
    request,
    clinic: str = Query(..., description="The clinic's slug.", examples=["clinic-a"]),
    start_date: date | None = None,
    end_date: date | None = None,
    doctor_id: uuid.UUID | None = Query(
        None, description="Only this practitioner (membership id)."
    ),
    service_id: uuid.UUID | None = Query(
        None, description="Defaults to the clinic's first service by name."
    ),
    mode: str | None = Query(None, pattern="^(in_person|video)$"),
):
    the_clinic = clinic_get_by_slug(clinic)
    first, last = _date_range(the_clinic, start_date, end_date)
    if service_id is not None:
        service = access.service_get_for_clinic(
            clinic=the_clinic, service_id=service_id, active_only=True
        )
    else:
        service = Service.objects.filter(clinic=the_clinic, is_active=True).order_by("name").first()
    body = {
        "clinic": the_clinic.slug,
        "time_zone": the_clinic.time_zone,
        "start_date": first,
        "end_date": last,
        "service_id": service.pk if service else None,
        "slots": [],
        "periods": [],
    }
    if service is None:
        body["service_id"] = uuid.UUID(int=0)
        return body
    slots, practitioners = selectors.available_slots(
        clinic=the_clinic,
        service=service,
        first=first,
        last=last,
        now=timezone.now(),
        practitioner_id=doctor_id,
        mode=mode,
    )
    tz = selectors.clinic_tz(the_clinic)
    body["slots"] = [
        {
            "start": s.start.astimezone(tz),
            "end": s.end.astimezone(tz),
            "practitioner_id": s.practitioner_id,
            "practitioner_name": practitioners[s.practitioner_id].display_name,
            "mode": s.mode,
        }
        for s in slots
    ]
    body["periods"] = [
        {"date": d, "period": p, "remaining": n}
        for (d, p), n in sorted(av.period_capacity(slots, tz).items())
        if first <= d <= last
    ]
    return body


@router.get(
    "/calendar",
    response=CalendarOut,
    summary="Clinic or practitioner calendar",
    description="Appointments from start_date to end_date (default: two weeks from today), for staff.",
    openapi_extra=policy(Perm.SCHEDULE_READ),
)
def calendar(
    request,
    start_date: date | None = None,
    end_date: date | None = None,
    practitioner_id: uuid.UUID | None = None,
):
    clinic = _clinic(request)
    first, last = _date_range(clinic, start_date, end_date)
    if practitioner_id is not None:
        access.practitioner_get_for_clinic(clinic=clinic, practitioner_id=practitioner_id)
    practitioners = selectors.practitioners_of(clinic, practitioner_id=practitioner_id)
    items = selectors.calendar(
        clinic=clinic, first=first, last=last, practitioner_id=practitioner_id
    ).select_related("clinic")[:2000]
    clinical = _sees_clinical(request)
    return {
        "start_date": first,
        "end_date": last,
        "time_zone": clinic.time_zone,
        "practitioners": [
            {"id": m.pk, "name": m.display_name, "specialization": m.specialization}
            for m in practitioners
        ],
        "appointments": [_out(a, clinical=clinical) for a in items],
    }


# --- Holds ---------------------------------------------------------------------------------------------


@router.post(
    "/holds",
    response={201: AppointmentOut},
    summary="Hold a slot for a few minutes",
    description="Keeps the slot while the patient pays; it frees itself when `hold_expires_at` passes.",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, patient=True),
)
def create_hold(request, payload: HoldIn):
    clinic = _clinic(request)
    hold = services.hold_create(
        clinic=clinic,
        actor=request.auth.user,
        patient=_acting_patient(request, clinic, payload.patient_id),
        practitioner=access.practitioner_get_for_clinic(
            clinic=clinic, practitioner_id=payload.practitioner_id
        ),
        service=access.service_get_for_clinic(
            clinic=clinic, service_id=payload.service_id, active_only=True
        ),
        start=payload.start,
        mode=payload.mode,
        enforce_rules=_is_patient(request) or request.auth.api_key is not None,
    )
    return 201, _respond(request, hold)


@router.delete(
    "/holds/{hold_id}",
    response=AppointmentOut,
    summary="Release a hold",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, obj="hold", patient=True),
)
def release_hold(request, hold_id: uuid.UUID):
    clinic = _clinic(request)
    hold = access.hold_get_for_clinic(
        clinic=clinic, hold_id=hold_id, patient_user=_patient_user(request)
    )
    return _respond(
        request, services.hold_release(clinic=clinic, actor=request.auth.user, hold=hold)
    )


# --- Series -------------------------------------------------------------------------------------------


def _series_out(request, series) -> dict:
    items = (
        Appointment.objects.filter(series=series)
        .select_related("patient", "practitioner__user", "service", "clinic")
        .order_by("series_index", "start")
    )
    return {
        "id": series.pk,
        "patient_id": series.patient_id,
        "practitioner_id": series.practitioner_id,
        "service_id": series.service_id,
        "occurrences": series.occurrences,
        "interval_days": series.interval_days,
        "appointments": [_respond(request, a) for a in items],
    }


@router.post(
    "/series",
    response={201: SeriesOut},
    summary="Book recurring follow-ups",
    description="Books every occurrence (same local time each time) or none; each can later move or be cancelled alone.",
    openapi_extra=policy(Perm.SCHEDULE_BOOK),
)
def create_series(request, payload: SeriesIn):
    clinic = _clinic(request)
    series = services.series_create(
        clinic=clinic,
        actor=request.auth.user,
        patient=_acting_patient(request, clinic, payload.patient_id),
        practitioner=access.practitioner_get_for_clinic(
            clinic=clinic, practitioner_id=payload.practitioner_id
        ),
        service=access.service_get_for_clinic(
            clinic=clinic, service_id=payload.service_id, active_only=True
        ),
        first_start=payload.first_start,
        occurrences=payload.occurrences,
        interval_days=payload.interval_days,
        kind=payload.kind,
        reason_for_visit=payload.reason_for_visit,
    )
    return 201, _series_out(request, series)


@router.get(
    "/series/{series_id}",
    response=SeriesOut,
    summary="Get a series and its occurrences",
    openapi_extra=policy(Perm.SCHEDULE_READ, obj="series"),
)
def get_series(request, series_id: uuid.UUID):
    return _series_out(
        request, access.series_get_for_clinic(clinic=_clinic(request), series_id=series_id)
    )


@router.put(
    "/series/{series_id}",
    response=SeriesOut,
    summary="Change every upcoming occurrence",
    description="Applies the fields sent to each upcoming open occurrence; past or cancelled ones are left alone.",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, obj="series"),
)
def update_series(request, series_id: uuid.UUID, payload: SeriesUpdate):
    series = access.series_get_for_clinic(clinic=_clinic(request), series_id=series_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.series_update(series=series, actor=request.auth.user, **data)
    return _series_out(request, series)


@router.delete(
    "/series/{series_id}",
    response=SeriesOut,
    summary="Cancel the rest of a series",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, obj="series"),
)
def cancel_series(request, series_id: uuid.UUID, reason: str = Query("", max_length=500)):
    series = access.series_get_for_clinic(clinic=_clinic(request), series_id=series_id)
    services.series_cancel(series=series, actor=request.auth.user, reason=reason)
    return _series_out(request, series)


# --- Waitlist -----------------------------------------------------------------------------------------


def _waitlist_out(entry: WaitlistEntry) -> dict:
    hold = entry.offered_hold
    live = hold is not None and hold.status == Appointment.Status.HELD
    return {
        "id": entry.pk,
        "patient_id": entry.patient_id,
        "service_id": entry.service_id,
        "practitioner_id": entry.practitioner_id,
        "appointment_id": entry.appointment_id,
        "earliest_date": entry.earliest_date,
        "latest_date": entry.latest_date,
        "status": entry.status,
        "offered_hold_id": entry.offered_hold_id,
        "offered_at": entry.offered_at,
        "offered_start": hold.start if live else None,
        "offer_expires_at": hold.hold_expires_at if live else None,
    }


@router.post(
    "/waitlist",
    response={201: WaitlistOut},
    summary="Join the waitlist for an earlier slot",
    description="When a matching time frees up, the first waiting patient is offered it (held for them for a while).",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, patient=True),
)
def join_waitlist(request, payload: WaitlistIn):
    clinic = _clinic(request)
    patient = _acting_patient(request, clinic, payload.patient_id)
    practitioner = (
        access.practitioner_get_for_clinic(clinic=clinic, practitioner_id=payload.practitioner_id)
        if payload.practitioner_id
        else None
    )
    appointment = (
        access.appointment_get_for_clinic(clinic=clinic, appointment_id=payload.appointment_id)
        if payload.appointment_id
        else None
    )
    entry = services.waitlist_join(
        clinic=clinic,
        actor=request.auth.user,
        patient=patient,
        service=access.service_get_for_clinic(
            clinic=clinic, service_id=payload.service_id, active_only=True
        ),
        practitioner=practitioner,
        appointment=appointment,
        earliest_date=payload.earliest_date,
        latest_date=payload.latest_date,
        note=payload.note,
    )
    return 201, _waitlist_out(entry)


@router.get(
    "/waitlist",
    response=page_of(WaitlistOut),
    summary="List waitlist entries",
    description="Staff see the clinic's waiting and offered entries; patients see their own.",
    openapi_extra=policy(Perm.SCHEDULE_READ, patient=True),
)
def list_waitlist(request, page: Query[PageParams], include_closed: bool = False):
    clinic = _clinic(request)
    qs = (
        WaitlistEntry.objects.filter(clinic=clinic)
        .select_related("offered_hold")
        .order_by("created_at", "id")
    )
    if _is_patient(request):
        qs = qs.filter(patient__user=request.auth.user)
    if not include_closed:
        qs = qs.filter(status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED])
    result = paginate(qs, page)
    result["items"] = [_waitlist_out(e) for e in result["items"]]
    return result


@router.delete(
    "/waitlist/{entry_id}",
    response=WaitlistOut,
    summary="Leave the waitlist",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, obj="waitlist_entry", patient=True),
)
def leave_waitlist(request, entry_id: uuid.UUID):
    entry = access.waitlist_entry_get_for_clinic(
        clinic=_clinic(request), entry_id=entry_id, patient_user=_patient_user(request)
    )
    return _waitlist_out(services.waitlist_cancel(entry=entry, actor=request.auth.user))


@router.post(
    "/waitlist/{entry_id}/accept",
    response=AppointmentOut,
    summary="Take the offered slot",
    description="Turns the offer into an appointment; a later appointment named on the entry is marked rescheduled.",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, obj="waitlist_offer", patient=True),
)
def accept_waitlist_offer(request, entry_id: uuid.UUID):
    entry = access.waitlist_entry_get_for_clinic(
        clinic=_clinic(request), entry_id=entry_id, patient_user=_patient_user(request)
    )
    return _respond(request, services.waitlist_accept(entry=entry, actor=request.auth.user))


# --- Appointments ---------------------------------------------------------------------------------------


@router.post(
    "",
    response={200: AppointmentOut, 201: AppointmentOut},
    summary="Book an appointment",
    description=(
        "Patients book for themselves; staff for any patient of their clinic. Send an "
        "`Idempotency-Key` header: repeating the same request with the same key answers 200 with "
        "the same appointment; the same key with a different body answers 422 "
        "`idempotency_key_reused`. A taken slot answers 409 `slot_unavailable`. "
        "`booking_mode=time_period` with `date` and `period` lets the clinic pick the time "
        "(status `requested`)."
    ),
    openapi_extra=policy(Perm.SCHEDULE_BOOK, patient=True),
)
def book(
    request,
    payload: AppointmentIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=200),
):
    clinic = _clinic(request)
    patient = _acting_patient(request, clinic, payload.patient_id)
    practitioner = (
        access.practitioner_get_for_clinic(clinic=clinic, practitioner_id=payload.practitioner_id)
        if payload.practitioner_id
        else None
    )
    service = access.service_get_for_clinic(
        clinic=clinic, service_id=payload.service_id, active_only=True
    )
    body = payload.dict()
    details = {k: body[k] for k in ("kind", "reason_for_visit", "symptoms", "source_channel")}
    if not _is_patient(request):
        details["notes"] = body["notes"]
        if body["room_id"]:
            details["room_id"] = body["room_id"]
    appointment, created = services.appointment_book(
        clinic=clinic,
        actor=request.auth.user,
        patient=patient,
        practitioner=practitioner,
        service=service,
        start=payload.start,
        mode=payload.mode,
        as_patient=_is_patient(request),
        via_api_key=request.auth.api_key is not None,
        booking_mode=payload.booking_mode,
        period=payload.period or "",
        date=payload.date,
        idempotency_key=idempotency_key,
        principal_ref=_principal_ref(request),
        request_hash=services.request_fingerprint(body),
        **details,
    )
    appointment = Appointment.objects.select_related(
        "clinic", "patient", "practitioner__user", "service"
    ).get(pk=appointment.pk)
    return (201 if created else 200), _respond(request, appointment)


@router.get(
    "",
    response=page_of(AppointmentOut),
    summary="List appointments",
    description="Staff see their clinic's; patients see their own. Filter by status, practitioner, patient and date range.",
    openapi_extra=policy(Perm.SCHEDULE_READ, patient=True),
)
def list_appointments(
    request,
    page: Query[PageParams],
    status: str | None = Query(None, pattern="^(" + "|".join(Appointment.Status.values) + ")$"),
    practitioner_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
):
    clinic = _clinic(request)
    tz = selectors.clinic_tz(clinic)
    qs = selectors.appointment_list(
        clinic=clinic,
        patient_user=_patient_user(request),
        practitioner_id=practitioner_id,
        patient_id=patient_id,
        status=status,
        start=av.local_to_utc(start_date, time(0), tz) if start_date else None,
        end=av.local_to_utc(end_date + timedelta(days=1), time(0), tz) if end_date else None,
    ).select_related("clinic")
    result = paginate(qs, page)
    result["items"] = [_respond(request, a) for a in result["items"]]
    return result


@router.get(
    "/{appointment_id}",
    response=AppointmentOut,
    summary="Get an appointment",
    description="Clinical fields (symptoms, notes) appear only for roles that may read them; every read is audited.",
    openapi_extra=policy(Perm.SCHEDULE_READ, obj="appointment", patient=True),
)
def get_appointment(request, appointment_id: uuid.UUID):
    appointment = _appointment(request, appointment_id)
    services.appointment_record_read(
        appointment=appointment, actor=request.auth.user, clinical=_sees_clinical(request)
    )
    return _respond(request, appointment)


@router.put(
    "/{appointment_id}",
    response=AppointmentOut,
    summary="Update an appointment's details",
    description="Type, reason, symptoms, notes and room. Times change through `reschedule`.",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, obj="appointment"),
)
def update_appointment(request, appointment_id: uuid.UUID, payload: AppointmentUpdate):
    appointment = _appointment(request, appointment_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if not _sees_clinical(request) and ({"symptoms", "notes"} & set(data)):
        raise Forbidden("Your role cannot record clinical details.")
    return _respond(
        request,
        services.appointment_update(appointment=appointment, actor=request.auth.user, **data),
    )


@router.delete(
    "/{appointment_id}",
    response=AppointmentOut,
    summary="Cancel an appointment",
    description="Patients may cancel up to the service's cut-off before the start; staff any time.",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, obj="appointment", patient=True),
)
def cancel_appointment(
    request,
    appointment_id: uuid.UUID,
    reason: str = Query("", max_length=500, description="Why it is cancelled."),
):
    appointment = _appointment(request, appointment_id)
    return _respond(
        request,
        services.appointment_cancel(
            appointment=appointment,
            actor=request.auth.user,
            reason=reason,
            as_patient=_is_patient(request),
        ),
    )


@router.post(
    "/{appointment_id}/reschedule",
    response=AppointmentOut,
    summary="Move an appointment",
    description="Answers the new appointment (new reservation code); the old one becomes `rescheduled`.",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, obj="appointment", patient=True),
)
def reschedule(request, appointment_id: uuid.UUID, payload: RescheduleIn):
    clinic = _clinic(request)
    appointment = _appointment(request, appointment_id)
    practitioner = (
        access.practitioner_get_for_clinic(clinic=clinic, practitioner_id=payload.practitioner_id)
        if payload.practitioner_id
        else None
    )
    new = services.appointment_reschedule(
        appointment=appointment,
        actor=request.auth.user,
        start=payload.start,
        practitioner=practitioner,
        as_patient=_is_patient(request),
        enforce_rules=_is_patient(request) or request.auth.api_key is not None,
    )
    return _respond(request, new)


def _transition_op(
    path: str,
    summary: str,
    fn,
    *,
    kind: str = "appointment",
    patient: bool = False,
    description: str = "",
):
    @router.post(
        path,
        response=AppointmentOut,
        summary=summary,
        description=description,
        openapi_extra=policy(Perm.SCHEDULE_BOOK, obj=kind, patient=patient),
        operation_id=f"appointment_{fn.__name__.removeprefix('appointment_')}",
    )
    def op(request, appointment_id: uuid.UUID):
        appointment = _appointment(request, appointment_id)
        return _respond(request, fn(appointment=appointment, actor=request.auth.user))

    return op


_transition_op(
    "/{appointment_id}/confirm",
    "Confirm an appointment",
    services.appointment_confirm,
    patient=True,
    description="Scheduled or requested → confirmed (patients may confirm their own).",
)
_transition_op(
    "/{appointment_id}/check-in",
    "Check a patient in",
    services.appointment_check_in,
    description="Scheduled or confirmed → checked in.",
)
_transition_op(
    "/{appointment_id}/start",
    "Start the visit",
    services.appointment_start,
    kind="checked_in_appointment",
    description="Checked in → in progress.",
)
_transition_op(
    "/{appointment_id}/check-out",
    "Check a patient out",
    services.appointment_check_out,
    kind="checked_in_appointment",
    description="Checked in or in progress → completed.",
)
_transition_op(
    "/{appointment_id}/no-show",
    "Mark a no-show",
    services.appointment_no_show,
    description="Scheduled or confirmed → no-show.",
)


@router.get(
    "/{appointment_id}/calendar.ics",
    summary="The appointment as an iCalendar file",
    description="`text/calendar` with the visit's time, place and reservation code (no health details).",
    openapi_extra=policy(Perm.SCHEDULE_READ, obj="appointment", patient=True),
)
def appointment_ics(request, appointment_id: uuid.UUID):
    appointment = _appointment(request, appointment_id)
    body = ics.appointment_ics(appointment, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{appointment.reservation_code}.ics"'
    return response


# === /api/v1/scheduling: services, working hours, time off, closures, rules ===========================


def _service_out(s: Service) -> dict:
    return {
        **{f: getattr(s, f) for f in services.SERVICE_FIELDS},
        "id": s.pk,
        "practitioner_ids": [m.pk for m in s.practitioners.all()],
    }


@manage_router.get(
    "/services",
    response=page_of(ServiceOut),
    summary="List services",
    description="The clinic's appointment types; `include_inactive=true` adds retired ones.",
    openapi_extra=policy(Perm.SCHEDULE_READ),
)
def list_services(request, page: Query[PageParams], include_inactive: bool = False):
    qs = (
        Service.objects.filter(clinic=_clinic(request))
        .prefetch_related("practitioners")
        .order_by("name", "id")
    )
    if not include_inactive:
        qs = qs.filter(is_active=True)
    result = paginate(qs, page)
    result["items"] = [_service_out(s) for s in result["items"]]
    return result


@manage_router.post(
    "/services",
    response={201: ServiceOut},
    summary="Create a service",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE),
)
def create_service(request, payload: ServiceIn):
    data = payload.dict()
    ids = data.pop("practitioner_ids")
    service = services.service_create(
        clinic=_clinic(request), actor=request.auth.user, practitioner_ids=ids, **data
    )
    return 201, _service_out(service)


@manage_router.get(
    "/services/{service_id}",
    response=ServiceOut,
    summary="Get a service",
    openapi_extra=policy(Perm.SCHEDULE_READ, obj="service"),
)
def get_service(request, service_id: uuid.UUID):
    return _service_out(
        access.service_get_for_clinic(clinic=_clinic(request), service_id=service_id)
    )


@manage_router.put(
    "/services/{service_id}",
    response=ServiceOut,
    summary="Update a service",
    description="Only the fields sent change; `practitioner_ids` replaces who offers it.",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE, obj="service"),
)
def update_service(request, service_id: uuid.UUID, payload: ServiceUpdate):
    service = access.service_get_for_clinic(clinic=_clinic(request), service_id=service_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    ids = data.pop("practitioner_ids", None)
    return _service_out(
        services.service_update(
            service=service, actor=request.auth.user, practitioner_ids=ids, **data
        )
    )


@manage_router.delete(
    "/services/{service_id}",
    response=ServiceOut,
    summary="Retire a service",
    description="Stops new bookings; existing appointments keep it.",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE, obj="service"),
)
def retire_service(request, service_id: uuid.UUID):
    service = access.service_get_for_clinic(clinic=_clinic(request), service_id=service_id)
    return _service_out(services.service_deactivate(service=service, actor=request.auth.user))


@manage_router.get(
    "/practitioners/{practitioner_id}/working-hours",
    response=list[WeeklyRangeOut],
    summary="A practitioner's weekly hours",
    openapi_extra=policy(Perm.SCHEDULE_READ, obj="practitioner"),
)
def get_working_hours(request, practitioner_id: uuid.UUID):
    clinic = _clinic(request)
    practitioner = access.practitioner_get_for_clinic(
        clinic=clinic, practitioner_id=practitioner_id
    )
    return list(WorkingHours.objects.filter(clinic=clinic, practitioner=practitioner))


@manage_router.put(
    "/practitioners/{practitioner_id}/working-hours",
    response=list[WeeklyRangeOut],
    summary="Replace a practitioner's weekly hours",
    description="Several ranges a day allowed (clinic local time), each with a mode and optional branch.",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE, obj="practitioner"),
)
def put_working_hours(request, practitioner_id: uuid.UUID, payload: WorkingHoursIn):
    clinic = _clinic(request)
    practitioner = access.practitioner_get_for_clinic(
        clinic=clinic, practitioner_id=practitioner_id
    )
    return services.working_hours_replace(
        clinic=clinic,
        actor=request.auth.user,
        practitioner=practitioner,
        ranges=[r.dict() for r in payload.ranges],
    )


@manage_router.post(
    "/practitioners/{practitioner_id}/calendar-feed",
    response=FeedOut,
    summary="Issue a practitioner's private calendar feed",
    description="A new secret URL (the previous one stops working) to subscribe to from any calendar app.",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE, obj="practitioner"),
)
def rotate_feed(request, practitioner_id: uuid.UUID):
    clinic = _clinic(request)
    practitioner = access.practitioner_get_for_clinic(
        clinic=clinic, practitioner_id=practitioner_id
    )
    feed = services.calendar_feed_rotate(
        clinic=clinic, actor=request.auth.user, practitioner=practitioner
    )
    return {"practitioner_id": practitioner.pk, "url": _feed_url(feed)}


@manage_router.post(
    "/me/calendar-feed",
    response=FeedOut,
    summary="Issue my private calendar feed",
    description="For the signed-in staff member: a secret URL of their own appointments.",
    openapi_extra=policy(Perm.SCHEDULE_READ),
)
def rotate_my_feed(request):
    membership = request.auth.membership
    if membership is None:
        raise Forbidden("Only staff members have a calendar feed.")
    feed = services.calendar_feed_rotate(
        clinic=_clinic(request), actor=request.auth.user, practitioner=membership
    )
    return {"practitioner_id": membership.pk, "url": _feed_url(feed)}


def _feed_url(feed) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.PUBLIC_BASE_URL + reverse("scheduling:feed", args=[feed.token])


@manage_router.get(
    "/overrides",
    response=page_of(OverrideOut),
    summary="List date overrides",
    openapi_extra=policy(Perm.SCHEDULE_READ),
)
def list_overrides(
    request,
    page: Query[PageParams],
    practitioner_id: uuid.UUID | None = None,
    from_date: date | None = None,
):
    qs = ScheduleOverride.objects.filter(clinic=_clinic(request)).order_by(
        "date", "start_time", "id"
    )
    if practitioner_id:
        qs = qs.filter(practitioner_id=practitioner_id)
    if from_date:
        qs = qs.filter(date__gte=from_date)
    return paginate(qs, page)


@manage_router.post(
    "/overrides",
    response={201: list[OverrideOut]},
    summary="Set one date's hours",
    description="Replaces the weekly hours on that date; no ranges makes the day off.",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE),
)
def set_override(request, payload: OverrideIn):
    clinic = _clinic(request)
    practitioner = access.practitioner_get_for_clinic(
        clinic=clinic, practitioner_id=payload.practitioner_id
    )
    rows = services.override_set(
        clinic=clinic,
        actor=request.auth.user,
        practitioner=practitioner,
        date=payload.date,
        ranges=[r.dict() for r in payload.ranges],
        note=payload.note,
    )
    return 201, rows


@manage_router.delete(
    "/overrides/{override_id}",
    response={204: None},
    summary="Remove a date override",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE, obj="schedule_override"),
)
def delete_override(request, override_id: uuid.UUID):
    services.override_delete(
        override=access.override_get_for_clinic(clinic=_clinic(request), override_id=override_id),
        actor=request.auth.user,
    )
    return 204, None


@manage_router.get(
    "/time-off",
    response=page_of(TimeOffOut),
    summary="List time off",
    openapi_extra=policy(Perm.SCHEDULE_READ),
)
def list_time_off(request, page: Query[PageParams], practitioner_id: uuid.UUID | None = None):
    qs = TimeOff.objects.filter(
        clinic=_clinic(request), end__gt=timezone.now() - timedelta(days=30)
    ).order_by("start", "id")
    if practitioner_id:
        qs = qs.filter(practitioner_id=practitioner_id)
    return paginate(qs, page)


@manage_router.post(
    "/time-off",
    response={201: TimeOffOut},
    summary="Add time off",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE),
)
def create_time_off(request, payload: TimeOffIn):
    clinic = _clinic(request)
    practitioner = access.practitioner_get_for_clinic(
        clinic=clinic, practitioner_id=payload.practitioner_id
    )
    row = services.time_off_create(
        clinic=clinic,
        actor=request.auth.user,
        practitioner=practitioner,
        start=payload.start,
        end=payload.end,
        reason=payload.reason,
    )
    return 201, row


@manage_router.delete(
    "/time-off/{time_off_id}",
    response={204: None},
    summary="Remove time off",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE, obj="time_off"),
)
def delete_time_off(request, time_off_id: uuid.UUID):
    services.time_off_delete(
        time_off=access.time_off_get_for_clinic(clinic=_clinic(request), time_off_id=time_off_id),
        actor=request.auth.user,
    )
    return 204, None


@manage_router.get(
    "/closures",
    response=page_of(ClosureOut),
    summary="List clinic holidays and closures",
    openapi_extra=policy(Perm.SCHEDULE_READ),
)
def list_closures(request, page: Query[PageParams]):
    qs = ClinicClosure.objects.filter(clinic=_clinic(request)).order_by("start_date", "id")
    return paginate(qs, page)


@manage_router.post(
    "/closures",
    response={201: ClosureOut},
    summary="Add a holiday or closure",
    description="The whole clinic is closed from start_date to end_date inclusive (local dates).",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE),
)
def create_closure(request, payload: ClosureIn):
    row = services.closure_create(
        clinic=_clinic(request),
        actor=request.auth.user,
        start_date=payload.start_date,
        end_date=payload.end_date,
        name=payload.name,
    )
    return 201, row


@manage_router.delete(
    "/closures/{closure_id}",
    response={204: None},
    summary="Remove a closure",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE, obj="closure"),
)
def delete_closure(request, closure_id: uuid.UUID):
    services.closure_delete(
        closure=access.closure_get_for_clinic(clinic=_clinic(request), closure_id=closure_id),
        actor=request.auth.user,
    )
    return 204, None


@manage_router.get(
    "/rules",
    response=BookingRulesOut,
    summary="The clinic's booking limits",
    openapi_extra=policy(Perm.SCHEDULE_READ),
)
def get_rules(request):
    return selectors.booking_rules(_clinic(request))


@manage_router.put(
    "/rules",
    response=BookingRulesOut,
    summary="Change the clinic's booking limits",
    description="Open appointments per patient, hold minutes, and how long a waitlist offer is held.",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE),
)
def put_rules(request, payload: BookingRulesIn):
    return services.booking_rules_update(
        clinic=_clinic(request), actor=request.auth.user, **payload.dict()
    )
