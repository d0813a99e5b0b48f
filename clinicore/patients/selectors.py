"""Reads of patient records shared by pages and the API."""

from django.db.models import Q

from clinicore.patients.models import Patient


def patient_list(*, clinic, include_inactive: bool = False):
    qs = Patient.objects.filter(clinic=clinic)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("last_name", "first_name", "id")


def patient_search(*, clinic, q: str, include_inactive: bool = False):
    """Name, phone, email or barcode; a full barcode match comes first."""
    q = (q or "").strip()
    qs = patient_list(clinic=clinic, include_inactive=include_inactive)
    if not q:
        return qs.none()
    digits = "".join(ch for ch in q if ch.isdigit())
    cond = Q(barcode__iexact=q) | Q(email__iexact=q) | Q(email__istartswith=q)
    words = q.split()
    name_cond = Q()
    for word in words:
        name_cond &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
    cond |= name_cond
    if len(digits) >= 4:
        cond |= Q(phone__contains=digits[-10:])
    return qs.filter(cond)


def patient_access_log(*, patient: Patient):
    """Who opened or changed this record, newest first (from the clinic's audit log)."""
    from clinicore.core.models import AuditEntry

    return AuditEntry.objects.filter(
        clinic_id=patient.clinic_id, entity_type="patient", entity_id=str(patient.pk)
    ).order_by("-at", "-id")
