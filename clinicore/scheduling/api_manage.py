"""REST operations for schedule management (/scheduling): services, working hours, date
overrides, time off, closures, calendar feeds and booking rules.

Each operation names its `operation_id` explicitly: these are the ids published when the
operations lived in `clinicore.scheduling.api`, and clients generate their method names from
them.
"""

import uuid
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query

from clinicore.api.pagination import PageParams, page_of, paginate
from clinicore.api.policy import ClinicRouter, policy
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import Forbidden
from clinicore.scheduling import access, selectors, services
from clinicore.scheduling.api_principal import acting_clinic
from clinicore.scheduling.models import (
    ClinicClosure,
    ScheduleOverride,
    Service,
    TimeOff,
    WorkingHours,
)
from clinicore.scheduling.schemas import (
    BookingRulesIn,
    BookingRulesOut,
    ClosureIn,
    ClosureOut,
    FeedOut,
    OverrideIn,
    OverrideOut,
    ServiceIn,
    ServiceOut,
    ServiceUpdate,
    TimeOffIn,
    TimeOffOut,
    WeeklyRangeOut,
    WorkingHoursIn,
)

manage_router = ClinicRouter(tags=["scheduling"])


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
    operation_id="clinicore_scheduling_api_list_services",
)
def list_services(request, page: Query[PageParams], include_inactive: bool = False):
    qs = (
        Service.objects.filter(clinic=acting_clinic(request))
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
    operation_id="clinicore_scheduling_api_create_service",
)
def create_service(request, payload: ServiceIn):
    data = payload.dict()
    ids = data.pop("practitioner_ids")
    service = services.service_create(
        clinic=acting_clinic(request), actor=request.auth.user, practitioner_ids=ids, **data
    )
    return 201, _service_out(service)


@manage_router.get(
    "/services/{service_id}",
    response=ServiceOut,
    summary="Get a service",
    openapi_extra=policy(Perm.SCHEDULE_READ, obj="service"),
    operation_id="clinicore_scheduling_api_get_service",
)
def get_service(request, service_id: uuid.UUID):
    return _service_out(
        access.service_get_for_clinic(clinic=acting_clinic(request), service_id=service_id)
    )


@manage_router.put(
    "/services/{service_id}",
    response=ServiceOut,
    summary="Update a service",
    description="Only the fields sent change; `practitioner_ids` replaces who offers it.",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE, obj="service"),
    operation_id="clinicore_scheduling_api_update_service",
)
def update_service(request, service_id: uuid.UUID, payload: ServiceUpdate):
    service = access.service_get_for_clinic(clinic=acting_clinic(request), service_id=service_id)
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
    operation_id="clinicore_scheduling_api_retire_service",
)
def retire_service(request, service_id: uuid.UUID):
    service = access.service_get_for_clinic(clinic=acting_clinic(request), service_id=service_id)
    return _service_out(services.service_deactivate(service=service, actor=request.auth.user))


@manage_router.get(
    "/practitioners/{practitioner_id}/working-hours",
    response=list[WeeklyRangeOut],
    summary="A practitioner's weekly hours",
    openapi_extra=policy(Perm.SCHEDULE_READ, obj="practitioner"),
    operation_id="clinicore_scheduling_api_get_working_hours",
)
def get_working_hours(request, practitioner_id: uuid.UUID):
    clinic = acting_clinic(request)
    practitioner = access.practitioner_get_for_clinic(
        clinic=clinic, practitioner_id=practitioner_id
    )
    return list(WorkingHours.objects.filter(clinic=clinic, practitioner=practitioner))


