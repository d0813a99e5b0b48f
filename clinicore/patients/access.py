"""Reaching a patient record: always through its clinic, 404 across clinics."""

import uuid

from django.utils.translation import gettext as _

from clinicore.core.errors import NotFound
from clinicore.patients.models import Patient


def patient_get_for_clinic(*, clinic, patient_id) -> Patient:
    try:
        pk = uuid.UUID(str(patient_id))
    except ValueError:
        raise NotFound(_("Patient not found."), code="patient_not_found") from None
    try:
        return Patient.objects.get(clinic=clinic, pk=pk)
    except Patient.DoesNotExist:
        raise NotFound(_("Patient not found."), code="patient_not_found") from None


def patient_records_for_user(user):
    """A signed-in patient's own records at every clinic."""
    if not user.is_authenticated:
        return Patient.objects.none()
    return Patient.objects.filter(user=user, is_active=True).select_related("clinic")
