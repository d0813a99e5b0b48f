"""REST operations for availability and appointments (/appointments); schedule management
(/scheduling) lives in `api_manage`."""

import uuid
from datetime import date, time, timedelta

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query

from clinicore.api.pagination import PageParams, page_of, paginate
from clinicore.api.policy import PUBLIC, ClinicRouter, policy
from clinicore.clinics.access import clinic_get_by_slug
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import Forbidden, InvalidInput
from clinicore.scheduling import access, ics, selectors, services
from clinicore.scheduling import availability as av
from clinicore.scheduling.api_answers import appointment_answer, appointment_out
from clinicore.scheduling.api_principal import (
    acting_clinic,
    acting_patient,
    is_patient,
    patient_user,
    principal_ref,
    sees_clinical,
)
from clinicore.scheduling.models import Appointment, Service, WaitlistEntry
from clinicore.scheduling.schemas import (
    AppointmentIn,
    AppointmentOut,
    AppointmentUpdate,
    AvailabilityOut,
    CalendarOut,
    HoldIn,
    RescheduleIn,
    SeriesIn,
    SeriesOut,
    SeriesUpdate,
    WaitlistIn,
    WaitlistOut,
)

router = ClinicRouter(tags=["appointments"])


# --- Answers and date ranges --------------------------------------------------------------------------


def _appointment(request, appointment_id) -> Appointment:
    return access.appointment_get_for_clinic(
        clinic=acting_clinic(request),
        appointment_id=appointment_id,
        patient_user=patient_user(request),
    )