@manage_router.put(
    "/practitioners/{practitioner_id}/working-hours",
    response=list[WeeklyRangeOut],
    summary="Replace a practitioner's weekly hours",
    description="Several ranges a day allowed (clinic local time), each with a mode, an optional branch and an optional room (in-person visits booked in the range take the room when it is free).",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE, obj="practitioner"),
    operation_id="clinicore_scheduling_api_put_working_hours",
)
def put_working_hours(request, practitioner_id: uuid.UUID, payload: WorkingHoursIn):
    clinic = acting_clinic(request)
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
    operation_id="clinicore_scheduling_api_rotate_feed",
)
def rotate_feed(request, practitioner_id: uuid.UUID):
    clinic = acting_clinic(request)
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
    operation_id="clinicore_scheduling_api_rotate_my_feed",
)
def rotate_my_feed(request):
    membership = request.auth.membership
    if membership is None:
        raise Forbidden(_("Only staff members have a calendar feed."))
    feed = services.calendar_feed_rotate(
        clinic=acting_clinic(request), actor=request.auth.user, practitioner=membership
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
    operation_id="clinicore_scheduling_api_list_overrides",
)
def list_overrides(
    request,
    page: Query[PageParams],
    practitioner_id: uuid.UUID | None = None,
    from_date: date | None = None,
):
    qs = ScheduleOverride.objects.filter(clinic=acting_clinic(request)).order_by(
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
    operation_id="clinicore_scheduling_api_set_override",
)
def set_override(request, payload: OverrideIn):
    clinic = acting_clinic(request)
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
    operation_id="clinicore_scheduling_api_delete_override",
)
def delete_override(request, override_id: uuid.UUID):
    services.override_delete(
        override=access.override_get_for_clinic(
            clinic=acting_clinic(request), override_id=override_id
        ),
        actor=request.auth.user,
    )
    return 204, None


@manage_router.get(
    "/time-off",
    response=page_of(TimeOffOut),
    summary="List time off",
    openapi_extra=policy(Perm.SCHEDULE_READ),
    operation_id="clinicore_scheduling_api_list_time_off",
)
def list_time_off(request, page: Query[PageParams], practitioner_id: uuid.UUID | None = None):
    qs = TimeOff.objects.filter(
        clinic=acting_clinic(request), end__gt=timezone.now() - timedelta(days=30)
    ).order_by("start", "id")
    if practitioner_id:
        qs = qs.filter(practitioner_id=practitioner_id)
    return paginate(qs, page)


@manage_router.post(
    "/time-off",
    response={201: TimeOffOut},
    summary="Add time off",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE),
    operation_id="clinicore_scheduling_api_create_time_off",
)
def create_time_off(request, payload: TimeOffIn):
    clinic = acting_clinic(request)
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
    operation_id="clinicore_scheduling_api_delete_time_off",
)
def delete_time_off(request, time_off_id: uuid.UUID):
    services.time_off_delete(
        time_off=access.time_off_get_for_clinic(
            clinic=acting_clinic(request), time_off_id=time_off_id
        ),
        actor=request.auth.user,
    )
    return 204, None


@manage_router.get(
    "/closures",
    response=page_of(ClosureOut),
    summary="List clinic holidays and closures",
    openapi_extra=policy(Perm.SCHEDULE_READ),
    operation_id="clinicore_scheduling_api_list_closures",
)
def list_closures(request, page: Query[PageParams]):
    qs = ClinicClosure.objects.filter(clinic=acting_clinic(request)).order_by("start_date", "id")
    return paginate(qs, page)


@manage_router.post(
    "/closures",
    response={201: ClosureOut},
    summary="Add a holiday or closure",
    description="The whole clinic is closed from start_date to end_date inclusive (local dates).",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE),
    operation_id="clinicore_scheduling_api_create_closure",
)
def create_closure(request, payload: ClosureIn):
    row = services.closure_create(
        clinic=acting_clinic(request),
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
    operation_id="clinicore_scheduling_api_delete_closure",
)
def delete_closure(request, closure_id: uuid.UUID):
    services.closure_delete(
        closure=access.closure_get_for_clinic(clinic=acting_clinic(request), closure_id=closure_id),
        actor=request.auth.user,
    )
    return 204, None


@manage_router.get(
    "/rules",
    response=BookingRulesOut,
    summary="The clinic's booking limits",
    openapi_extra=policy(Perm.SCHEDULE_READ),
    operation_id="clinicore_scheduling_api_get_rules",
)
def get_rules(request):
    return selectors.booking_rules(acting_clinic(request))


@manage_router.put(
    "/rules",
    response=BookingRulesOut,
    summary="Change the clinic's booking limits",
    description="Open appointments per patient, hold minutes, and how long a waitlist offer is held.",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE),
    operation_id="clinicore_scheduling_api_put_rules",
)
def put_rules(request, payload: BookingRulesIn):
    return services.booking_rules_update(
        clinic=acting_clinic(request), actor=request.auth.user, **payload.dict()
    )
