"""REST operations under /api/v1/records: the treatment catalog, visit summaries, prescriptions
and documents. Staff reach their clinic's items; patients reach only their own shared ones."""

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query
from pydantic import ValidationError

from clinicore.api.pagination import PageParams, page_of, paginate
from clinicore.api.policy import ClinicRouter, policy, principal_can
from clinicore.clinics.access import membership_get_for_clinic
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import InvalidInput, NotFound
from clinicore.patients.access import patient_get_for_clinic
from clinicore.records import access, selectors, services
from clinicore.records.files import document_response, pdf_response
from clinicore.records.models import Document
from clinicore.records.pdf import prescription_pdf
from clinicore.records.schemas import (
    AddendumIn,
    CatalogItemIn,
    CatalogItemOut,
    CatalogItemUpdate,
    DocumentOut,
    DocumentUploadJson,
    PrescriptionIn,
    PrescriptionOut,
    ShareIn,
    TreatmentRecordIn,
    TreatmentRecordOut,
    TreatmentRecordUpdate,
)
from clinicore.scheduling.access import appointment_get_for_clinic

router = ClinicRouter(tags=["records"])

PATIENT_NOTE = " Patients (signed in for themselves) get only their own items the clinic shared."


def _actor(request):
    return request.auth.user


def _staff(request, perm: str = Perm.PATIENTS_CLINICAL_READ) -> bool:
    return principal_can(request.auth, perm)


def _member(request, member_id, name: str):
    """The practitioner named in the body, or the caller's own membership."""
    clinic = request.auth.clinic
    if member_id is not None:
        try:
            return membership_get_for_clinic(clinic=clinic, membership_id=member_id)
        except NotFound:  # a body field: say which one instead of a bare 404
            raise InvalidInput(
                _("No such staff member at this clinic."), fields={name: _("Unknown.")}
            ) from None
    if request.auth.membership is None:
        raise InvalidInput(
            _("Give %(field)s (an integration key acts for no one).") % {"field": name},
            fields={name: _("Required.")},
        )
    return request.auth.membership


def _appointment(request, appointment_id):
    if appointment_id is None:
        return None
    try:
        return appointment_get_for_clinic(clinic=request.auth.clinic, appointment_id=appointment_id)
    except NotFound:  # a body field, so 422 naming it
        raise InvalidInput(
            _("No such appointment at this clinic."), fields={"appointment_id": _("Unknown.")}
        ) from None


def _patient(request, patient_id):
    try:
        return patient_get_for_clinic(clinic=request.auth.clinic, patient_id=patient_id)
    except NotFound:  # a body field, so 422 naming it
        raise InvalidInput(
            _("No such patient at this clinic."), fields={"patient_id": _("Unknown.")}
        ) from None


# --- Output shapes ------------------------------------------------------------------------------


def record_out(record) -> dict:
    return {
        "id": record.pk,
        "clinic_id": record.clinic_id,
        "clinic_name": record.clinic.name,
        "patient_id": record.patient_id,
        "patient_name": record.patient.full_name,
        "practitioner_id": record.practitioner_id,
        "practitioner_name": record.practitioner.display_name,
        "appointment_id": record.appointment_id,
        "performed_at": record.performed_at,
        "diagnosis": record.diagnosis,
        "notes": record.notes,
        "items": [
            {
                "catalog_item_id": i.catalog_item_id,
                "name": i.name,
                "code": i.code,
                "quantity": i.quantity,
                "price": i.price,
                "currency": i.currency,
            }
            for i in record.items.all()
        ],
        "addenda": [
            {
                "id": a.pk,
                "text": a.text,
                "author_name": (a.author.full_name or a.author.email) if a.author_id else "",
                "created_at": a.created_at,
            }
            for a in record.addenda.all()
        ],
        "shared_with_patient": record.shared_with_patient,
        "signed_at": record.signed_at,
        "signed_by_name": (record.signed_by.full_name or record.signed_by.email)
        if record.signed_by_id
        else None,
        "created_at": record.created_at,
    }


def prescription_out(p) -> dict:
    return {
        "id": p.pk,
        "code": p.code,
        "clinic_id": p.clinic_id,
        "clinic_name": p.clinic.name,
        "patient_id": p.patient_id,
        "patient_name": p.patient.full_name,
        "prescriber_id": p.prescriber_id,
        "prescriber_name": p.prescriber.display_name,
        "appointment_id": p.appointment_id,
        "issued_at": p.issued_at,
        "advice": p.advice,
        "items": [{name: getattr(i, name) for name in i.FIELDS} for i in p.items.all()],
        "shared_with_patient": p.shared_with_patient,
        "pdf_url": reverse("api:records_prescription_pdf", kwargs={"prescription_id": p.pk}),
    }


