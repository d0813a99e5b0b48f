"""Workspace pages of the clinic's treatment catalog: everyone reads it, managers change it."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm, role_has
from clinicore.core.errors import DomainError
from clinicore.records import access, selectors, services


class CatalogItemForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    code = forms.RegexField(
        label=gettext_lazy("Code"),
        max_length=30,
        regex=r"^[A-Za-z0-9._-]+$",
        help_text=gettext_lazy("Letters, digits, dots and dashes, e.g. RCT."),
    )
    default_price = forms.DecimalField(
        label=gettext_lazy("Default price"), min_value=0, max_digits=12, decimal_places=2
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"), min_value=1, max_value=1440, initial=30
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@workspace_view(Perm.CLINIC_READ)
def catalog_page(request):
    can_manage = role_has(request.membership.role, Perm.SCHEDULE_MANAGE)
    form = CatalogItemForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            messages.error(request, _("Your role cannot change the treatment catalog."))
            return redirect("records-desk:catalog", clinic_slug=request.clinic.slug)
        if form.is_valid():
            try:
                item = services.catalog_item_create(
                    clinic=request.clinic, actor=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                form.add_error("code" if exc.code == "catalog_code_taken" else None, exc.message)
            else:
                messages.success(request, _("%(name)s is in the catalog.") % {"name": item.name})
                return redirect("records-desk:catalog", clinic_slug=request.clinic.slug)
    return render(
        request,
        "records/catalog.html",
        {
            "items": selectors.catalog_list(clinic=request.clinic),
            "form": form,
            "can_manage": can_manage,
            "nav": "patients",
        },
    )


@workspace_view(Perm.SCHEDULE_MANAGE, methods=("POST",))
def catalog_retire_page(request, catalog_item_id):
    item = access.catalog_item_get_for_clinic(
        clinic=request.clinic, catalog_item_id=catalog_item_id
    )
    services.catalog_item_deactivate(item=item, actor=request.user)
    messages.success(request, _("%(name)s is retired from the catalog.") % {"name": item.name})
    return redirect("records-desk:catalog", clinic_slug=request.clinic.slug)
