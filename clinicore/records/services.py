"""Every write to records, and the audit of every read: field names only, never values."""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicore.core import money
from clinicore.core.audit import audit_record
from clinicore.core.codes import short_code
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.records import files
from clinicore.records.models import (
    Document,
    Prescription,
    PrescriptionItem,
    RecordAddendum,
    TreatmentCatalogItem,
    TreatmentRecord,
    TreatmentRecordItem,
)

MAX_TEXT = 20_000
MAX_ITEMS = 30
# A visit summary may be written a little ahead of the clock (clock drift between devices).
FUTURE_TOLERANCE = timedelta(minutes=10)
# How a message names a text field (the forms show the same words).
TEXT_LABELS = {
    "name": gettext_lazy("Name"),
    "code": gettext_lazy("Code"),
    "description": gettext_lazy("Description"),
    "diagnosis": gettext_lazy("Diagnosis"),
    "notes": gettext_lazy("Notes"),
    "text": gettext_lazy("Text"),
    "medicine": gettext_lazy("Medicine"),
    "strength": gettext_lazy("Strength"),
    "dose": gettext_lazy("Dose"),
    "frequency": gettext_lazy("Frequency"),
    "duration": gettext_lazy("Duration"),
    "instructions": gettext_lazy("Instructions"),
    "advice": gettext_lazy("Advice"),
    "title": gettext_lazy("Title"),
}


def _audit(action: str, obj, *, actor, fields=()) -> None:
    audit_record(
        action=action,
        entity_type=obj._meta.model_name,
        entity_id=obj.pk,
        clinic_id=obj.clinic_id,
        actor=actor,
        fields=fields,
    )


def _text(value, name: str, *, limit: int = MAX_TEXT, required: bool = False) -> str:
    value = (value or "").strip()
    label = TEXT_LABELS.get(name) or name.replace("_", " ").capitalize()
    if required and not value:
        raise InvalidInput(
            _("%(field)s is required.") % {"field": label}, fields={name: _("Required.")}
        )
    if len(value) > limit:
        raise InvalidInput(
            _("%(field)s is at most %(limit)s characters.") % {"field": label, "limit": limit},
            fields={name: _("Too long.")},
        )
    return value


def _same_clinic(clinic, obj, name: str, message: str) -> None:
    if obj is not None and obj.clinic_id != clinic.pk:
        raise InvalidInput(message, fields={name: _("Not at this clinic.")})


def _check_practitioner(clinic, membership, name: str) -> None:
    if membership is None:
        raise InvalidInput(_("Choose the practitioner."), fields={name: _("Required.")})
    _same_clinic(clinic, membership, name, _("This practitioner does not work at this clinic."))
    if not membership.is_active:
        raise InvalidInput(
            _("This staff member is no longer active."), fields={name: _("Inactive.")}
        )


def _check_appointment(clinic, patient, appointment) -> None:
    if appointment is None:
        return
    _same_clinic(clinic, appointment, "appointment_id", _("Appointment not found at this clinic."))
    if appointment.patient_id != patient.pk:
        raise InvalidInput(
            _("This appointment belongs to another patient."),
            fields={"appointment_id": _("Other patient.")},
        )


def _check_patient(clinic, patient) -> None:
    if patient is None or patient.clinic_id != clinic.pk:
        raise InvalidInput(
            _("Patient not found at this clinic."), fields={"patient_id": _("Unknown.")}
        )
    if not patient.is_active:
        raise Conflict(_("This patient's record is deactivated."), code="patient_inactive")


# --- Treatment catalog --------------------------------------------------------------------------


def _price(value, currency: str) -> Decimal:
    try:
        amount = money.quantize(Decimal(str(value)), currency)
    except (ValueError, TypeError, ArithmeticError):
        raise InvalidInput(
            _("Enter a price such as 1500.00."), fields={"default_price": _("Not an amount.")}
        ) from None
    if amount < 0:
        raise InvalidInput(
            _("A price cannot be negative."), fields={"default_price": _("Negative.")}
        )
    return amount


