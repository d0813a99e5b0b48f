"""Every write to patient records."""

import secrets

from django.db import IntegrityError, transaction

from clinicore.core.audit import audit_record
from clinicore.core.errors import InvalidInput
from clinicore.patients.models import Patient

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "allergies",
    "current_medications",
    "medical_history",
    "preferred_language",
)


def barcode_new() -> str:
    # 12 digits after a letter prefix: fits Code 128 compactly and types fast on a wedge scanner.
    return "P" + "".join(secrets.choice("0123456789") for _ in range(11))


def _clean(data: dict) -> dict:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(fields={name: "Unknown field." for name in sorted(unknown)})
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    if "email" in cleaned and cleaned["email"]:
        cleaned["email"] = cleaned["email"].lower()
    if "first_name" in cleaned and not cleaned["first_name"]:
        raise InvalidInput("First name is required.", fields={"first_name": "Required."})
    return cleaned


@transaction.atomic
def patient_create(*, clinic, actor=None, user=None, **data) -> Patient:
    cleaned = _clean(data)
    if not cleaned.get("first_name"):
        raise InvalidInput("First name is required.", fields={"first_name": "Required."})
    for _attempt in range(5):
        patient = Patient(clinic=clinic, user=user, barcode=barcode_new(), **cleaned)
        try:
            with transaction.atomic():
                patient.save()
            break
        except IntegrityError as exc:
            if "barcode" in str(exc).lower():
                continue
            raise InvalidInput("This person already has a record at this clinic.") from exc
    audit_record(
        action="patient.create",
        entity_type="patient",
        entity_id=patient.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=cleaned.keys(),
    )
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, actor=None, **data) -> Patient:
    cleaned = _clean(data)
    changed = [name for name, value in cleaned.items() if getattr(patient, name) != value]
    for name in changed:
        setattr(patient, name, cleaned[name])
    if changed:
        patient.save(update_fields=[*changed, "updated_at"])
    audit_record(
        action="patient.update",
        entity_type="patient",
        entity_id=patient.pk,
        clinic_id=patient.clinic_id,
        actor=actor,
        fields=changed,
    )
    return patient


@transaction.atomic
def patient_deactivate(*, patient: Patient, actor=None) -> Patient:
    if patient.is_active:
        patient.is_active = False
        patient.save(update_fields=["is_active", "updated_at"])
    audit_record(
        action="patient.deactivate",
        entity_type="patient",
        entity_id=patient.pk,
        clinic_id=patient.clinic_id,
        actor=actor,
        fields=["is_active"],
    )
    return patient


def patient_record_read(*, patient: Patient, actor=None, clinical: bool = False) -> None:
    """Every opening of a patient's record is logged (who, when, from where)."""
    audit_record(
        action="patient.read_clinical" if clinical else "patient.read",
        entity_type="patient",
        entity_id=patient.pk,
        clinic_id=patient.clinic_id,
        actor=actor,
    )
