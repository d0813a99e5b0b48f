"""Public clinic pages: the landing page, the QR poster and one-step registration from it."""

from urllib.parse import quote_plus

from django import forms
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from clinicore.clinics.access import clinic_get_by_slug
from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import DomainError
from clinicore.portal import selectors, services
from clinicore.portal.links import clinic_join_url, clinic_join_verify
from clinicore.portal.poster import clinic_poster_pdf


@require_GET
def clinic_landing(request, clinic_slug):
    clinic = clinic_get_by_slug(clinic_slug)
    request.portal_clinic = clinic
    address = ", ".join(
        x for x in (clinic.address_line, clinic.city, clinic.state, clinic.postal_code) if x
    )
    context = {
        "clinic": clinic,
        "address": address,
        "map_url": f"https://www.openstreetmap.org/search?query={quote_plus(address)}"
        if address
        else "",
        "practitioners": selectors.clinic_practitioners(clinic=clinic),
        "services": selectors.clinic_services(clinic=clinic),
        "hours": selectors.clinic_opening_hours(clinic=clinic),
        "is_patient": selectors.patient_for(user=request.user, clinic=clinic) is not None,
    }
    return render(request, "portal/clinic.html", context)


@workspace_view(Perm.CLINIC_READ)
def clinic_poster(request):
    language = translation.get_language() or "en"
    pdf = clinic_poster_pdf(request.clinic, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{request.clinic.slug}-qr-poster.pdf"'
    return response


@workspace_view(Perm.CLINIC_READ)
def clinic_poster_page(request):
    return render(
        request,
        "portal/poster_page.html",
        {"join_url": clinic_join_url(request.clinic), "nav": "poster"},
    )


class RegisterForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email"))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password."),
    )
    reminders_consent = forms.BooleanField(
        label=_("Send me appointment reminders and updates"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")


def register_with_form(request, clinic, form) -> bool:
    """Runs the registration service for a valid form; logs the new patient in."""
    try:
        user, _patient = services.patient_account_register(
            clinic=clinic,
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            password=form.cleaned_data["password"],
            language=translation.get_language() or "en",
            reminders_consent=form.cleaned_data["reminders_consent"],
        )
    except DomainError as exc:
        for name, message in exc.fields.items():
            if name in form.fields:
                form.add_error(name, message)
        form.add_error(None, exc.message)
        return False
    login(request, user, backend="clinicore.accounts.backends.EmailBackend")
    return True


@require_http_methods(["GET", "POST"])
def clinic_join(request, clinic_slug, token):
    clinic = clinic_get_by_slug(clinic_slug)
    clinic_join_verify(clinic, token)
    request.portal_clinic = clinic
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.patient_join_clinic(clinic=clinic, user=request.user)
            except DomainError as exc:
                return render(
                    request,
                    "portal/join.html",
                    {"clinic": clinic, "error": exc.message, "signed_in": True},
                    status=exc.status,
                )
            return redirect(f"{reverse('portal:me')}?joined={clinic.slug}")
        already = selectors.patient_for(user=request.user, clinic=clinic) is not None
        return render(
            request, "portal/join.html", {"clinic": clinic, "signed_in": True, "already": already}
        )
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and register_with_form(request, clinic, form):
        return redirect(f"{reverse('portal:me')}?joined={clinic.slug}")
    return render(
        request,
        "portal/join.html",
        {"clinic": clinic, "form": form, "login_url": _login_url(request)},
        status=422 if form.errors else 200,
    )


def _login_url(request) -> str:
    return redirect_to_login(request.get_full_path()).url
