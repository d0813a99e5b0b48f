"""API shapes for the clinic profile, its staff and branches, and its audit log."""

import uuid
from datetime import datetime

from ninja import Schema
from pydantic import EmailStr, Field

from clinicore.clinics.models import Clinic
from clinicore.clinics.permissions import Role
from clinicore.core.money import CURRENCIES

ROLE_PATTERN = "^(" + "|".join(Role.values) + ")$"
KIND_PATTERN = "^(" + "|".join(Clinic.Kind.values) + ")$"
PHONE_PATTERN = r"^[0-9+()\- ]*$"


class ClinicOut(Schema):
    id: uuid.UUID
    name: str
    slug: str
    kind: str
    tagline: str
    about: str
    time_zone: str
    currency: str
    default_language: str
    address_line: str
    city: str
    state: str
    postal_code: str
    country: str
    phone: str
    email: str
    website: str
    slot_step_minutes: int
    upi_vpa: str
    status: str
    tier: str


class ClinicUpdate(Schema):
    """Only the fields sent are changed."""

    name: str | None = Field(
        None, min_length=1, max_length=200, examples=["Sunrise Multispeciality Clinic"]
    )
    kind: str | None = Field(None, pattern=KIND_PATTERN, examples=["multispecialty"])
    tagline: str | None = Field(None, max_length=200, examples=["Family care since 1998"])
    about: str | None = Field(None, max_length=5000)
    time_zone: str | None = Field(
        None, max_length=64, description="IANA time zone name.", examples=["Asia/Kolkata"]
    )
    currency: str | None = Field(
        None, description=f"One of {', '.join(CURRENCIES)}.", examples=["INR"]
    )
    default_language: str | None = Field(None, max_length=10, examples=["en"])
    address_line: str | None = Field(None, max_length=300, examples=["14 FC Road, Shivajinagar"])
    city: str | None = Field(None, max_length=100, examples=["Pune"])
    state: str | None = Field(None, max_length=100, examples=["Maharashtra"])
    postal_code: str | None = Field(None, max_length=20, examples=["411004"])
    country: str | None = Field(None, min_length=2, max_length=2, examples=["IN"])
    phone: str | None = Field(
        None, max_length=20, pattern=PHONE_PATTERN, examples=["+91 20 4000 1234"]
    )
    email: EmailStr | None = Field(None, examples=["hello@sunrise.example"])
    website: str | None = Field(None, max_length=200, examples=["https://sunrise.example"])
    slot_step_minutes: int | None = Field(None, examples=[15])
    upi_vpa: str | None = Field(None, max_length=100, examples=["sunriseclinic@okaxis"])


class StaffOut(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    full_name: str
    role: str
    title: str
    specialization: str
    licence_number: str
    branch_id: uuid.UUID | None
    is_active: bool


class StaffIn(Schema):
    email: EmailStr = Field(..., examples=["dr.kavya.rao@sunrise.example"])
    full_name: str = Field("", max_length=200, examples=["Kavya Rao"])
    role: str = Field(..., pattern=ROLE_PATTERN, examples=["doctor"])
    title: str = Field("", max_length=100, examples=["Dr."])
    specialization: str = Field("", max_length=120, examples=["Cardiology"])
    licence_number: str = Field("", max_length=60, examples=["MMC-2011-48213"])
    branch_id: uuid.UUID | None = None


class StaffUpdate(Schema):
    """Only the fields sent are changed."""

    role: str | None = Field(None, pattern=ROLE_PATTERN, examples=["nurse"])
    title: str | None = Field(None, max_length=100, examples=["Dr."])
    specialization: str | None = Field(None, max_length=120, examples=["Pediatrics"])
    licence_number: str | None = Field(None, max_length=60)
    bio: str | None = Field(None, max_length=2000)
    branch_id: uuid.UUID | None = None


class RoomOut(Schema):
    id: uuid.UUID
    name: str
    is_active: bool


class BranchOut(Schema):
    id: uuid.UUID
    name: str
    address_line: str
    city: str
    phone: str
    is_active: bool
    rooms: list[RoomOut]


class BranchIn(Schema):
    name: str = Field(..., min_length=1, max_length=200, examples=["Baner branch"])
    address_line: str = Field("", max_length=300, examples=["Plot 7, Baner Road"])
    city: str = Field("", max_length=100, examples=["Pune"])
    phone: str = Field("", max_length=20, pattern=PHONE_PATTERN, examples=["+91 20 4000 5678"])
    rooms: list[str] = Field(
        default_factory=list, max_length=50, examples=[["Consult 1", "Procedure room"]]
    )


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_label: str
    action: str = Field(..., examples=["patient.read"])
    entity_type: str = Field(..., examples=["patient"])
    entity_id: str
    fields: list[str] = Field(..., description="Names of the fields written; never their values.")
    ip: str | None
    user_agent: str
    request_id: str
