"""API shapes of the clinic reports and their exports."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

ReportKind = Literal["appointments", "revenue", "patient-growth", "staff-performance", "treatments"]
Group = Literal["day", "week", "month"]


class Bucket(Schema):
    key: str = Field(..., examples=["completed"])
    label: str = Field(..., examples=["Completed"])
    count: int = Field(..., examples=[42])


class PractitionerBucket(Bucket):
    no_shows: int = Field(0, examples=[3])


class AppointmentPoint(Schema):
    period: dt.date
    count: int
    no_shows: int


class AppointmentsReportOut(Schema):
    start: dt.date = Field(..., examples=["2026-03-01"])
    end: dt.date = Field(..., examples=["2026-03-31"])
    group: Group
    time_zone: str = Field(..., examples=["Asia/Kolkata"])
    total: int
    completed: int
    cancelled: int
    no_shows: int
    no_show_rate: Decimal = Field(
        ..., description="No-shows per 100 appointments not cancelled.", examples=["6.5"]
    )
    by_status: list[Bucket]
    by_service: list[Bucket]
    by_practitioner: list[PractitionerBucket]
    by_channel: list[Bucket]
    series: list[AppointmentPoint]


class MoneyBucket(Schema):
    key: str
    label: str = Field(..., examples=["UPI"])
    amount: Decimal = Field(..., examples=["12500.00"])
    count: int


class RevenuePoint(Schema):
    period: dt.date
    received: Decimal
    refunded: Decimal
    net: Decimal


class RevenueReportOut(Schema):
    start: dt.date
    end: dt.date
    group: Group
    time_zone: str
    currency: str = Field(..., examples=["INR"])
    received: Decimal = Field(..., description="Settled payments by the day they were paid.")
    payments: int
    refunded: Decimal = Field(..., description="Refunds paid out in the range.")
    net: Decimal
    by_method: list[MoneyBucket]
    by_practitioner: list[MoneyBucket]
    by_service: list[MoneyBucket] = Field(
        ..., description="Billed on invoices issued in the range, by line."
    )
    series: list[RevenuePoint]


class GrowthPoint(Schema):
    period: dt.date
    new: int
    returning: int


class PatientGrowthReportOut(Schema):
    start: dt.date
    end: dt.date
    group: Group
    time_zone: str
    new_patients: int
    returning_patients: int
    active_patients: int
    series: list[GrowthPoint]


class StaffRow(Schema):
    membership_id: str
    name: str
    appointments: int
    completed: int
    no_shows: int
    revenue: Decimal
    average_delay_minutes: Decimal | None = Field(
        None, description="Average minutes from check-in to being seen."
    )


class StaffPerformanceReportOut(Schema):
    start: dt.date
    end: dt.date
    time_zone: str
    currency: str
    staff: list[StaffRow]


class TreatmentBucket(Schema):
    key: str = Field(..., examples=["RCT"])
    code: str = Field(..., description="The treatment's catalog code.", examples=["RCT"])
    label: str = Field(..., examples=["Root canal treatment"])
    count: int = Field(..., description="Treatments performed (quantities).", examples=[12])
    visits: int = Field(..., description="Visits on which it was done.", examples=[11])
    amount: Decimal = Field(..., description="Value at the recorded prices.", examples=["78000.00"])


class TreatmentPractitionerBucket(Schema):
    key: str = Field(..., description="The practitioner's membership id.")
    label: str = Field(..., examples=["Dr. Meera Iyer"])
    count: int = Field(..., examples=[40])
    visits: int = Field(..., examples=[31])
    amount: Decimal = Field(..., examples=["96500.00"])


class TreatmentPoint(Schema):
    period: dt.date
    count: int
    value: Decimal


class TreatmentsReportOut(Schema):
    start: dt.date = Field(..., examples=["2026-03-01"])
    end: dt.date = Field(..., examples=["2026-03-31"])
    group: Group
    time_zone: str = Field(..., examples=["Asia/Kolkata"])
    currency: str = Field(..., examples=["INR"])
    treatments: int = Field(..., description="Treatments performed in the range (quantities).")
    visits: int = Field(..., description="Visit summaries with at least one treatment.")
    unsigned_visits: int = Field(..., description="Of those, summaries not signed yet.")
    value: Decimal = Field(
        ...,
        description="Quantity × price recorded on the visit, in the clinic's currency.",
        examples=["245000.00"],
    )
    by_treatment: list[TreatmentBucket]
    by_practitioner: list[TreatmentPractitionerBucket]
    series: list[TreatmentPoint]


class CustomReportIn(Schema):
    report: ReportKind = Field(..., examples=["revenue"])
    start: dt.date | None = Field(None, examples=["2026-01-01"])
    end: dt.date | None = Field(None, examples=["2026-03-31"])
    group: Group | None = Field(None, examples=["month"])
    format: Literal["json", "csv", "pdf"] = Field(
        "json",
        description="json answers at once; csv or pdf queue a background export.",
        examples=["json"],
    )


class SummaryItem(Schema):
    label: str
    value: str


class TableOut(Schema):
    title: str
    columns: list[str]
    rows: list[list[str]]


class CustomReportOut(Schema):
    report: str
    title: str
    start: dt.date
    end: dt.date
    time_zone: str
    summary: list[SummaryItem]
    tables: list[TableOut]


class ExportOut(Schema):
    id: uuid.UUID
    report: str
    format: str
    status: str = Field(..., examples=["running"])
    progress: int = Field(..., description="0–100", examples=[40])
    params: dict
    file_name: str
    size_bytes: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    download_url: str | None = Field(None, description="Present once the file is ready.")
