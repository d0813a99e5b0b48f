"""Workspace pages for a clinic's patients."""

from django.core.paginator import Paginator
from django.shortcuts import render

from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm
from clinicore.patients import selectors


@workspace_view(Perm.PATIENTS_READ)
def patient_list_page(request):
    q = request.GET.get("q", "").strip()[:100]
    qs = (
        selectors.patient_search(clinic=request.clinic, q=q)
        if q
        else selectors.patient_list(clinic=request.clinic)
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "patients/list.html", {"page": page, "q": q, "nav": "patients"})