def document_out(d) -> dict:
    return {
        "id": d.pk,
        "clinic_id": d.clinic_id,
        "clinic_name": d.clinic.name,
        "patient_id": d.patient_id,
        "patient_name": d.patient.full_name,
        "title": d.title,
        "kind": d.kind,
        "filename": d.filename,
        "content_type": d.content_type,
        "size": d.size,
        "shared_with_patient": d.shared_with_patient,
        "created_at": d.created_at,
        "download_url": reverse("api:records_document_file", kwargs={"document_id": d.pk}),
    }


def _page(qs, page, out):
    result = paginate(qs, page)
    result["items"] = [out(x) for x in result["items"]]
    return result


@dataclass(frozen=True)
class ItemKind:
    """One kind of record item (visit summary, prescription, document) as its get, download and
    share operations reach it: staff through the clinic, a patient only to their own shared items.

    `name` is the keyword its access functions (`<name>_id`) and services (`<name>=`) take.
    """

    name: str
    get_for_clinic: Callable
    get_for_patient_user: Callable
    read: Callable
    share: Callable
    out: Callable[[object], dict]
    fresh: Callable[[object], object] | None = None  # default: read again through the clinic

    def staff_get(self, request, item_id):
        return self.get_for_clinic(clinic=request.auth.clinic, **{f"{self.name}_id": item_id})

    def get(self, request, item_id):
        if _staff(request):
            return self.staff_get(request, item_id)
        return self.get_for_patient_user(
            user=request.auth.user, clinic=request.auth.clinic, **{f"{self.name}_id": item_id}
        )

    def read_by(self, request, item_id, **how):
        """The item, its reading audited (`how`: the service's pdf/download flag)."""
        item = self.get(request, item_id)
        self.read(**{self.name: item}, actor=_actor(request), as_patient=not _staff(request), **how)
        return item

    def shared(self, request, item_id, shared: bool) -> dict:
        item = self.staff_get(request, item_id)
        item = self.share(**{self.name: item}, actor=_actor(request), shared=shared)
        if self.fresh is not None:
            return self.out(self.fresh(item))
        return self.out(self.get_for_clinic(clinic=item.clinic_id, **{f"{self.name}_id": item.pk}))


# --- Treatment catalog --------------------------------------------------------------------------


@router.get(
    "/catalog",
    response=page_of(CatalogItemOut),
    summary="List the treatment catalog",
    description="The clinic's treatments with default prices, by name. `include_inactive=true` adds retired ones.",
    openapi_extra=policy(Perm.CLINIC_READ),
)
def list_catalog(request, page: Query[PageParams], include_inactive: bool = False):
    return paginate(
        selectors.catalog_list(clinic=request.auth.clinic, include_inactive=include_inactive), page
    )


@router.post(
    "/catalog",
    response={201: CatalogItemOut},
    summary="Add a treatment to the catalog",
    description="Codes are unique per clinic (409 when taken). The price defaults to the clinic's currency.",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE),
)
def create_catalog_item(request, payload: CatalogItemIn):
    item = services.catalog_item_create(
        clinic=request.auth.clinic, actor=_actor(request), **payload.dict()
    )
    return 201, item


@router.get(
    "/catalog/{catalog_item_id}",
    response=CatalogItemOut,
    summary="Get a catalog treatment",
    openapi_extra=policy(Perm.CLINIC_READ, obj="catalog_item"),
)
def get_catalog_item(request, catalog_item_id: uuid.UUID):
    return access.catalog_item_get_for_clinic(
        clinic=request.auth.clinic, catalog_item_id=catalog_item_id
    )


@router.put(
    "/catalog/{catalog_item_id}",
    response=CatalogItemOut,
    summary="Change a catalog treatment",
    description="Only the fields sent change. Summaries already written keep the name and price they had.",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE, obj="catalog_item"),
)
def update_catalog_item(request, catalog_item_id: uuid.UUID, payload: CatalogItemUpdate):
    item = access.catalog_item_get_for_clinic(
        clinic=request.auth.clinic, catalog_item_id=catalog_item_id
    )
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if not changes:
        return item
    return services.catalog_item_update(item=item, actor=_actor(request), **changes)


