"""API shapes for the treatment catalog, visit summaries, prescriptions and documents."""

import uuid
from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from clinicore.core.money import CURRENCIES
from clinicore.records.models import Document

CURRENCY_PATTERN = "^(" + "|".join(CURRENCIES) + ")$"
KIND_PATTERN = "^(" + "|".join(Document.Kind.values) + ")$"
EXAMPLE_ID = "5b0c3a52-8a5e-4f7e-9a51-0c2d7c1e9b11"


# --- Catalog ------------------------------------------------------------------------------------


class CatalogItemIn(Schema):
    name: str = Field(..., min_length=1, max_length=150, examples=["Root canal treatment"])
    code: str = Field(
        ..., min_length=1, max_length=30, pattern=r"^[A-Za-z0-9._-]+$", examples=["RCT"]
    )
    description: str = Field("", max_length=2000, examples=["Single-rooted tooth, one sitting."])
    default_price: Decimal = Field(
        Decimal("0"), ge=0, max_digits=12, decimal_places=2, examples=["4500.00"]
    )
    currency: str | None = Field(
        None,
        pattern=CURRENCY_PATTERN,
        description="Defaults to the clinic's currency.",
        examples=["INR"],
    )
    duration_minutes: int = Field(30, ge=1, le=1440, examples=[60])


class CatalogItemUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=150, examples=["Root canal treatment"])
    code: str | None = Field(
        None, min_length=1, max_length=30, pattern=r"^[A-Za-z0-9._-]+$", examples=["RCT"]
    )
    description: str | None = Field(None, max_length=2000)
    default_price: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, examples=["4800.00"]
    )
    currency: str | None = Field(None, pattern=CURRENCY_PATTERN, examples=["INR"])
    duration_minutes: int | None = Field(None, ge=1, le=1440, examples=[60])
    is_active: bool | None = Field(None, examples=[True])


class CatalogItemOut(Schema):
    id: uuid.UUID
    clinic_id: uuid.UUID
    name: str
    code: str
    description: str
    default_price: Decimal = Field(..., examples=["4500.00"])
    currency: str = Field(..., examples=["INR"])
    duration_minutes: int
    is_active: bool


# --- Visit summaries ----------------------------------------------------------------------------


class RecordItemIn(Schema):
    catalog_item_id: uuid.UUID = Field(..., examples=[EXAMPLE_ID])
    quantity: int = Field(1, ge=1, le=99, examples=[1])


class TreatmentRecordIn(Schema):
    patient_id: uuid.UUID = Field(..., examples=[EXAMPLE_ID])
    practitioner_id: uuid.UUID | None = Field(
        None, description="Defaults to the caller's own membership.", examples=[EXAMPLE_ID]
    )
    appointment_id: uuid.UUID | None = Field(None, description="The visit this summary is about.")
    performed_at: datetime | None = Field(
        None,
        description="When the visit took place (default: the appointment's start, or now).",
        examples=["2026-11-20T10:30:00+05:30"],
    )
    diagnosis: str = Field(
        "", max_length=20000, examples=["Chronic apical periodontitis, tooth 36."]
    )
    notes: str = Field("", max_length=20000, examples=["Access opened, canals cleaned and shaped."])
    items: list[RecordItemIn] = Field(default_factory=list, max_length=30)
    sign: bool = Field(False, description="Sign at once; a signed summary is no longer editable.")
    shared_with_patient: bool = Field(
        False, description="Show in the patient's portal (needs `sign`)."
    )


class TreatmentRecordUpdate(Schema):
    practitioner_id: uuid.UUID | None = Field(None, examples=[EXAMPLE_ID])
    performed_at: datetime | None = Field(None, examples=["2026-11-20T10:30:00+05:30"])
    diagnosis: str | None = Field(
        None, max_length=20000, examples=["Reversible pulpitis, tooth 36."]
    )
    notes: str | None = Field(None, max_length=20000, examples=["Review in two weeks."])
    items: list[RecordItemIn] | None = Field(None, max_length=30)


