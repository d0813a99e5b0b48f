"""Reaching records: staff through their clinic (404 across clinics), patients only their own
shared items (404 for anything else, so a guessed id reveals nothing)."""

import uuid

from django.utils.translation import gettext as _

from clinicore.core.errors import NotFound
from clinicore.records.models import Document, Prescription, TreatmentCatalogItem, TreatmentRecord


def _pk(value, message: str, code: str):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(message, code=code) from None


def _get(qs, pk, message: str, code: str):
    obj = qs.filter(pk=_pk(pk, message, code)).first()
    if obj is None:
        raise NotFound(message, code=code)
    return obj


def catalog_item_get_for_clinic(*, clinic, catalog_item_id) -> TreatmentCatalogItem:
    return _get(
        TreatmentCatalogItem.objects.filter(clinic=clinic),
        catalog_item_id,
        _("Treatment not found in the catalog."),
        "catalog_item_not_found",
    )


def treatment_record_get_for_clinic(*, clinic, record_id) -> TreatmentRecord:
    return _get(
        TreatmentRecord.objects.filter(clinic=clinic).select_related(
            "patient", "practitioner__user", "signed_by", "clinic"
        ),
        record_id,
        _("Visit summary not found."),
        "treatment_record_not_found",
    )


def prescription_get_for_clinic(*, clinic, prescription_id) -> Prescription:
    return _get(
        Prescription.objects.filter(clinic=clinic).select_related(
            "patient", "prescriber__user", "clinic"
        ),
        prescription_id,
        _("Prescription not found."),
        "prescription_not_found",
    )


def document_get_for_clinic(*, clinic, document_id) -> Document:
    return _get(
        Document.objects.filter(clinic=clinic).select_related("patient", "clinic"),
        document_id,
        _("Document not found."),
        "document_not_found",
    )


# --- A patient's own, shared items -------------------------------------------------------------


def _own(qs, *, user, clinic=None):
    if user is None or not user.is_authenticated:
        return qs.none()
    qs = qs.filter(patient__user=user, patient__is_active=True, shared_with_patient=True)
    if clinic is not None:
        qs = qs.filter(clinic=clinic)
    return qs


def shared_treatment_records(*, user, clinic=None):
    """Signed, shared visit summaries of the person's patient records (at every clinic)."""
    return _own(TreatmentRecord.objects.filter(signed_at__isnull=False), user=user, clinic=clinic)


def shared_prescriptions(*, user, clinic=None):
    return _own(Prescription.objects.all(), user=user, clinic=clinic)


def shared_documents(*, user, clinic=None):
    return _own(Document.objects.all(), user=user, clinic=clinic)


def treatment_record_get_for_patient_user(*, user, record_id, clinic=None) -> TreatmentRecord:
    return _get(
        shared_treatment_records(user=user, clinic=clinic).select_related(
            "patient", "practitioner__user", "clinic"
        ),
        record_id,
        _("Visit summary not found."),
        "treatment_record_not_found",
    )


def prescription_get_for_patient_user(*, user, prescription_id, clinic=None) -> Prescription:
    return _get(
        shared_prescriptions(user=user, clinic=clinic).select_related(
            "patient", "prescriber__user", "clinic"
        ),
        prescription_id,
        _("Prescription not found."),
        "prescription_not_found",
    )


def document_get_for_patient_user(*, user, document_id, clinic=None) -> Document:
    return _get(
        shared_documents(user=user, clinic=clinic).select_related("patient", "clinic"),
        document_id,
        _("Document not found."),
        "document_not_found",
    )
