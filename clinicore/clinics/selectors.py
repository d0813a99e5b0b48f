"""Reads of clinics, staff and branches shared by pages, the console and the API."""

from django.db.models import Count, Q

from clinicore.clinics.models import Branch, Clinic, Membership
from clinicore.clinics.permissions import Role


def clinic_directory(*, q: str = ""):
    """Active clinics for the public home page: name, city or specialty match `q`."""
    qs = Clinic.objects.filter(status=Clinic.Status.ACTIVE)
    q = (q or "").strip()
    if q:
        kinds = [value for value, label in Clinic.Kind.choices if q.lower() in str(label).lower()]
        specialists = Membership.objects.filter(
            is_active=True, role__in=Role.practitioners(), specialization__icontains=q
        ).values("clinic_id")
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(city__icontains=q)
            | Q(tagline__icontains=q)
            | Q(kind__in=kinds)
            | Q(pk__in=specialists)
        )
    return qs.order_by("name")


def clinic_specialties(clinic_ids) -> dict:
    """clinic id → sorted specializations of its active practitioners (one query)."""
    rows = (
        Membership.objects.filter(
            clinic_id__in=list(clinic_ids), is_active=True, role__in=Role.practitioners()
        )
        .exclude(specialization="")
        .values_list("clinic_id", "specialization")
        .distinct()
    )
    found: dict = {}
    for clinic_id, spec in rows:
        found.setdefault(clinic_id, set()).add(spec)
    return {k: sorted(v) for k, v in found.items()}


def clinic_console_list(*, q: str = "", status: str = ""):
    """Every clinic with its active-staff count, for platform operators (two queries)."""
    qs = Clinic.objects.order_by("name")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q) | Q(city__icontains=q))
    if status:
        qs = qs.filter(status=status)
    clinics = list(qs)
    staff = (
        Membership.objects.filter(clinic_id__in=[c.pk for c in clinics], is_active=True)
        .values("clinic_id")
        .annotate(n=Count("id"))
    )
    counts = {row["clinic_id"]: row["n"] for row in staff}
    for clinic in clinics:
        clinic.staff_count = counts.get(clinic.pk, 0)
    return clinics


def staff_list(*, clinic: Clinic, role: str = "", include_inactive: bool = False):
    qs = Membership.objects.filter(clinic=clinic).select_related("user", "branch")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("user__full_name", "user__email", "id")


def branch_list(*, clinic: Clinic):
    return Branch.objects.filter(clinic=clinic).prefetch_related("rooms").order_by("name", "id")
