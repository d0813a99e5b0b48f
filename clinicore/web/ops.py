"""Platform console at /ops/: operators (staff users) list, create, suspend and re-tier clinics.

Anyone else gets 404: the console does not exist for them.
"""

import functools
import zoneinfo

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from clinicore.accounts.models import User
from clinicore.clinics import selectors, services
from clinicore.clinics.models import Clinic
from clinicore.core.errors import DomainError
from clinicore.core.money import CURRENCIES
from clinicore.patients.models import Patient


def operator_view(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            raise Http404("No console here.")
        return view(request, *args, **kwargs)

    return wrapper


class ClinicCreateForm(forms.Form):
    name = forms.CharField(label=_l("Clinic name"), max_length=200)
    slug = forms.SlugField(
        label=_l("Web address"),
        max_length=80,
        required=False,
        help_text=_l("Patients find the clinic at /c/<address>/. Leave empty to use the name."),
    )
    kind = forms.ChoiceField(label=_l("Kind"), choices=Clinic.Kind.choices)
    city = forms.CharField(label=_l("City"), max_length=100)
    country = forms.CharField(label=_l("Country code"), max_length=2, min_length=2, initial="IN")
    time_zone = forms.ChoiceField(label=_l("Time zone"), initial="Asia/Kolkata")
    currency = forms.ChoiceField(
        label=_l("Currency"), choices=[(c, c) for c in CURRENCIES], initial="INR"
    )
    tier = forms.ChoiceField(label=_l("Licence tier"), choices=Clinic.Tier.choices)
    owner_email = forms.EmailField(
        label=_l("Owner's email"),
        help_text=_l("A new person sets their password with “forgot password”."),
    )
    owner_name = forms.CharField(label=_l("Owner's name"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]


@operator_view
def console_home(request):
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in Clinic.Status.values:
        status = ""
    clinics = selectors.clinic_console_list(q=q, status=status)
    patient_counts = dict(
        Patient.objects.filter(clinic_id__in=[c.pk for c in clinics], is_active=True)
        .values("clinic_id")
        .annotate(n=Count("id"))
        .values_list("clinic_id", "n")
    )
    for clinic in clinics:
        clinic.patient_count = patient_counts.get(clinic.pk, 0)
    # Usage at a glance: appointments this month per clinic (reports owns the query).
    from clinicore.reports.selectors import platform_usage

    appointment_counts = platform_usage(clinic_ids=[c.pk for c in clinics])
    for clinic in clinics:
        clinic.appointments_this_month = appointment_counts.get(clinic.pk, 0)
    totals = {
        "clinics": len(clinics),
        "active": sum(1 for c in clinics if c.is_active),
        "patients": sum(patient_counts.values()),
        "staff": sum(c.staff_count for c in clinics),
        "appointments": sum(appointment_counts.values()),
    }
    return render(
        request,
        "web/ops/home.html",
        {
            "clinics": clinics,
            "q": q,
            "status": status,
            "totals": totals,
            "tiers": Clinic.Tier.choices,
            "statuses": Clinic.Status.choices,
        },
    )


@operator_view
def console_clinic_create(request):
    form = ClinicCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        email = data["owner_email"].lower()
        try:
            with transaction.atomic():
                owner = User.objects.filter(
                    email__iexact=email
                ).first() or User.objects.create_user(
                    email=email, password=None, full_name=data["owner_name"]
                )
                clinic = services.clinic_create(
                    actor=request.user,
                    name=data["name"],
                    slug=data["slug"],
                    owner=owner,
                    kind=data["kind"],
                    city=data["city"],
                    country=data["country"],
                    time_zone=data["time_zone"],
                    currency=data["currency"],
                )
                services.clinic_tier_change(clinic=clinic, actor=request.user, tier=data["tier"])
        except DomainError as exc:
            form.add_error(None, exc.message)
            for name, message in (exc.fields or {}).items():
                if name in form.fields:
                    form.add_error(name, message)
        else:
            messages.success(
                request,
                _("%(name)s is open at /c/%(slug)s/.") % {"name": clinic.name, "slug": clinic.slug},
            )
            return redirect("web:ops")
    return render(request, "web/ops/clinic_form.html", {"form": form})


@operator_view
@require_POST
def console_clinic_status(request, clinic_id):
    clinic = get_object_or_404(Clinic, pk=clinic_id)
    if request.POST.get("status") == Clinic.Status.SUSPENDED:
        services.clinic_suspend(clinic=clinic, actor=request.user)
        messages.success(request, _("%(name)s is suspended.") % {"name": clinic.name})
    else:
        services.clinic_reactivate(clinic=clinic, actor=request.user)
        messages.success(request, _("%(name)s is active again.") % {"name": clinic.name})
    return redirect("web:ops")


@operator_view
@require_POST
def console_clinic_tier(request, clinic_id):
    clinic = get_object_or_404(Clinic, pk=clinic_id)
    services.clinic_tier_change(
        clinic=clinic, actor=request.user, tier=request.POST.get("tier", "")
    )
    messages.success(
        request,
        _("%(name)s is now on %(tier)s.")
        % {"name": clinic.name, "tier": clinic.get_tier_display()},
    )
    return redirect("web:ops")
