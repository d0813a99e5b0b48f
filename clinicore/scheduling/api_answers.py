"""How the appointments API answers: an appointment as its reader may see it (symptoms to
clinical staff and to the patient themself, notes to clinical staff only)."""

from clinicore.scheduling.api_principal import is_patient, sees_clinical
from clinicore.scheduling.models import Appointment


def appointment_out(a: Appointment, *, clinical: bool, own: bool = False) -> dict:
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


def appointment_answer(request, a: Appointment) -> dict:
    return appointment_out(a, clinical=sees_clinical(request), own=is_patient(request))
