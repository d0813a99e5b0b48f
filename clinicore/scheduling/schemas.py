"""API shapes for services, schedules, availability and appointments."""

import uuid
from datetime import date as Date
from datetime import datetime, time
from decimal import Decimal

from ninja import Schema
from pydantic import Field

MODES = "^(in_person|video|either)$"
VISIT_MODES = "^(in_person|video)$"
KINDS = "^(consultation|treatment|follow_up|emergency)$"
PERIODS = "^(morning|afternoon|evening)$"


class ServiceIn(Schema):
    name: str = Field(..., min_length=1, max_length=150, examples=["Dental cleaning"])
    description: str = Field("", max_length=2000, examples=["Scaling and polishing."])
    duration_minutes: int = Field(30, ge=5, le=720, examples=[45])
    price: Decimal = Field(
        Decimal("0"), ge=0, max_digits=12, decimal_places=2, examples=["1500.00"]
    )
    currency: str | None = Field(None, min_length=3, max_length=3, examples=["INR"])
    mode: str = Field("in_person", pattern=MODES, examples=["in_person"])
    buffer_before_minutes: int = Field(0, ge=0, le=120, examples=[5])
    buffer_after_minutes: int = Field(0, ge=0, le=120, examples=[10])
    min_notice_minutes: int = Field(60, ge=0, le=60 * 24 * 30, examples=[120])
    booking_window_days: int = Field(60, ge=1, le=730, examples=[60])
    cancellation_cutoff_hours: int = Field(24, ge=0, le=24 * 14, examples=[24])
    payment_required: bool = Field(False, examples=[False])
    colour: str = Field("#2563eb", pattern=r"^#[0-9a-fA-F]{6}$", examples=["#0ea5e9"])
    practitioner_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Memberships who offer it."
    )


class ServiceUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=150)
    description: str | None = Field(None, max_length=2000)
    duration_minutes: int | None = Field(None, ge=5, le=720, examples=[45])
    price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    mode: str | None = Field(None, pattern=MODES)
    buffer_before_minutes: int | None = Field(None, ge=0, le=120)
    buffer_after_minutes: int | None = Field(None, ge=0, le=120)
    min_notice_minutes: int | None = Field(None, ge=0, le=60 * 24 * 30)
    booking_window_days: int | None = Field(None, ge=1, le=730)
    cancellation_cutoff_hours: int | None = Field(None, ge=0, le=24 * 14)
    payment_required: bool | None = None
    colour: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")
    is_active: bool | None = None
    practitioner_ids: list[uuid.UUID] | None = None


class ServiceOut(Schema):
    id: uuid.UUID
    name: str
    description: str
    duration_minutes: int
    price: Decimal
    currency: str
    mode: str
    buffer_before_minutes: int
    buffer_after_minutes: int
    min_notice_minutes: int
    booking_window_days: int
    cancellation_cutoff_hours: int
    payment_required: bool
    colour: str
    is_active: bool
    practitioner_ids: list[uuid.UUID]