@router.delete(
    "/catalog/{catalog_item_id}",
    response=CatalogItemOut,
    summary="Retire a catalog treatment",
    description="Treatments are never erased (signed summaries name them): it is marked inactive.",
    openapi_extra=policy(Perm.SCHEDULE_MANAGE, obj="catalog_item"),
)
def retire_catalog_item(request, catalog_item_id: uuid.UUID):
    item = access.catalog_item_get_for_clinic(
        clinic=request.auth.clinic, catalog_item_id=catalog_item_id
    )
    return services.catalog_item_deactivate(item=item, actor=_actor(request))


# --- Visit summaries ----------------------------------------------------------------------------


def _fresh_record(record):
    return selectors.treatment_record_list(clinic=record.clinic).get(pk=record.pk)


VISIT = ItemKind(
    name="record",
    get_for_clinic=access.treatment_record_get_for_clinic,
    get_for_patient_user=access.treatment_record_get_for_patient_user,
    read=services.treatment_record_read,
    share=services.treatment_record_share,
    out=record_out,
    fresh=_fresh_record,
)


@router.get(
    "/visits",
    response=page_of(TreatmentRecordOut),
    summary="List visit summaries",
    description="Staff: the clinic's summaries, newest first, by `patient_id` and `signed`."
    + PATIENT_NOTE,
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_READ, patient=True),
)
def list_visits(
    request,
    page: Query[PageParams],
    patient_id: uuid.UUID | None = None,
    signed: bool | None = None,
):
    if _staff(request):
        qs = selectors.treatment_record_list(
            clinic=request.auth.clinic, patient_id=patient_id, signed=signed
        )
    else:
        qs = selectors.shared_treatment_records_for_user(
            user=request.auth.user, clinic=request.auth.clinic
        )
    services.records_list_read(
        clinic=request.auth.clinic,
        actor=_actor(request),
        kind="treatment_record",
        patient_id=patient_id if _staff(request) else None,
        as_patient=not _staff(request),
    )
    return _page(qs, page, record_out)


@router.post(
    "/visits",
    response={201: TreatmentRecordOut},
    summary="Write a visit summary",
    description="A draft, editable until signed (`sign: true` signs at once). Treatments come from the "
    "catalog; their names and prices are copied. Only signed summaries can be shared with the patient.",
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_WRITE),
)
def create_visit(request, payload: TreatmentRecordIn):
    record = services.treatment_record_create(
        clinic=request.auth.clinic,
        actor=_actor(request),
        patient=_patient(request, payload.patient_id),
        practitioner=_member(request, payload.practitioner_id, "practitioner_id"),
        appointment=_appointment(request, payload.appointment_id),
        performed_at=payload.performed_at,
        diagnosis=payload.diagnosis,
        notes=payload.notes,
        items=[i.dict() for i in payload.items],
        sign=payload.sign,
        shared_with_patient=payload.shared_with_patient,
    )
    return 201, record_out(_fresh_record(record))


@router.get(
    "/visits/{treatment_record_id}",
    response=TreatmentRecordOut,
    summary="Get a visit summary",
    description="Every read is recorded in the clinic's audit log." + PATIENT_NOTE,
    url_name="records_visit",
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_READ, obj="treatment_record", patient=True),
)
def get_visit(request, treatment_record_id: uuid.UUID):
    return record_out(_fresh_record(VISIT.read_by(request, treatment_record_id)))


@router.put(
    "/visits/{treatment_record_id}",
    response=TreatmentRecordOut,
    summary="Edit a draft visit summary",
    description="Only the fields sent change; `items` replaces the list. A signed summary answers 409 "
    "(`treatment_record_signed`): add an addendum instead.",
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_WRITE, obj="draft_treatment_record"),
)
def update_visit(request, treatment_record_id: uuid.UUID, payload: TreatmentRecordUpdate):
    record = VISIT.staff_get(request, treatment_record_id)
    data = payload.dict(exclude_unset=True)
    changes = {}
    for name in ("diagnosis", "notes", "performed_at"):
        if data.get(name) is not None:
            changes[name] = data[name]
    if data.get("practitioner_id") is not None:
        changes["practitioner"] = _member(request, data["practitioner_id"], "practitioner_id")
    if data.get("items") is not None:
        changes["items"] = [dict(i) for i in data["items"]]
    record = services.treatment_record_update(record=record, actor=_actor(request), **changes)
    return record_out(_fresh_record(record))


@router.post(
    "/visits/{treatment_record_id}/sign",
    response=TreatmentRecordOut,
    summary="Sign a visit summary",
    description="Locks it: afterwards it changes only through addenda. Already signed: 409.",
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_WRITE, obj="draft_treatment_record"),
)
def sign_visit(request, treatment_record_id: uuid.UUID):
    record = services.treatment_record_sign(
        record=VISIT.staff_get(request, treatment_record_id), actor=_actor(request)
    )
    return record_out(_fresh_record(record))


