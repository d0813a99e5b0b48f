"""REST operations on a clinic's patient records."""

import uuid

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from clinicore.api.pagination import PageParams, page_of, paginate
from clinicore.api.policy import ClinicRouter, policy
from clinicore.clinics.permissions import Perm, role_has
from clinicore.core.errors import Forbidden
from clinicore.patients import selectors, services
from clinicore.patients.access import patient_get_for_clinic
from clinicore.patients.models import Patient
from clinicore.patients.schemas import PatientIn, PatientOut, PatientUpdate

router = ClinicRouter(tags=["patients"])


def _sees_clinical(request) -> bool:
    principal = request.auth
    if principal.api_key is not None:
        return Perm.PATIENTS_CLINICAL_READ in (principal.api_key.scopes or [])
    return bool(
        principal.membership and role_has(principal.membership.role, Perm.PATIENTS_CLINICAL_READ)
    )


def _out(patient: Patient, *, clinical: bool) -> dict:
    data = PatientOut.from_orm(patient).dict()
    if not clinical:
        for name in Patient.CLINICAL_FIELDS:
            data[name] = None
    return data


def _actor(request):
    return request.auth.user


@router.get(
    "",
    response=page_of(PatientOut),
    summary="List patients",
    description="The clinic's active patients, by last name. `include_inactive=true` adds deactivated ones.",
    openapi_extra=policy(Perm.PATIENTS_READ),
)
def list_patients(request, page: Query[PageParams], include_inactive: bool = False):
    clinical = _sees_clinical(request)
    result = paginate(
        selectors.patient_list(clinic=request.auth.clinic, include_inactive=include_inactive), page
    )
    result["items"] = [_out(p, clinical=clinical) for p in result["items"]]
    return result


@router.get(
    "/search",
    response=page_of(PatientOut),
    summary="Search patients",
    description="Find patients by name, phone, email or barcode.",
    openapi_extra=policy(Perm.PATIENTS_READ),
)
def search_patients(request, q: str, page: Query[PageParams]):
    clinical = _sees_clinical(request)
    result = paginate(selectors.patient_search(clinic=request.auth.clinic, q=q[:100]), page)
    result["items"] = [_out(p, clinical=clinical) for p in result["items"]]
    return result


@router.post(
    "",
    response={201: PatientOut},
    summary="Register a patient",
    openapi_extra=policy(Perm.PATIENTS_WRITE),
)
def create_patient(request, payload: PatientIn):
    data = payload.dict()
    data["email"] = data.get("email") or ""
    clinical = _sees_clinical(request)
    if not clinical and any(data.get(f) for f in Patient.CLINICAL_FIELDS):
        raise Forbidden(_("Your role cannot record clinical details."))
    patient = services.patient_create(clinic=request.auth.clinic, actor=_actor(request), **data)
    return 201, _out(patient, clinical=clinical)


@router.get(
    "/{patient_id}",
    response=PatientOut,
    summary="Get a patient",
    description="Every read is recorded in the clinic's audit log.",
    openapi_extra=policy(Perm.PATIENTS_READ, obj="patient"),
)
def get_patient(request, patient_id: uuid.UUID):
    patient = patient_get_for_clinic(clinic=request.auth.clinic, patient_id=patient_id)
    clinical = _sees_clinical(request)
    services.patient_record_read(patient=patient, actor=_actor(request), clinical=clinical)
    return _out(patient, clinical=clinical)


@router.put(
    "/{patient_id}",
    response=PatientOut,
    summary="Update a patient",
    description="Only the fields sent are changed.",
    openapi_extra=policy(Perm.PATIENTS_WRITE, obj="patient"),
)
def update_patient(request, patient_id: uuid.UUID, payload: PatientUpdate):
    with transaction.atomic():
        patient = patient_get_for_clinic(clinic=request.auth.clinic, patient_id=patient_id)
        data = payload.dict(exclude_unset=True)
        clinical = _sees_clinical(request)
        if not clinical and any(f in data for f in Patient.CLINICAL_FIELDS):
            raise Forbidden(_("Your role cannot change clinical details."))
        if "email" in data and data["email"] is None:
            data["email"] = ""
        data = {k: v for k, v in data.items() if v is not None or k == "date_of_birth"}
        patient = services.patient_update(patient=patient, actor=_actor(request), **data)
    return _out(patient, clinical=clinical)


@router.delete(
    "/{patient_id}",
    response=PatientOut,
    summary="Deactivate a patient",
    description="Records are never erased: the patient is deactivated and hidden from lists.",
    openapi_extra=policy(Perm.PATIENTS_DEACTIVATE, obj="patient"),
)
def deactivate_patient(request, patient_id: uuid.UUID):
    patient = patient_get_for_clinic(clinic=request.auth.clinic, patient_id=patient_id)
    patient = services.patient_deactivate(patient=patient, actor=_actor(request))
    return _out(patient, clinical=_sees_clinical(request))


class PatientMergeIn(Schema):
    duplicate_id: uuid.UUID = Field(
        ...,
        description="The duplicate record; it is deactivated and points to this one.",
        examples=["5b0c3a52-8a5e-4f7e-9a51-0c2d7c1e9b11"],
    )


@router.post(
    "/{patient_id}/merge",
    response=PatientOut,
    summary="Merge a duplicate into this patient",
    description="Appointments, invoices, records and messages of the duplicate move to this "
    "patient; empty details are filled from it and allergy notes kept from both. The duplicate "
    "is deactivated with `merged_into` set. Both records' audit logs show the merge.",
    openapi_extra=policy(Perm.PATIENTS_MERGE, obj="patient"),
)
def merge_patient(request, patient_id: uuid.UUID, payload: PatientMergeIn):
    clinic = request.auth.clinic
    keep = patient_get_for_clinic(clinic=clinic, patient_id=patient_id)
    duplicate = patient_get_for_clinic(clinic=clinic, patient_id=payload.duplicate_id)
    keep = services.patient_merge(
        clinic=clinic, keep=keep, duplicate=duplicate, actor=_actor(request)
    )
    return _out(keep, clinical=_sees_clinical(request))
