"""A person's own data, gathered across their clinics: the overview page and the JSON download."""

from clinicore.core.audit import audit_record
from clinicore.portal import selectors, services
from clinicore.records.selectors import shared_records_export

# The audit entries of a download, per clinic record: the action and the sections it names
# (never their contents).
EXPORT_AUDIT = (
    ("patient.export", ()),
    ("records.export_by_patient", ("visit_summaries", "prescriptions", "documents")),
)


def overview_sections(*, user, records) -> dict:
    """What the overview shows beside the person's clinics (appointments, invoices)."""
    from django.utils import timezone

    upcoming, _past = selectors.my_upcoming_and_past(user=user, now=timezone.now(), limit=3)
    due = [i for i in selectors.my_invoices(user=user)[:20] if i.is_payable]
    return {"upcoming": upcoming, "due": due}


def _patient_dict(p) -> dict:
    return {
        "clinic": {"name": p.clinic.name, "slug": p.clinic.slug},
        "patient_id": str(p.pk),
        "barcode": p.barcode,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else None,
        "gender": p.gender,
        "phone": p.phone,
        "email": p.email,
        "address": p.address,
        "emergency_contact_name": p.emergency_contact_name,
        "emergency_contact_phone": p.emergency_contact_phone,
        "allergies": p.allergies,
        "current_medications": p.current_medications,
        "preferred_language": p.preferred_language,
        "registered_at": p.created_at.isoformat(),
    }


def my_data(*, user) -> dict:
    """Everything the platform holds about the person that they may see, as plain JSON."""
    records = list(selectors.my_patient_records(user=user))
    data = {
        "format": "clinicore.my-data.v1",
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "preferred_language": user.preferred_language,
            "joined_at": user.date_joined.isoformat(),
        },
        "contact_channels": services.contact_channels(user=user),
        "patient_records": [_patient_dict(p) for p in records],
        "appointments": [
            {
                "clinic": a.clinic.slug,
                "reservation": a.reservation_code,
                "service": a.service.name,
                "practitioner": a.practitioner.display_name,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "mode": a.mode,
                "status": a.status,
                "reason_for_visit": a.reason_for_visit,
                "symptoms": a.symptoms,
            }
            for a in selectors.my_appointments(user=user).order_by("start")[:1000]
        ],
        "invoices": [
            {
                "clinic": i.clinic.slug,
                "number": i.number,
                "status": i.status,
                "currency": i.currency,
                "total": str(i.total),
                "paid": str(i.amount_paid),
                "issued_at": i.issued_at.isoformat() if i.issued_at else None,
            }
            for i in selectors.my_invoices(user=user)[:1000]
        ],
        "sessions": [
            {"device": s.device, "ip": s.ip, "signed_in_at": s.created_at.isoformat()}
            for s in selectors.signed_in_sessions(user=user)
        ],
        # Only what each clinic shared with the person; drafts and hidden items stay out.
        "records": shared_records_export(user=user),
    }
    for p in records:
        for action, fields in EXPORT_AUDIT:
            audit_record(
                action=action,
                entity_type="patient",
                entity_id=p.pk,
                clinic_id=p.clinic_id,
                actor=user,
                fields=fields,
            )
    return data
