"""Reads that the API, the workspace pages and the patient portal share."""

from django.db.models import Prefetch

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
