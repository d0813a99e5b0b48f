"""Reads of patient records shared by pages and the API."""

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Concat, Lower, Upper

from clinicore.patients.models import PHONE_PUNCTUATION, Patient, phone_digits

MAX_QUERY = 100
MAX_CODE = 32  # patient card barcodes and reservation codes are shorter


def patient_list(*, clinic, include_inactive: bool = False):
    qs = Patient.objects.filter(clinic=clinic)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("last_name", "first_name", "id")


def patient_by_exact_code(*, clinic, code: str):
    """The patient whose card barcode, or one of whose appointments' reservation codes, is
    exactly `code` (as scanned or read out, any case); both are unique index lookups."""
    code = code.strip().upper()
    if not code or len(code) > MAX_CODE or " " in code:
        return None
    by_card = Patient.objects.filter(clinic=clinic, barcode=code)
    # Appointments are scheduling's; the reverse relation reads them without importing it.
    by_reservation = Patient.objects.filter(
        clinic=clinic, appointments__clinic=clinic, appointments__reservation_code=code
    )
    for found in (by_card, by_reservation):
        pks = list(found.values_list("pk", flat=True)[:1])
        if pks:
            return pks[0]
    return None


def patient_search(*, clinic, q: str, include_inactive: bool = False):
    """Find patients by card barcode or reservation code (exact), phone digits, email or name
    prefixes; best matches first, then by name.

    - A scanned card or a reservation code finds just that patient.
    - Only digits and phone punctuation (at least four digits): phone numbers containing those
      digits (the last ten, so a country code typed or not matches), whatever their punctuation.
    - Otherwise every word must start the first or the last name; a single word may also start
      the email. Exact email, phone or full-name matches, then names in the order typed, come first.
    """
    q = " ".join((q or "").split())[:MAX_QUERY]
    qs = patient_list(clinic=clinic, include_inactive=include_inactive)
    if not q:
        return qs.none()
    exact = patient_by_exact_code(clinic=clinic, code=q)
    if exact is not None:
        return qs.filter(pk=exact)

    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 4 and all(ch.isdigit() or ch in PHONE_PUNCTUATION for ch in q):
        qs = qs.alias(phone_d=phone_digits()).filter(phone_d__contains=digits[-10:])
        best = [When(phone_d=digits, then=Value(0)), When(phone_d__endswith=digits, then=Value(1))]
        return _ranked(qs, best)

    words = q.upper().split()
    qs = qs.alias(first_u=Upper("first_name"), last_u=Upper("last_name"))
    names = Q()
    for word in words:
        names &= Q(first_u__startswith=word) | Q(last_u__startswith=word)
    best = [
        When(full_u=q.upper(), then=Value(0)),
        When(Q(first_u__startswith=words[0], last_u__startswith=words[-1]), then=Value(1))
        if len(words) > 1
        else When(first_u=words[0], then=Value(1)),
    ]
    qs = qs.alias(full_u=Upper(Concat("first_name", Value(" "), "last_name")))
    if len(words) == 1:
        qs = qs.alias(email_l=Lower("email"))
        names |= Q(email_l__startswith=q.lower())
        best.insert(0, When(email_l=q.lower(), then=Value(0)))
    return _ranked(qs.filter(names), best)


def _ranked(qs, best: list):
    rank = Case(*best, default=Value(9), output_field=IntegerField())
    return qs.alias(search_rank=rank).order_by("search_rank", "last_name", "first_name", "id")


def patient_access_log(*, patient: Patient):
    """Who opened or changed this record, newest first (from the clinic's audit log)."""
    from clinicore.core.models import AuditEntry

    return AuditEntry.objects.filter(
        clinic_id=patient.clinic_id, entity_type="patient", entity_id=str(patient.pk)
    ).order_by("-at", "-id")
