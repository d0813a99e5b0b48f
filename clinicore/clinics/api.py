"""REST operations on the clinic the caller acts for: profile and staff."""

import uuid

from ninja import Schema

from clinicore.api.policy import ClinicRouter, policy
from clinicore.clinics.models import Membership
from clinicore.clinics.permissions import Perm

router = ClinicRouter(tags=["clinics"])


class ClinicOut(Schema):
    id: uuid.UUID
    name: str
    slug: str
    kind: str
    time_zone: str
    currency: str
    default_language: str
    address_line: str
    city: str
    country: str
    phone: str
    email: str
    status: str
    tier: str


class StaffOut(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    full_name: str
    role: str
    title: str
    specialization: str
    is_active: bool


@router.get("/current", response=ClinicOut, summary="The clinic I act for", openapi_extra=policy(Perm.CLINIC_READ))
def current_clinic(request):
    return request.auth.clinic


@router.get("/current/staff", response=list[StaffOut], summary="Staff of my clinic", openapi_extra=policy(Perm.STAFF_READ))
def list_staff(request):
    memberships = Membership.objects.filter(clinic=request.auth.clinic).select_related("user").order_by("user__full_name")
    return [
        {"id": m.pk, "user_id": m.user_id, "email": m.user.email, "full_name": m.user.full_name, "role": m.role,
         "title": m.title, "specialization": m.specialization, "is_active": m.is_active}
        for m in memberships
    ]
