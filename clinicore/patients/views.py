"""Workspace pages for a clinic's patients: find, open, register, edit, deactivate."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm, role_has
from clinicore.patients import selectors, services
from clinicore.patients.access import patient_get_for_clinic
from clinicore.patients.forms import PatientForm
from clinicore.patients.sections import sections_for


def _can(request, perm: str) -> bool:
    return role_has(request.membership.role, perm)


@workspace_view(Perm.PATIENTS_READ, methods=("GET",))
def patient_list_page(request):
    q = request.GET.get("q", "").strip()[:100]
    show_inactive = request.GET.get("inactive") == "1"
    qs = (
        selectors.patient_search(clinic=request.clinic, q=q, include_inactive=show_inactive)
        if q
        else selectors.patient_list(clinic=request.clinic, include_inactive=show_inactive)
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "q": q,
        "show_inactive": show_inactive,
        "nav": "patients",
        "can_write": _can(request, Perm.PATIENTS_WRITE),
    }
    template = (
        "patients/list.html#results" if request.headers.get("HX-Request") else "patients/list.html"
    )
    return render(request, template, ctx)


@workspace_view(Perm.PATIENTS_READ, methods=("GET",))
def patient_detail_page(request, patient_id):
    patient = patient_get_for_clinic(clinic=request.clinic, patient_id=patient_id)
    clinical = _can(request, Perm.PATIENTS_CLINICAL_READ)
    services.patient_record_read(patient=patient, actor=request.user, clinical=clinical)
    can_audit = _can(request, Perm.AUDIT_READ)
    ctx = {
        "patient": patient,
        "clinical": clinical,
        "nav": "patients",
        "can_write": _can(request, Perm.PATIENTS_WRITE),
        "can_deactivate": _can(request, Perm.PATIENTS_DEACTIVATE) and patient.is_active,
        "can_audit": can_audit,
        "access_log": selectors.patient_access_log(patient=patient)[:25] if can_audit else [],
        "sections": sections_for(
            allowed=lambda perm: _can(request, perm), clinic=request.clinic, patient=patient
        ),
        **_workspace_links(request, patient, clinical=clinical),
    }
    return render(request, "patients/detail.html", ctx)


def _workspace_links(request, patient, *, clinical: bool) -> dict:
    """Links to pages of the workspace apps built on patients (records, front desk), resolved
    here by URL name so the template names no higher app; None hides a link the role lacks."""
    kwargs = {"clinic_slug": request.clinic.slug, "patient_id": patient.pk}
    merge = _can(request, Perm.PATIENTS_MERGE) and patient.is_active
    return {
        "records_url": reverse("records-patient:list", kwargs=kwargs) if clinical else None,
        "card_url": reverse("desk:patient-card", kwargs=kwargs),
        "merge_url": (
            reverse("desk:patient-merge", kwargs={"clinic_slug": request.clinic.slug})
            + f"?keep={patient.pk}"
            if merge
            else None
        ),
    }


@workspace_view(Perm.PATIENTS_WRITE)
def patient_create_page(request):
    clinical = _can(request, Perm.PATIENTS_CLINICAL_WRITE)
    form = PatientForm(request.POST or None, clinical=clinical)
    if request.method == "POST" and form.is_valid():
        patient = services.patient_create(
            clinic=request.clinic, actor=request.user, **form.service_data()
        )
        messages.success(request, _("%(name)s is registered.") % {"name": patient.full_name})
        return redirect("patients:detail", clinic_slug=request.clinic.slug, patient_id=patient.pk)
    return render(
        request,
        "patients/form.html",
        {"form": form, "nav": "patients", "patient": None, "clinical": clinical},
    )


@workspace_view(Perm.PATIENTS_WRITE)
def patient_edit_page(request, patient_id):
    patient = patient_get_for_clinic(clinic=request.clinic, patient_id=patient_id)
    clinical = _can(request, Perm.PATIENTS_CLINICAL_WRITE)
    form = PatientForm(request.POST or None, instance=patient, clinical=clinical)
    if request.method == "POST" and form.is_valid():
        # The form validated against a copy; the service writes and audits the real row.
        fresh = patient_get_for_clinic(clinic=request.clinic, patient_id=patient_id)
        services.patient_update(patient=fresh, actor=request.user, **form.service_data())
        messages.success(request, _("Changes saved."))
        return redirect("patients:detail", clinic_slug=request.clinic.slug, patient_id=patient.pk)
    if request.method == "GET":
        services.patient_record_read(patient=patient, actor=request.user, clinical=clinical)
    return render(
        request,
        "patients/form.html",
        {"form": form, "nav": "patients", "patient": patient, "clinical": clinical},
    )


@workspace_view(Perm.PATIENTS_DEACTIVATE, methods=("POST",))
def patient_deactivate_page(request, patient_id):
    patient = patient_get_for_clinic(clinic=request.clinic, patient_id=patient_id)
    services.patient_deactivate(patient=patient, actor=request.user)
    messages.success(
        request, _("%(name)s is deactivated; the record is kept.") % {"name": patient.full_name}
    )
    return redirect("patients:detail", clinic_slug=request.clinic.slug, patient_id=patient.pk)
