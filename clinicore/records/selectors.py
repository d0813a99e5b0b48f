"""Reads that the API, the workspace pages and the patient portal share."""

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from clinicore.records import access
from clinicore.records.models import (
    Document,
    Prescription,
    PrescriptionItem,
    RecordAddendum,
    TreatmentCatalogItem,
    TreatmentRecord,
    TreatmentRecordItem,
)


def catalog_list(*, clinic, include_inactive: bool = False):
    qs = TreatmentCatalogItem.objects.filter(clinic=clinic)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("name", "id")


def _records(qs):
    return qs.select_related(
        "patient", "practitioner__user", "signed_by", "clinic"
    ).prefetch_related(
        Prefetch("items", queryset=TreatmentRecordItem.objects.order_by("position", "id")),
        Prefetch(
            "addenda",
            queryset=RecordAddendum.objects.select_related("author").order_by("created_at", "id"),
        ),
    )


def _prescriptions(qs):
    return qs.select_related("patient", "prescriber__user", "clinic").prefetch_related(
        Prefetch("items", queryset=PrescriptionItem.objects.order_by("position", "id"))
    )


def treatment_record_list(*, clinic, patient_id=None, signed: bool | None = None):
    qs = TreatmentRecord.objects.filter(clinic=clinic)
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if signed is not None:
        qs = qs.filter(signed_at__isnull=not signed)
    return _records(qs).order_by("-performed_at", "-id")


def prescription_list(*, clinic, patient_id=None):
    qs = Prescription.objects.filter(clinic=clinic)
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    return _prescriptions(qs).order_by("-issued_at", "-id")


def document_list(*, clinic, patient_id=None, kind: str | None = None):
    qs = Document.objects.filter(clinic=clinic).select_related("patient", "clinic", "uploaded_by")
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


# --- What a patient sees: their own shared items at every clinic (or one) -----------------------


def shared_treatment_records_for_user(*, user, clinic=None):
    return _records(access.shared_treatment_records(user=user, clinic=clinic)).order_by(
        "-performed_at", "-id"
    )


def shared_prescriptions_for_user(*, user, clinic=None):
    return _prescriptions(access.shared_prescriptions(user=user, clinic=clinic)).order_by(
        "-issued_at", "-id"
    )


def shared_documents_for_user(*, user, clinic=None):
    return (
        access.shared_documents(user=user, clinic=clinic)
        .select_related("patient", "clinic")
        .order_by("-created_at", "-id")
    )


# --- The patient's own download of their data ---------------------------------------------------


def _name(user) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _link(name: str, **kwargs) -> str:
    return settings.PUBLIC_BASE_URL + reverse(f"records-portal:{name}", kwargs=kwargs)


def shared_records_export(*, user) -> dict:
    """What the person's clinics shared with them, in clear text (their own copy): signed visit
    summaries with addenda, prescriptions, and documents' details with their download links."""
    visits = shared_treatment_records_for_user(user=user)
    prescriptions = shared_prescriptions_for_user(user=user)
    documents = shared_documents_for_user(user=user)
    return {
        "visit_summaries": [
            {
                "clinic": r.clinic.slug,
                "visit_id": str(r.pk),
                "performed_at": r.performed_at.isoformat(),
                "practitioner": r.practitioner.display_name,
                "diagnosis": r.diagnosis,
                "notes": r.notes,
                "treatments": [
                    {
                        "name": i.name,
                        "code": i.code,
                        "quantity": i.quantity,
                        "price": str(i.price),
                        "currency": i.currency,
                    }
                    for i in r.items.all()
                ],
                "signed_at": r.signed_at.isoformat(),
                "signed_by": _name(r.signed_by),
                "addenda": [
                    {
                        "text": a.text,
                        "author": _name(a.author),
                        "written_at": a.created_at.isoformat(),
                    }
                    for a in r.addenda.all()
                ],
            }
            for r in visits
        ],
        "prescriptions": [
            {
                "clinic": p.clinic.slug,
                "code": p.code,
                "issued_at": p.issued_at.isoformat(),
                "prescriber": p.prescriber.display_name,
                "medicines": [{name: getattr(i, name) for name in i.FIELDS} for i in p.items.all()],
                "advice": p.advice,
                "pdf_url": _link("prescription-pdf", prescription_id=p.pk),
            }
            for p in prescriptions
        ],
        "documents": [
            {
                "clinic": d.clinic.slug,
                "title": d.title,
                "kind": d.kind,
                "filename": d.filename,
                "content_type": d.content_type,
                "size": d.size,
                "added_at": d.created_at.isoformat(),
                "download_url": _link("document", document_id=d.pk),
            }
            for d in documents
        ],
    }