def _currency(value: str | None, clinic) -> str:
    currency = (value or clinic.currency or "").upper()
    if currency not in money.CURRENCIES:
        raise InvalidInput(
            _("Unsupported currency %(currency)s.") % {"currency": currency},
            fields={"currency": _("Unsupported.")},
        )
    return currency


def _duration(value) -> int:
    value = int(value)
    if not 0 < value <= 24 * 60:
        raise InvalidInput(
            _("Duration is between 1 and 1440 minutes."),
            fields={"duration_minutes": _("Out of range.")},
        )
    return value


def catalog_item_create(
    *,
    clinic,
    actor,
    name: str,
    code: str,
    default_price: Decimal | str = Decimal("0"),
    currency: str | None = None,
    description: str = "",
    duration_minutes: int = 30,
) -> TreatmentCatalogItem:
    currency = _currency(currency, clinic)
    item = TreatmentCatalogItem(
        clinic=clinic,
        name=_text(name, "name", limit=150, required=True),
        code=_text(code, "code", limit=30, required=True).upper(),
        description=_text(description, "description", limit=2000),
        default_price=_price(default_price, currency),
        currency=currency,
        duration_minutes=_duration(duration_minutes),
    )
    try:
        with transaction.atomic():
            item.save()
            _audit(
                "catalog_item.create", item, actor=actor, fields=["name", "code", "default_price"]
            )
    except IntegrityError:
        raise Conflict(
            _("The catalog already has a treatment with code %(code)s.") % {"code": item.code},
            code="catalog_code_taken",
        ) from None
    return item