@router.post(
    "/visits/{treatment_record_id}/addenda",
    response={201: TreatmentRecordOut},
    summary="Add an addendum to a signed visit summary",
    description="The signed text never changes; later findings are added, dated and attributed. Draft: 409.",
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_WRITE, obj="treatment_record"),
)
def add_addendum(request, treatment_record_id: uuid.UUID, payload: AddendumIn):
    record = VISIT.staff_get(request, treatment_record_id)
    services.treatment_record_addendum_add(record=record, actor=_actor(request), text=payload.text)
    return 201, record_out(_fresh_record(record))


@router.post(
    "/visits/{treatment_record_id}/share",
    response=TreatmentRecordOut,
    summary="Share or hide a visit summary",
    description="`shared: true` shows a signed summary in the patient's portal; a draft answers 409.",
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_WRITE, obj="treatment_record"),
)
def share_visit(request, treatment_record_id: uuid.UUID, payload: ShareIn):
    return VISIT.shared(request, treatment_record_id, payload.shared)


# --- Prescriptions ------------------------------------------------------------------------------


PRESCRIPTION = ItemKind(
    name="prescription",
    get_for_clinic=access.prescription_get_for_clinic,
    get_for_patient_user=access.prescription_get_for_patient_user,
    read=services.prescription_read,
    share=services.prescription_share,
    out=prescription_out,
)


@router.get(
    "/prescriptions",
    response=page_of(PrescriptionOut),
    summary="List prescriptions",
    description="Staff: the clinic's prescriptions, newest first, by `patient_id`." + PATIENT_NOTE,
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_READ, patient=True),
)
def list_prescriptions(request, page: Query[PageParams], patient_id: uuid.UUID | None = None):
    if _staff(request):
        qs = selectors.prescription_list(clinic=request.auth.clinic, patient_id=patient_id)
    else:
        qs = selectors.shared_prescriptions_for_user(
            user=request.auth.user, clinic=request.auth.clinic
        )
    services.records_list_read(
        clinic=request.auth.clinic,
        actor=_actor(request),
        kind="prescription",
        patient_id=patient_id if _staff(request) else None,
        as_patient=not _staff(request),
    )
    return _page(qs, page, prescription_out)


@router.post(
    "/prescriptions",
    response={201: PrescriptionOut},
    summary="Issue a prescription",
    description="By a doctor or dentist of the clinic (the caller unless `prescriber_id` names another). "
    "Issued prescriptions are never edited; issue a new one.",
    openapi_extra=policy(Perm.PRESCRIPTIONS_WRITE),
)
def create_prescription(request, payload: PrescriptionIn):
    prescription = services.prescription_create(
        clinic=request.auth.clinic,
        actor=_actor(request),
        patient=_patient(request, payload.patient_id),
        prescriber=_member(request, payload.prescriber_id, "prescriber_id"),
        appointment=_appointment(request, payload.appointment_id),
        items=[i.dict() for i in payload.items],
        advice=payload.advice,
        shared_with_patient=payload.shared_with_patient,
    )
    fresh = selectors.prescription_list(clinic=request.auth.clinic).get(pk=prescription.pk)
    return 201, prescription_out(fresh)


@router.get(
    "/prescriptions/{prescription_id}",
    response=PrescriptionOut,
    summary="Get a prescription",
    description="Every read is recorded in the clinic's audit log." + PATIENT_NOTE,
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_READ, obj="prescription", patient=True),
)
def get_prescription(request, prescription_id: uuid.UUID):
    return prescription_out(PRESCRIPTION.read_by(request, prescription_id))


@router.get(
    "/prescriptions/{prescription_id}/pdf",
    response={200: None},
    summary="Download a prescription as PDF",
    description="Printable, on the clinic's letterhead." + PATIENT_NOTE,
    url_name="records_prescription_pdf",
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_READ, obj="prescription", patient=True),
)
def download_prescription(request, prescription_id: uuid.UUID):
    prescription = PRESCRIPTION.read_by(request, prescription_id, pdf=True)
    return pdf_response(prescription_pdf(prescription), f"{prescription.code}.pdf")


@router.post(
    "/prescriptions/{prescription_id}/share",
    response=PrescriptionOut,
    summary="Share or hide a prescription",
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_WRITE, obj="prescription"),
)
def share_prescription(request, prescription_id: uuid.UUID, payload: ShareIn):
    return PRESCRIPTION.shared(request, prescription_id, payload.shared)