class RecordItemOut(Schema):
    catalog_item_id: uuid.UUID | None
    name: str
    code: str
    quantity: int
    price: Decimal = Field(..., examples=["4500.00"])
    currency: str


class AddendumIn(Schema):
    text: str = Field(
        ..., min_length=1, max_length=20000, examples=["Patient reports no pain at day 3."]
    )


class AddendumOut(Schema):
    id: uuid.UUID
    text: str
    author_name: str
    created_at: datetime


class ShareIn(Schema):
    shared: bool = Field(
        ..., description="Show (true) or hide (false) it in the patient's portal.", examples=[True]
    )


class TreatmentRecordOut(Schema):
    id: uuid.UUID
    clinic_id: uuid.UUID
    clinic_name: str
    patient_id: uuid.UUID
    patient_name: str
    practitioner_id: uuid.UUID
    practitioner_name: str
    appointment_id: uuid.UUID | None
    performed_at: datetime
    diagnosis: str
    notes: str
    items: list[RecordItemOut]
    addenda: list[AddendumOut]
    shared_with_patient: bool
    signed_at: datetime | None
    signed_by_name: str | None
    created_at: datetime


# --- Prescriptions ------------------------------------------------------------------------------


class PrescriptionItemIn(Schema):
    medicine: str = Field(..., min_length=1, max_length=1000, examples=["Amoxicillin"])
    strength: str = Field("", max_length=1000, examples=["500 mg"])
    dose: str = Field("", max_length=1000, examples=["1 capsule"])
    frequency: str = Field("", max_length=1000, examples=["three times a day"])
    duration: str = Field("", max_length=1000, examples=["5 days"])
    instructions: str = Field("", max_length=1000, examples=["after food"])


class PrescriptionIn(Schema):
    patient_id: uuid.UUID = Field(..., examples=[EXAMPLE_ID])
    prescriber_id: uuid.UUID | None = Field(
        None,
        description="A doctor or dentist of the clinic; defaults to the caller.",
        examples=[EXAMPLE_ID],
    )
    appointment_id: uuid.UUID | None = None
    items: list[PrescriptionItemIn] = Field(..., min_length=1, max_length=30)
    advice: str = Field("", max_length=5000, examples=["Warm salt-water rinses."])
    shared_with_patient: bool = Field(False, examples=[True])


class PrescriptionItemOut(Schema):
    medicine: str
    strength: str
    dose: str
    frequency: str
    duration: str
    instructions: str


class PrescriptionOut(Schema):
    id: uuid.UUID
    code: str = Field(..., examples=["RX-7K3M9Q"])
    clinic_id: uuid.UUID
    clinic_name: str
    patient_id: uuid.UUID
    patient_name: str
    prescriber_id: uuid.UUID
    prescriber_name: str
    appointment_id: uuid.UUID | None
    issued_at: datetime
    advice: str
    items: list[PrescriptionItemOut]
    shared_with_patient: bool
    pdf_url: str


# --- Documents ----------------------------------------------------------------------------------


class DocumentUploadJson(Schema):
    patient_id: uuid.UUID = Field(..., examples=[EXAMPLE_ID])
    title: str = Field(..., min_length=1, max_length=200, examples=["Complete blood count"])
    kind: str = Field("other", pattern=KIND_PATTERN, examples=["lab_report"])
    filename: str = Field("document", max_length=200, examples=["cbc.pdf"])
    data_base64: str = Field(..., description="The file's bytes, base64-encoded.")
    shared_with_patient: bool = Field(False, examples=[True])


class DocumentOut(Schema):
    id: uuid.UUID
    clinic_id: uuid.UUID
    clinic_name: str
    patient_id: uuid.UUID
    patient_name: str
    title: str
    kind: str = Field(..., examples=["lab_report"])
    filename: str
    content_type: str = Field(..., examples=["application/pdf"])
    size: int
    shared_with_patient: bool
    created_at: datetime
    download_url: str
