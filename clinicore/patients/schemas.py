"""API shapes for patient records."""

import uuid
from datetime import date

from ninja import Schema
from pydantic import EmailStr, Field

from clinicore.patients.models import Patient

GENDERS = tuple(Patient.Gender.values)


class PatientIn(Schema):
    first_name: str = Field(..., min_length=1, max_length=100, examples=["Asha"])
    last_name: str = Field("", max_length=100, examples=["Verma"])
    date_of_birth: date | None = Field(None, examples=["1988-04-12"])
    gender: str = Field("undisclosed", pattern="^(" + "|".join(GENDERS) + ")$", examples=["female"])
    phone: str = Field("", max_length=20, pattern=r"^[0-9+()\- ]*$", examples=["+91 98100 12345"])
    email: EmailStr | None = Field(None, examples=["asha.verma@example.com"])
    address: str = Field("", max_length=300, examples=["12 MG Road, Bengaluru"])
    emergency_contact_name: str = Field("", max_length=120, examples=["Rohan Verma"])
    emergency_contact_phone: str = Field("", max_length=20, pattern=r"^[0-9+()\- ]*$")
    allergies: str = Field("", max_length=5000, examples=["Penicillin"])
    current_medications: str = Field("", max_length=5000)
    medical_history: str = Field("", max_length=20000)
    preferred_language: str = Field("en", max_length=10, examples=["hi"])


class PatientUpdate(Schema):
    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    date_of_birth: date | None = None
    gender: str | None = Field(None, pattern="^(" + "|".join(GENDERS) + ")$")
    phone: str | None = Field(None, max_length=20, pattern=r"^[0-9+()\- ]*$")
    email: EmailStr | None = None
    address: str | None = Field(None, max_length=300)
    emergency_contact_name: str | None = Field(None, max_length=120)
    emergency_contact_phone: str | None = Field(None, max_length=20, pattern=r"^[0-9+()\- ]*$")
    allergies: str | None = Field(None, max_length=5000)
    current_medications: str | None = Field(None, max_length=5000)
    medical_history: str | None = Field(None, max_length=20000)
    preferred_language: str | None = Field(None, max_length=10)


class PatientOut(Schema):
    id: uuid.UUID
    clinic_id: uuid.UUID
    first_name: str
    last_name: str
    full_name: str
    date_of_birth: date | None
    gender: str
    phone: str
    email: str
    address: str
    emergency_contact_name: str
    emergency_contact_phone: str
    preferred_language: str
    barcode: str
    is_active: bool
    # Clinical fields: present only for roles allowed to read them.
    allergies: str | None = None
    current_medications: str | None = None
    medical_history: str | None = None