class WeeklyRangeIn(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 = Monday … 6 = Sunday", examples=[0])
    start_time: time = Field(..., examples=["09:00"])
    end_time: time = Field(..., examples=["13:00"])
    mode: str = Field("either", pattern=MODES)
    branch_id: uuid.UUID | None = None
    room_id: uuid.UUID | None = Field(
        None,
        description="The room the practitioner sees patients in during this range; in-person "
        "visits booked in it take the room when it is free. Sets the branch to the room's.",
    )


class WeeklyRangeOut(Schema):
    id: uuid.UUID
    weekday: int
    start_time: time
    end_time: time
    mode: str
    branch_id: uuid.UUID | None
    room_id: uuid.UUID | None


class WorkingHoursIn(Schema):
    ranges: list[WeeklyRangeIn] = Field(..., max_length=70)


class DayRangeIn(Schema):
    start_time: time = Field(..., examples=["10:00"])
    end_time: time = Field(..., examples=["14:00"])
    mode: str = Field("either", pattern=MODES)


class OverrideIn(Schema):
    practitioner_id: uuid.UUID
    date: Date = Field(..., examples=["2026-12-24"])
    ranges: list[DayRangeIn] = Field(
        default_factory=list, max_length=10, description="Empty: the day is off."
    )
    note: str = Field("", max_length=200, examples=["Half day"])


class OverrideOut(Schema):
    id: uuid.UUID
    practitioner_id: uuid.UUID
    date: Date
    start_time: time | None
    end_time: time | None
    mode: str
    note: str


class TimeOffIn(Schema):
    practitioner_id: uuid.UUID
    start: datetime = Field(..., examples=["2026-12-24T00:00:00+05:30"])
    end: datetime = Field(..., examples=["2026-12-27T00:00:00+05:30"])
    reason: str = Field("", max_length=200, examples=["Conference"])


class TimeOffOut(Schema):
    id: uuid.UUID
    practitioner_id: uuid.UUID
    start: datetime
    end: datetime
    reason: str


class ClosureIn(Schema):
    start_date: Date = Field(..., examples=["2026-12-25"])
    end_date: Date = Field(..., examples=["2026-12-26"])
    name: str = Field(..., min_length=1, max_length=150, examples=["Christmas"])


class ClosureOut(Schema):
    id: uuid.UUID
    start_date: Date
    end_date: Date
    name: str


class BookingRulesIn(Schema):
    max_open_per_patient: int = Field(3, ge=1, le=100, examples=[3])
    hold_minutes: int = Field(10, ge=1, le=120, examples=[10])
    waitlist_offer_minutes: int = Field(120, ge=5, le=24 * 60, examples=[120])


class BookingRulesOut(BookingRulesIn):
    pass


class FeedOut(Schema):
    practitioner_id: uuid.UUID
    url: str = Field(..., description="Private: anyone with this address can read the calendar.")


class PractitionerOut(Schema):
    id: uuid.UUID
    name: str
    specialization: str


class SlotOut(Schema):
    start: datetime = Field(..., examples=["2026-12-01T10:00:00+05:30"])
    end: datetime = Field(..., examples=["2026-12-01T10:30:00+05:30"])
    practitioner_id: uuid.UUID
    practitioner_name: str = Field(..., examples=["Dr. Meera Rao"])
    mode: str = Field(..., examples=["in_person"])


class PeriodOut(Schema):
    date: Date
    period: str = Field(..., examples=["morning"])
    remaining: int = Field(..., description="Visits that still fit in this part of the day.")


class AvailabilityOut(Schema):
    clinic: str
    time_zone: str = Field(..., examples=["Asia/Kolkata"])
    service_id: uuid.UUID
    start_date: Date
    end_date: Date
    slots: list[SlotOut]
    periods: list[PeriodOut]


class AppointmentIn(Schema):
    patient_id: uuid.UUID | None = Field(
        None, description="Staff: whose visit. Patients book for themselves."
    )
    practitioner_id: uuid.UUID | None = Field(None, description="Required for a specific time.")
    service_id: uuid.UUID
    start: datetime | None = Field(None, examples=["2026-12-01T10:00:00+05:30"])
    mode: str | None = Field(None, pattern=VISIT_MODES, examples=["in_person"])
    booking_mode: str = Field("specific_time", pattern="^(specific_time|time_period)$")
    date: Date | None = Field(None, description="For time-period booking.", examples=["2026-12-01"])
    period: str | None = Field(None, pattern=PERIODS, examples=["morning"])
    kind: str = Field("consultation", pattern=KINDS)
    reason_for_visit: str = Field("", max_length=1000, examples=["Toothache on the lower left"])
    symptoms: str = Field("", max_length=2000)
    notes: str = Field("", max_length=5000)
    source_channel: str = Field("api", max_length=30, examples=["mobile_app"])
    room_id: uuid.UUID | None = Field(
        None, description="Staff: the room the visit takes (one visit per room at a time)."
    )


class AppointmentUpdate(Schema):
    kind: str | None = Field(None, pattern=KINDS)
    reason_for_visit: str | None = Field(None, max_length=1000)
    symptoms: str | None = Field(None, max_length=2000)
    notes: str | None = Field(None, max_length=5000)
    room_id: uuid.UUID | None = Field(None, description="Move the visit to another free room.")


class RescheduleIn(Schema):
    start: datetime = Field(..., examples=["2026-12-02T11:00:00+05:30"])
    practitioner_id: uuid.UUID | None = Field(
        None, description="Another practitioner, if the visit moves to them."
    )


class AppointmentOut(Schema):
    id: uuid.UUID
    reservation_code: str = Field(..., examples=["R-7K3M9Q"])
    clinic_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    practitioner_id: uuid.UUID
    practitioner_name: str
    service_id: uuid.UUID
    service_name: str
    start: datetime
    end: datetime
    time_zone: str
    mode: str
    kind: str
    status: str
    booking_mode: str
    period: str
    reason_for_visit: str
    symptoms: str | None = None
    notes: str | None = None
    cancellation_reason: str
    confirmed_at: datetime | None
    checked_in_at: datetime | None
    started_at: datetime | None
    checked_out_at: datetime | None
    created_by: str
    source_channel: str
    series_id: uuid.UUID | None
    series_index: int | None
    rescheduled_from_id: uuid.UUID | None
    room_id: uuid.UUID | None = None
    hold_expires_at: datetime | None = None


class CalendarOut(Schema):
    start_date: Date
    end_date: Date
    time_zone: str
    practitioners: list[PractitionerOut]
    appointments: list[AppointmentOut]


class HoldIn(Schema):
    patient_id: uuid.UUID | None = None
    practitioner_id: uuid.UUID
    service_id: uuid.UUID
    start: datetime
    mode: str | None = Field(None, pattern=VISIT_MODES)


class SeriesIn(Schema):
    patient_id: uuid.UUID | None = None
    practitioner_id: uuid.UUID
    service_id: uuid.UUID
    first_start: datetime = Field(..., examples=["2026-12-01T10:00:00+05:30"])
    occurrences: int = Field(..., ge=2, le=52, examples=[6])
    interval_days: int = Field(7, ge=1, le=90, examples=[7])
    kind: str = Field("follow_up", pattern=KINDS)
    reason_for_visit: str = Field("", max_length=1000, examples=["Knee physiotherapy"])


class SeriesUpdate(Schema):
    kind: str | None = Field(None, pattern=KINDS)
    reason_for_visit: str | None = Field(None, max_length=1000)
    notes: str | None = Field(None, max_length=5000)


class SeriesOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    practitioner_id: uuid.UUID
    service_id: uuid.UUID
    occurrences: int
    interval_days: int
    appointments: list[AppointmentOut]


class WaitlistIn(Schema):
    patient_id: uuid.UUID | None = None
    service_id: uuid.UUID
    practitioner_id: uuid.UUID | None = None
    appointment_id: uuid.UUID | None = Field(
        None, description="The later appointment to move earlier."
    )
    earliest_date: Date = Field(..., examples=["2026-12-01"])
    latest_date: Date = Field(..., examples=["2026-12-14"])
    note: str = Field("", max_length=300)


class WaitlistOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    service_id: uuid.UUID
    practitioner_id: uuid.UUID | None
    appointment_id: uuid.UUID | None
    earliest_date: Date
    latest_date: Date
    status: str
    offered_hold_id: uuid.UUID | None
    offered_at: datetime | None
    offered_start: datetime | None = None
    offer_expires_at: datetime | None = None