def catalog_item_update(*, item: TreatmentCatalogItem, actor, **changes) -> TreatmentCatalogItem:
    allowed = {
        "name",
        "code",
        "description",
        "default_price",
        "currency",
        "duration_minutes",
        "is_active",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if "currency" in changes:
        item.currency = _currency(changes["currency"], item.clinic)
    if "name" in changes:
        item.name = _text(changes["name"], "name", limit=150, required=True)
    if "code" in changes:
        item.code = _text(changes["code"], "code", limit=30, required=True).upper()
    if "description" in changes:
        item.description = _text(changes["description"], "description", limit=2000)
    if "default_price" in changes or "currency" in changes:
        item.default_price = _price(changes.get("default_price", item.default_price), item.currency)
    if "duration_minutes" in changes:
        item.duration_minutes = _duration(changes["duration_minutes"])
    if "is_active" in changes:
        item.is_active = bool(changes["is_active"])
    fields = sorted(changes)
    try:
        with transaction.atomic():
            item.save(update_fields=[*fields, "updated_at"])
            _audit("catalog_item.update", item, actor=actor, fields=fields)
    except IntegrityError:
        raise Conflict(
            _("The catalog already has a treatment with code %(code)s.") % {"code": item.code},
            code="catalog_code_taken",
        ) from None
    return item


def catalog_item_deactivate(*, item: TreatmentCatalogItem, actor) -> TreatmentCatalogItem:
    """Catalog items are never erased (signed visit summaries name them); they are retired."""
    return catalog_item_update(item=item, actor=actor, is_active=False)


# --- Visit summaries (treatment records) -----------------------------------------------------------


def _record_items(clinic, items: list[dict]) -> list[TreatmentRecordItem]:
    if len(items) > MAX_ITEMS:
        raise InvalidInput(
            _("At most %(count)s treatments per visit.") % {"count": MAX_ITEMS},
            fields={"items": _("Too many.")},
        )
    ids = set()
    for entry in items:
        try:
            ids.add(uuid.UUID(str(entry["catalog_item_id"])))
        except (KeyError, ValueError):
            raise InvalidInput(
                _("Choose treatments from the catalog."), fields={"items": _("Unknown treatment.")}
            ) from None
    catalog = {
        c.pk: c
        for c in TreatmentCatalogItem.objects.filter(clinic=clinic, pk__in=ids, is_active=True)
    }
    rows = []
    for position, entry in enumerate(items):
        item = catalog.get(uuid.UUID(str(entry["catalog_item_id"])))
        if item is None:
            raise InvalidInput(
                _("A treatment is not in this clinic's active catalog."),
                fields={"items": _("Unknown treatment.")},
            )
        quantity = int(entry.get("quantity") or 1)
        if not 1 <= quantity <= 99:
            raise InvalidInput(
                _("Quantity is between 1 and 99."), fields={"items": _("Bad quantity.")}
            )
        rows.append(
            TreatmentRecordItem(
                clinic=clinic,
                catalog_item=item,
                name=item.name,
                code=item.code,
                quantity=quantity,
                price=item.default_price,
                currency=item.currency,
                position=position,
            )
        )
    return rows


def _performed_at(value: datetime | None) -> datetime:
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        raise InvalidInput(
            _("Give the time with its UTC offset."), fields={"performed_at": _("No time zone.")}
        )
    if value > now + FUTURE_TOLERANCE:
        raise InvalidInput(
            _("A visit cannot be in the future."), fields={"performed_at": _("In the future.")}
        )
    return value


@transaction.atomic
def treatment_record_create(
    *,
    clinic,
    actor,
    patient,
    practitioner,
    performed_at: datetime | None = None,
    appointment=None,
    diagnosis: str = "",
    notes: str = "",
    items: list[dict] | None = None,
    sign: bool = False,
    shared_with_patient: bool = False,
) -> TreatmentRecord:
    """A draft visit summary; `sign=True` signs it at once (and only then can it be shared)."""
    _check_patient(clinic, patient)
    _check_practitioner(clinic, practitioner, "practitioner_id")
    _check_appointment(clinic, patient, appointment)
    if shared_with_patient and not sign:
        raise Conflict(
            _("Sign the visit summary before sharing it."), code="treatment_record_unsigned"
        )
    rows = _record_items(clinic, items or [])
    record = TreatmentRecord.objects.create(
        clinic=clinic,
        patient=patient,
        practitioner=practitioner,
        appointment=appointment,
        performed_at=_performed_at(performed_at)
        if appointment is None or performed_at
        else appointment.start,
        diagnosis=_text(diagnosis, "diagnosis"),
        notes=_text(notes, "notes"),
        created_by=actor,
    )
    for row in rows:
        row.record = record
    TreatmentRecordItem.objects.bulk_create(rows)
    fields = ["patient", "practitioner", "performed_at"]
    fields += [name for name in ("appointment",) if appointment is not None]
    fields += [name for name in TreatmentRecord.CLINICAL_FIELDS if getattr(record, name)]
    fields += ["items"] if rows else []
    _audit("treatment_record.create", record, actor=actor, fields=fields)
    if sign:
        record = treatment_record_sign(record=record, actor=actor)
    if shared_with_patient:
        record = treatment_record_share(record=record, actor=actor, shared=True)
    return record


def _lock(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


@transaction.atomic
def treatment_record_update(*, record: TreatmentRecord, actor, **changes) -> TreatmentRecord:
    """Changes a draft. A signed summary is never edited: add an addendum instead (409)."""
    allowed = {"diagnosis", "notes", "performed_at", "items", "practitioner", "appointment"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    locked = _lock(TreatmentRecord, record)
    if locked.is_signed:
        raise Conflict(
            _("This visit summary is signed and can no longer be edited; add an addendum instead."),
            code="treatment_record_signed",
        )
    clinic = locked.clinic
    fields = []
    for name in TreatmentRecord.CLINICAL_FIELDS:
        if name in changes:
            setattr(locked, name, _text(changes[name], name))
            fields.append(name)
    if "performed_at" in changes:
        locked.performed_at = _performed_at(changes["performed_at"])
        fields.append("performed_at")
    if "practitioner" in changes:
        _check_practitioner(clinic, changes["practitioner"], "practitioner_id")
        locked.practitioner = changes["practitioner"]
        fields.append("practitioner")
    if "appointment" in changes:
        _check_appointment(clinic, locked.patient, changes["appointment"])
        locked.appointment = changes["appointment"]
        fields.append("appointment")
    if fields:
        locked.save(update_fields=[*fields, "updated_at"])
    if "items" in changes and changes["items"] is not None:
        rows = _record_items(clinic, changes["items"])
        locked.items.all().delete()
        for row in rows:
            row.record = locked
        TreatmentRecordItem.objects.bulk_create(rows)
        fields.append("items")
    _audit("treatment_record.update", locked, actor=actor, fields=fields)
    return locked


@transaction.atomic
def treatment_record_sign(*, record: TreatmentRecord, actor) -> TreatmentRecord:
    locked = _lock(TreatmentRecord, record)
    if locked.is_signed:
        raise Conflict(_("This visit summary is already signed."), code="treatment_record_signed")
    locked.signed_at = timezone.now()
    locked.signed_by = actor
    locked.save(update_fields=["signed_at", "signed_by", "updated_at"])
    _audit("treatment_record.sign", locked, actor=actor, fields=["signed_at", "signed_by"])
    return locked


@transaction.atomic
def treatment_record_share(*, record: TreatmentRecord, actor, shared: bool) -> TreatmentRecord:
    """Shows (or hides) a signed summary in the patient's portal. Drafts are never shown."""
    locked = _lock(TreatmentRecord, record)
    if shared and not locked.is_signed:
        raise Conflict(
            _("Sign the visit summary before sharing it."), code="treatment_record_unsigned"
        )
    locked.shared_with_patient = bool(shared)
    locked.save(update_fields=["shared_with_patient", "updated_at"])
    _audit(
        "treatment_record.share" if shared else "treatment_record.unshare",
        locked,
        actor=actor,
        fields=["shared_with_patient"],
    )
    return locked


@transaction.atomic
def treatment_record_addendum_add(*, record: TreatmentRecord, actor, text: str) -> RecordAddendum:
    locked = _lock(TreatmentRecord, record)
    if not locked.is_signed:
        raise Conflict(
            _("This visit summary is still a draft: edit it instead of adding an addendum."),
            code="treatment_record_unsigned",
        )
    addendum = RecordAddendum.objects.create(
        clinic_id=locked.clinic_id,
        record=locked,
        text=_text(text, "text", required=True),
        author=actor,
    )
    _audit("treatment_record.addendum", locked, actor=actor, fields=["addenda"])
    return addendum


def treatment_record_read(*, record: TreatmentRecord, actor, as_patient: bool = False) -> None:
    _audit(
        "treatment_record.read_by_patient" if as_patient else "treatment_record.read",
        record,
        actor=actor,
    )


# --- Prescriptions ----------------------------------------------------------------------------


def _prescription_items(clinic, items: list[dict]) -> list[PrescriptionItem]:
    if not items:
        raise InvalidInput(_("Add at least one medicine."), fields={"items": _("Required.")})
    if len(items) > MAX_ITEMS:
        raise InvalidInput(
            _("At most %(count)s medicines.") % {"count": MAX_ITEMS},
            fields={"items": _("Too many.")},
        )
    rows = []
    for position, entry in enumerate(items):
        values = {
            name: _text(entry.get(name), name, limit=1000) for name in PrescriptionItem.FIELDS
        }
        if not values["medicine"]:
            raise InvalidInput(
                _("Each line needs a medicine."), fields={"items": _("Medicine required.")}
            )
        rows.append(PrescriptionItem(clinic=clinic, position=position, **values))
    return rows


@transaction.atomic
def prescription_create(
    *,
    clinic,
    actor,
    patient,
    prescriber,
    items: list[dict],
    appointment=None,
    advice: str = "",
    shared_with_patient: bool = False,
) -> Prescription:
    """Issues a prescription. It is never edited afterwards: a change is a new prescription."""
    _check_patient(clinic, patient)
    _check_practitioner(clinic, prescriber, "prescriber_id")
    if not prescriber.is_practitioner:
        raise InvalidInput(
            _("Prescriptions are issued by a doctor or dentist."),
            fields={"prescriber_id": _("Not a prescriber.")},
        )
    _check_appointment(clinic, patient, appointment)
    rows = _prescription_items(clinic, items)
    prescription = None
    for _attempt in range(5):  # a clash of random codes is rare; retry a few times
        try:
            with transaction.atomic():
                prescription = Prescription.objects.create(
                    clinic=clinic,
                    code=short_code("RX-"),
                    patient=patient,
                    prescriber=prescriber,
                    appointment=appointment,
                    advice=_text(advice, "advice", limit=5000),
                    issued_at=timezone.now(),
                    shared_with_patient=bool(shared_with_patient),
                    created_by=actor,
                )
            break
        except IntegrityError:
            continue
    if prescription is None:
        raise Conflict(
            _("Could not number the prescription; try again."), code="prescription_code_clash"
        )
    for row in rows:
        row.prescription = prescription
    PrescriptionItem.objects.bulk_create(rows)
    fields = ["patient", "prescriber", "items", "issued_at"]
    fields += ["advice"] if prescription.advice else []
    fields += ["appointment"] if appointment is not None else []
    fields += ["shared_with_patient"] if shared_with_patient else []
    _audit("prescription.create", prescription, actor=actor, fields=fields)
    return prescription


@transaction.atomic
def prescription_share(*, prescription: Prescription, actor, shared: bool) -> Prescription:
    locked = _lock(Prescription, prescription)
    locked.shared_with_patient = bool(shared)
    locked.save(update_fields=["shared_with_patient", "updated_at"])
    _audit(
        "prescription.share" if shared else "prescription.unshare",
        locked,
        actor=actor,
        fields=["shared_with_patient"],
    )
    return locked


def prescription_read(
    *, prescription: Prescription, actor, as_patient: bool = False, pdf: bool = False
) -> None:
    action = "prescription.download" if pdf else "prescription.read"
    if as_patient:
        action += "_by_patient"
    _audit(action, prescription, actor=actor)


# --- Documents ----------------------------------------------------------------------------------


def document_upload(
    *,
    clinic,
    actor,
    patient,
    upload,
    title: str,
    kind: str = Document.Kind.OTHER,
    filename: str = "",
    shared_with_patient: bool = False,
) -> Document:
    """Checks the file by its content (PDF, JPEG, PNG; size-limited) and stores it privately."""
    _check_patient(clinic, patient)
    if kind not in Document.Kind.values:
        raise InvalidInput(
            _("Choose what kind of document this is."), fields={"kind": _("Unknown kind.")}
        )
    title = _text(title, "title", limit=200, required=True)
    stored = files.document_file_store(upload=upload)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                clinic=clinic,
                patient=patient,
                title=title,
                kind=kind,
                filename=files.clean_filename(filename or getattr(upload, "name", "")),
                uploaded_by=actor,
                shared_with_patient=bool(shared_with_patient),
                **stored,
            )
            fields = ["patient", "title", "kind", "file"]
            fields += ["shared_with_patient"] if shared_with_patient else []
            _audit("document.upload", document, actor=actor, fields=fields)
    except Exception:
        files.document_file_discard(stored["storage_name"])
        raise
    return document


@transaction.atomic
def document_share(*, document: Document, actor, shared: bool) -> Document:
    locked = _lock(Document, document)
    locked.shared_with_patient = bool(shared)
    locked.save(update_fields=["shared_with_patient", "updated_at"])
    _audit(
        "document.share" if shared else "document.unshare",
        locked,
        actor=actor,
        fields=["shared_with_patient"],
    )
    return locked


def document_read(
    *, document: Document, actor, as_patient: bool = False, download: bool = False
) -> None:
    action = "document.download" if download else "document.read"
    if as_patient:
        action += "_by_patient"
    _audit(action, document, actor=actor)


def patient_records_read(*, patient, actor, as_patient: bool = False) -> None:
    """Opening the list of a patient's records (summaries, prescriptions, documents) is a chart read."""
    audit_record(
        action="records.list_by_patient" if as_patient else "records.list",
        entity_type="patient",
        entity_id=patient.pk,
        clinic_id=patient.clinic_id,
        actor=actor,
    )


def records_list_read(
    *, clinic, actor, kind: str, patient_id=None, as_patient: bool = False
) -> None:
    """A list of summaries, prescriptions or documents was opened: one entry per list, naming the
    patient when the list is one patient's."""
    audit_record(
        action=f"{kind}.list_by_patient" if as_patient else f"{kind}.list",
        entity_type="patient" if patient_id else kind,
        entity_id=patient_id or "",
        clinic_id=getattr(clinic, "pk", None),
        actor=actor,
    )
