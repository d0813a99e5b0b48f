"""Who is calling the scheduling API: the clinic they act for, whether they are a patient
booking for themselves, and whether they may see clinical details."""

from django.utils.translation import gettext as _

from clinicore.clinics.permissions import Perm, role_has
from clinicore.core.errors import Forbidden, InvalidInput, NotFound
from clinicore.patients.access import patient_get_for_clinic
from clinicore.patients.models import Patient


def acting_clinic(request):
    clinic = request.auth.clinic
    if clinic is None:
        raise Forbidden(
            _("Choose the clinic you act for (sign in with a clinic, or send X-Clinic).")
        )
    return clinic


def is_patient(request) -> bool:
    p = request.auth
    return p.user is not None and p.membership is None and p.api_key is None


def patient_user(request):
    return request.auth.user if is_patient(request) else None


def sees_clinical(request) -> bool:
    p = request.auth
    if p.api_key is not None:
        return Perm.PATIENTS_CLINICAL_READ in (p.api_key.scopes or [])
    return bool(p.membership and role_has(p.membership.role, Perm.PATIENTS_CLINICAL_READ))


def acting_patient(request, clinic, patient_id) -> Patient:
    if is_patient(request):
        patient = Patient.objects.filter(
            clinic=clinic, user=request.auth.user, is_active=True
        ).first()
        if patient is None:
            raise NotFound(
                _("You have no patient record at this clinic yet."), code="patient_not_found"
            )
        return patient
    if patient_id is None:
        raise InvalidInput(_("Choose the patient."), fields={"patient_id": _("Required.")})
    return patient_get_for_clinic(clinic=clinic, patient_id=patient_id)


def principal_ref(request) -> str:
    p = request.auth
    if p.api_key is not None:
        return f"key:{p.api_key.pk}"
    return f"user:{p.user.pk}"