def _date_range(clinic, start_date: date | None, end_date: date | None) -> tuple[date, date]:
    today = timezone.now().astimezone(selectors.clinic_tz(clinic)).date()
    first = start_date or today
    last = end_date or first + timedelta(days=selectors.DEFAULT_RANGE_DAYS - 1)
    if last < first:
        raise InvalidInput(
            _("end_date is before start_date."), fields={"end_date": _("Before start_date.")}
        )
    if (last - first).days >= selectors.MAX_RANGE_DAYS:
        days = {"days": selectors.MAX_RANGE_DAYS}
        raise InvalidInput(
            _("Ask for at most %(days)s days at a time.") % days,
            fields={"end_date": _("At most %(days)s days after start_date.") % days},
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
    clinic = acting_clinic(request)
    first, last = _date_range(clinic, start_date, end_date)
    if practitioner_id is not None:
        access.practitioner_get_for_clinic(clinic=clinic, practitioner_id=practitioner_id)
    practitioners = selectors.practitioners_of(clinic, practitioner_id=practitioner_id)
    items = selectors.calendar(
        clinic=clinic, first=first, last=last, practitioner_id=practitioner_id
    ).select_related("clinic")[:2000]
    clinical = sees_clinical(request)
    return {
        "start_date": first,
        "end_date": last,
        "time_zone": clinic.time_zone,
        "practitioners": [
            {"id": m.pk, "name": m.display_name, "specialization": m.specialization}
            for m in practitioners
        ],
        "appointments": [appointment_out(a, clinical=clinical) for a in items],
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
    clinic = acting_clinic(request)
    hold = services.hold_create(
        clinic=clinic,
        actor=request.auth.user,
        patient=acting_patient(request, clinic, payload.patient_id),
        practitioner=access.practitioner_get_for_clinic(
            clinic=clinic, practitioner_id=payload.practitioner_id
        ),
        service=access.service_get_for_clinic(
            clinic=clinic, service_id=payload.service_id, active_only=True
        ),
        start=payload.start,
        mode=payload.mode,
        enforce_rules=is_patient(request) or request.auth.api_key is not None,
    )
    return 201, appointment_answer(request, hold)


@router.delete(
    "/holds/{hold_id}",
    response=AppointmentOut,
    summary="Release a hold",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, obj="hold", patient=True),
)
def release_hold(request, hold_id: uuid.UUID):
    clinic = acting_clinic(request)
    hold = access.hold_get_for_clinic(
        clinic=clinic, hold_id=hold_id, patient_user=patient_user(request)
    )
    return appointment_answer(
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
        "appointments": [appointment_answer(request, a) for a in items],
    }


@router.post(
    "/series",
    response={201: SeriesOut},
    summary="Book recurring follow-ups",
    description="Books every occurrence (same local time each time) or none; each can later move or be cancelled alone.",
    openapi_extra=policy(Perm.SCHEDULE_BOOK),
)
def create_series(request, payload: SeriesIn):
    clinic = acting_clinic(request)
    series = services.series_create(
        clinic=clinic,
        actor=request.auth.user,
        patient=acting_patient(request, clinic, payload.patient_id),
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
        request, access.series_get_for_clinic(clinic=acting_clinic(request), series_id=series_id)
    )


@router.put(
    "/series/{series_id}",
    response=SeriesOut,
    summary="Change every upcoming occurrence",
    description="Applies the fields sent to each upcoming open occurrence; past or cancelled ones are left alone.",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, obj="series"),
)
def update_series(request, series_id: uuid.UUID, payload: SeriesUpdate):
    series = access.series_get_for_clinic(clinic=acting_clinic(request), series_id=series_id)
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
    series = access.series_get_for_clinic(clinic=acting_clinic(request), series_id=series_id)
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
    clinic = acting_clinic(request)
    patient = acting_patient(request, clinic, payload.patient_id)
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
    clinic = acting_clinic(request)
    qs = (
        WaitlistEntry.objects.filter(clinic=clinic)
        .select_related("offered_hold")
        .order_by("created_at", "id")
    )
    if is_patient(request):
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
        clinic=acting_clinic(request), entry_id=entry_id, patient_user=patient_user(request)
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
        clinic=acting_clinic(request), entry_id=entry_id, patient_user=patient_user(request)
    )
    return appointment_answer(
        request, services.waitlist_accept(entry=entry, actor=request.auth.user)
    )


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
    clinic = acting_clinic(request)
    patient = acting_patient(request, clinic, payload.patient_id)
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
    if not is_patient(request):
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
        as_patient=is_patient(request),
        via_api_key=request.auth.api_key is not None,
        booking_mode=payload.booking_mode,
        period=payload.period or "",
        date=payload.date,
        idempotency_key=idempotency_key,
        principal_ref=principal_ref(request),
        request_hash=services.request_fingerprint(body),
        **details,
    )
    appointment = Appointment.objects.select_related(
        "clinic", "patient", "practitioner__user", "service"
    ).get(pk=appointment.pk)
    return (201 if created else 200), appointment_answer(request, appointment)


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
    clinic = acting_clinic(request)
    tz = selectors.clinic_tz(clinic)
    qs = selectors.appointment_list(
        clinic=clinic,
        patient_user=patient_user(request),
        practitioner_id=practitioner_id,
        patient_id=patient_id,
        status=status,
        start=av.local_to_utc(start_date, time(0), tz) if start_date else None,
        end=av.local_to_utc(end_date + timedelta(days=1), time(0), tz) if end_date else None,
    ).select_related("clinic")
    result = paginate(qs, page)
    result["items"] = [appointment_answer(request, a) for a in result["items"]]
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
        appointment=appointment, actor=request.auth.user, clinical=sees_clinical(request)
    )
    return appointment_answer(request, appointment)


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
    if not sees_clinical(request) and ({"symptoms", "notes"} & set(data)):
        raise Forbidden(_("Your role cannot record clinical details."))
    return appointment_answer(
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
    return appointment_answer(
        request,
        services.appointment_cancel(
            appointment=appointment,
            actor=request.auth.user,
            reason=reason,
            as_patient=is_patient(request),
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
    clinic = acting_clinic(request)
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
        as_patient=is_patient(request),
        enforce_rules=is_patient(request) or request.auth.api_key is not None,
    )
    return appointment_answer(request, new)


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
        return appointment_answer(request, fn(appointment=appointment, actor=request.auth.user))

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
