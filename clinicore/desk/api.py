"""REST operation of the front desk: scanning a patient's card (barcode or QR) to check in."""

import uuid

from ninja import Schema
from pydantic import Field

from clinicore.api.policy import ClinicRouter, policy
from clinicore.clinics.permissions import Perm
from clinicore.desk import services
from clinicore.desk.models import ScanEvent

router = ClinicRouter(tags=["front desk"])


class ScanIn(Schema):
    code: str = Field(
        ...,
        min_length=1,
        max_length=64,
        description="A patient card's barcode or an appointment's reservation code.",
        examples=["P48213377012"],
    )
    check_in: bool = Field(
        True, description="Check the patient in for today's visit when they are expected."
    )
    source: str = Field("api", pattern="^(wedge|camera|api)$", examples=["camera"])


class ScanPatient(Schema):
    id: uuid.UUID
    name: str = Field(..., examples=["Asha Verma"])
    barcode: str


class ScanAppointment(Schema):
    id: uuid.UUID
    reservation_code: str = Field(..., examples=["R-7K3M9Q"])
    start: str = Field(..., description="ISO 8601 with the UTC offset.")
    status: str = Field(..., examples=["checked_in"])
    practitioner: str
    service: str


class ScanOut(Schema):
    scan_id: uuid.UUID
    outcome: str = Field(
        ...,
        description="checked_in, already_in, no_appointment, found or unknown.",
        examples=["checked_in"],
    )
    message: str = Field(..., examples=["Asha Verma is checked in."])
    checked_in: bool
    patient: ScanPatient | None
    appointment: ScanAppointment | None


@router.post(
    "/scan",
    response=ScanOut,
    summary="Scan a patient's card",
    description="Finds the patient by card barcode (or an appointment's reservation code), returns "
    "today's appointment, checks them in when `check_in` is true and they are expected, "
    "and records the scan. An unknown code answers `outcome=unknown` (still recorded).",
    openapi_extra=policy(Perm.SCHEDULE_BOOK),
)
def scan(request, payload: ScanIn):
    result = services.barcode_scan(
        clinic=request.auth.clinic,
        actor=request.auth.user,
        code=payload.code,
        source=payload.source or ScanEvent.Source.API,
        check_in=payload.check_in,
    )
    appt = result.appointment
    return {
        "scan_id": result.scan.pk,
        "outcome": result.scan.outcome,
        "message": result.message,
        "checked_in": result.checked_in,
        "patient": {
            "id": result.patient.pk,
            "name": result.patient.full_name,
            "barcode": result.patient.barcode,
        }
        if result.patient
        else None,
        "appointment": {
            "id": appt.pk,
            "reservation_code": appt.reservation_code,
            "start": appt.start.isoformat(),
            "status": appt.status,
            "practitioner": appt.practitioner.display_name,
            "service": appt.service.name,
        }
        if appt
        else None,
    }
