"""Every write to patient records."""

import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

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
        raise InvalidInput(fields={name: _("Unknown field.") for name in sorted(unknown)})
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    if "email" in cleaned and cleaned["email"]:
        cleaned["email"] = cleaned["email"].lower()
    if "first_name" in cleaned and not cleaned["first_name"]:
        raise InvalidInput(_("First name is required."), fields={"first_name": _("Required.")})
    return cleaned


@transaction.atomic
def patient_create(*, clinic, actor=None, user=None, **data) -> Patient:
    cleaned = _clean(data)
    if not cleaned.get("first_name"):
        raise InvalidInput(_("First name is required."), fields={"first_name": _("Required.")})
    for _attempt in range(5):
        patient = Patient(clinic=clinic, user=user, barcode=barcode_new(), **cleaned)
        try:
            with transaction.atomic():
                patient.save()
            break
        except IntegrityError as exc:
            if "barcode" in str(exc).lower():
                continue
            raise InvalidInput(_("This person already has a record at this clinic.")) from exc
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


# --- Merging duplicate records ----------------------------------------------------------------

# Demographic fields the kept record takes from the duplicate when its own are empty.
MERGE_FILL_FIELDS = (
    "last_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
)


def _patient_relations():
    """Every foreign key to Patient in any app (appointments, invoices, records, chats, scans…),
    hidden ones included, except the record's own `merged_into`."""
    for rel in Patient._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            if rel.related_model is Patient:
                continue
            yield rel


@transaction.atomic
def patient_merge(*, clinic, keep: Patient, duplicate: Patient, actor=None) -> Patient:
    """Moves everything that points at `duplicate` (appointments, invoices, records, messages…)
    to `keep`, fills `keep`'s empty details from it, keeps both allergy notes, and deactivates
    the duplicate with `merged_into` set. Audited on both records (field names only)."""
    from clinicore.core.errors import Conflict, NotFound

    if keep.pk == duplicate.pk:
        raise InvalidInput(
            _("Choose two different records to merge."), fields={"duplicate_id": _("Same record.")}
        )
    locked = {
        p.pk: p
        for p in Patient.objects.select_for_update()
        .filter(clinic=clinic, pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise NotFound(_("Patient not found."), code="patient_not_found")
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    if duplicate.merged_into_id or keep.merged_into_id:
        raise Conflict(
            _("One of these records was already merged into another."), code="already_merged"
        )
    moved = []
    for rel in _patient_relations():
        field = rel.field
        model = rel.related_model
        rows = model._base_manager.filter(**{field.name: duplicate})
        if rel.one_to_one and model._base_manager.filter(**{field.name: keep}).exists():
            continue  # the kept record has its own; the duplicate's stays with it, still linked
        try:
            with transaction.atomic():
                count = rows.update(**{field.name: keep})
        except IntegrityError as exc:
            raise Conflict(
                _("Both records have a %(record)s that cannot be combined; resolve it first.")
                % {"record": model._meta.verbose_name},
                code="merge_conflict",
            ) from exc
        if count:
            moved.append(f"{model._meta.label_lower}.{field.name}")
    changed = []
    if duplicate.user_id and not keep.user_id:
        user_id = duplicate.user_id
        duplicate.user = None
        duplicate.save(update_fields=["user", "updated_at"])
        keep.user_id = user_id
        changed.append("user")
    for name in MERGE_FILL_FIELDS:
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
            changed.append(name)
    for name in Patient.CLINICAL_FIELDS:
        mine, theirs = getattr(keep, name), getattr(duplicate, name)
        if theirs and theirs.strip() not in (mine or ""):
            setattr(keep, name, f"{mine}\n{theirs}".strip() if mine else theirs)
            changed.append(name)
    if changed:
        keep.save(update_fields=[*changed, "updated_at"])
    duplicate.is_active = False
    duplicate.merged_into = keep
    duplicate.save(update_fields=["is_active", "merged_into", "updated_at"])
    audit_record(
        action="patient.merge",
        entity_type="patient",
        entity_id=keep.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=[*changed, *moved],
    )
    audit_record(
        action="patient.merged_into",
        entity_type="patient",
        entity_id=duplicate.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=["is_active", "merged_into"],
    )
    return keep