# --- Documents ----------------------------------------------------------------------------------


DOCUMENT = ItemKind(
    name="document",
    get_for_clinic=access.document_get_for_clinic,
    get_for_patient_user=access.document_get_for_patient_user,
    read=services.document_read,
    share=services.document_share,
    out=document_out,
)


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["patient_id", "title", "file"],
                    "properties": {
                        "patient_id": {"type": "string", "format": "uuid"},
                        "title": {"type": "string", "maxLength": 200},
                        "kind": {"type": "string", "enum": list(Document.Kind.values)},
                        "shared_with_patient": {"type": "boolean"},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            },
            "application/json": {"schema": DocumentUploadJson.model_json_schema()},
        },
    }
}

_TRUE = {"1", "true", "on", "yes"}


def _upload_source(request) -> dict:
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("Attach a file."), fields={"file": _("Required.")})
        return {
            "patient_id": request.POST.get("patient_id", ""),
            "title": request.POST.get("title", ""),
            "kind": request.POST.get("kind", Document.Kind.OTHER),
            "shared_with_patient": request.POST.get("shared_with_patient", "").lower() in _TRUE,
            "upload": upload,
            "filename": upload.name,
        }
    try:
        data = DocumentUploadJson.model_validate(json.loads(request.body or b"{}"))
    except (ValueError, ValidationError) as exc:
        raise InvalidInput(
            _("Send multipart form data with a file, or JSON with data_base64.")
        ) from exc
    try:
        raw = base64.b64decode(data.data_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(
            _("data_base64 is not base64."), fields={"data_base64": _("Not base64.")}
        ) from exc
    return {
        "patient_id": data.patient_id,
        "title": data.title,
        "kind": data.kind,
        "shared_with_patient": data.shared_with_patient,
        "upload": SimpleUploadedFile(data.filename, raw),
        "filename": data.filename,
    }


@router.get(
    "/documents",
    response=page_of(DocumentOut),
    summary="List documents",
    description="Staff: the clinic's documents, newest first, by `patient_id` and `kind`."
    + PATIENT_NOTE,
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_READ, patient=True),
)
def list_documents(
    request, page: Query[PageParams], patient_id: uuid.UUID | None = None, kind: str | None = None
):
    if _staff(request):
        qs = selectors.document_list(clinic=request.auth.clinic, patient_id=patient_id, kind=kind)
    else:
        qs = selectors.shared_documents_for_user(user=request.auth.user, clinic=request.auth.clinic)
    services.records_list_read(
        clinic=request.auth.clinic,
        actor=_actor(request),
        kind="document",
        patient_id=patient_id if _staff(request) else None,
        as_patient=not _staff(request),
    )
    return _page(qs, page, document_out)


@router.post(
    "/documents",
    response={201: DocumentOut},
    summary="Upload a document",
    description="PDF, JPEG or PNG, checked by content (not by name), up to the size limit (10 MB by "
    "default; 413 above, 415 for other types). Send multipart form data (`patient_id`, `title`, `kind`, "
    "`shared_with_patient`, `file`) or JSON with `data_base64`.",
    openapi_extra={**policy(Perm.PATIENTS_CLINICAL_WRITE), **UPLOAD_BODY},
)
def upload_document(request):
    source = _upload_source(request)
    document = services.document_upload(
        clinic=request.auth.clinic,
        actor=_actor(request),
        patient=_patient(request, source["patient_id"]),
        upload=source["upload"],
        title=source["title"],
        kind=source["kind"],
        filename=source["filename"],
        shared_with_patient=source["shared_with_patient"],
    )
    return 201, document_out(document)


@router.get(
    "/documents/{document_id}",
    response=DocumentOut,
    summary="Get a document's details",
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_READ, obj="document", patient=True),
)
def get_document(request, document_id: uuid.UUID):
    return document_out(DOCUMENT.read_by(request, document_id))


@router.get(
    "/documents/{document_id}/file",
    response={200: None},
    summary="Download a document",
    description="The file itself (never cached)." + PATIENT_NOTE,
    url_name="records_document_file",
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_READ, obj="document", patient=True),
)
def download_document(request, document_id: uuid.UUID):
    return document_response(DOCUMENT.read_by(request, document_id, download=True))


@router.post(
    "/documents/{document_id}/share",
    response=DocumentOut,
    summary="Share or hide a document",
    openapi_extra=policy(Perm.PATIENTS_CLINICAL_WRITE, obj="document"),
)
def share_document(request, document_id: uuid.UUID, payload: ShareIn):
    return DOCUMENT.shared(request, document_id, payload.shared)
