"""The patient area under /me/: overview, patient card, profile and account."""

import functools
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicore.accounts.services import password_change
from clinicore.core.errors import DomainError
from clinicore.patients.services import patient_record_read
from clinicore.portal import exports, selectors, services
from clinicore.portal.codes import barcode_svg, qr_svg


def patient_area(view):
    """Signed-in people only; the page is about the signed-in person and nobody else."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


@patient_area
@require_GET
def overview(request):
    records = list(selectors.my_patient_records(user=request.user))
    joined = request.GET.get("joined", "")
    return render(
        request,
        "portal/me/overview.html",
        {
            "records": records,
            "joined": next((r.clinic for r in records if r.clinic.slug == joined), None),
            "me_nav": "overview",
            **exports.overview_sections(user=request.user, records=records),
        },
    )


@patient_area
@require_GET
def card_list(request):
    records = list(selectors.my_patient_records(user=request.user))
    cards = [
        {
            "patient": p,
            "barcode": barcode_svg(p.barcode, label=_("Barcode %(code)s") % {"code": p.barcode}),
            "qr": qr_svg(p.barcode, label=_("QR code %(code)s") % {"code": p.barcode}),
        }
        for p in records
    ]
    return render(request, "portal/me/cards.html", {"cards": cards, "me_nav": "card"})


@patient_area
@require_GET
def card_full(request, patient_id):
    patient = selectors.my_patient_record(user=request.user, patient_id=patient_id)
    return render(
        request,
        "portal/me/card_full.html",
        {
            "patient": patient,
            "barcode": barcode_svg(
                patient.barcode, label=_("Barcode %(code)s") % {"code": patient.barcode}
            ),
            "qr": qr_svg(patient.barcode, label=_("QR code %(code)s") % {"code": patient.barcode}),
        },
    )


LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=200)
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20, required=False)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)
    emergency_contact_name = forms.CharField(
        label=gettext_lazy("Emergency contact name"), max_length=120, required=False
    )
    emergency_contact_phone = forms.CharField(
        label=gettext_lazy("Emergency contact phone"), max_length=20, required=False
    )
    allergies = forms.CharField(
        label=gettext_lazy("Allergies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Medicines, foods or materials you react to. Your clinics see this."
        ),
    )
    current_medications = forms.CharField(
        label=gettext_lazy("Medicines you take"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Name and dose, one per line."),
    )
    preferred_language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGE_CHOICES)


class ContactForm(forms.Form):
    email = forms.BooleanField(label=gettext_lazy("Email"), required=False)
    sms = forms.BooleanField(label=gettext_lazy("SMS"), required=False)
    whatsapp = forms.BooleanField(
        label=gettext_lazy("WhatsApp"),
        required=False,
        help_text=gettext_lazy("Sent to your mobile number."),
    )
    telegram = forms.BooleanField(label=gettext_lazy("Telegram"), required=False)
    push = forms.BooleanField(label=gettext_lazy("Notifications on this device"), required=False)


def _profile_initial(user, records) -> dict:
    first = records[0] if records else None
    initial = {
        "full_name": user.full_name,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
    }
    if first is not None:
        for name in (
            "address",
            "emergency_contact_name",
            "emergency_contact_phone",
            "allergies",
            "current_medications",
        ):
            initial[name] = getattr(first, name)
    return initial


def _set_language(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
    )


@patient_area
@require_http_methods(["GET", "POST"])
def profile(request):
    records = list(selectors.my_patient_records(user=request.user))
    form = ProfileForm(initial=_profile_initial(request.user, records))
    contact = ContactForm(initial=services.contact_channels(user=request.user))
    section = request.POST.get("section")
    if request.method == "POST" and section == "profile":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.patient_profile_update(user=request.user, data=form.cleaned_data)
            except DomainError as exc:
                for name, message in exc.fields.items():
                    form.add_error(name if name in form.fields else None, message)
                form.add_error(None, exc.message)
            else:
                language = form.cleaned_data["preferred_language"]
                translation.activate(language)
                messages.success(request, _("Your details are saved."))
                response = redirect("portal:profile")
                _set_language(response, language)
                return response
    elif request.method == "POST" and section == "contact":
        contact = ContactForm(request.POST)
        if contact.is_valid():
            services.contact_channels_update(user=request.user, wanted=contact.cleaned_data)
            messages.success(request, _("Your contact choices are saved."))
            return redirect("portal:profile")
    elif request.method == "POST" and section == "telegram":
        url = services.telegram_link_url(user=request.user)
        if url:
            return redirect(url)
        messages.error(request, _("Telegram messages are not set up on this platform yet."))
        return redirect("portal:profile")
    else:
        for record in records:
            patient_record_read(patient=record, actor=request.user, clinical=True)
    status = 422 if (form.errors or contact.errors) else 200
    return render(
        request,
        "portal/me/profile.html",
        {
            "form": form,
            "contact": contact,
            "records": records,
            "telegram_linked": selectors.telegram_linked(user=request.user),
            "me_nav": "profile",
        },
        status=status,
    )


@patient_area
@require_http_methods(["GET", "POST"])
def account(request):
    password_form = PasswordChangeForm(request.user)
    if request.method == "POST" and request.POST.get("section") == "password":
        password_form = PasswordChangeForm(request.user, request.POST)
        if password_form.is_valid():
            try:
                user = password_change(
                    user=password_form.user,
                    current_password=password_form.cleaned_data["old_password"],
                    new_password=password_form.cleaned_data["new_password1"],
                )
            except DomainError as exc:
                for name, message in exc.fields.items():
                    field = {"current_password": "old_password"}.get(name, "new_password1")
                    password_form.add_error(field, message)
                if not password_form.errors:
                    password_form.add_error(None, exc.message)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password is changed."))
                return redirect("portal:account")
    for field in password_form.fields.values():
        field.widget.attrs.setdefault("autocomplete", "new-password")
    password_form.fields["old_password"].widget.attrs["autocomplete"] = "current-password"
    sessions = list(selectors.signed_in_sessions(user=request.user))
    return render(
        request,
        "portal/me/account.html",
        {
            "password_form": password_form,
            "sessions": sessions,
            "current_session_key": request.session.session_key,
            "deletion": selectors.open_deletion_request(user=request.user),
            "me_nav": "account",
        },
        status=422 if password_form.errors else 200,
    )


@patient_area
@require_POST
def session_end(request, session_id):
    try:
        services.signed_in_session_end(user=request.user, session_id=session_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("That device is signed out."))
    return redirect("portal:account")


@patient_area
@require_POST
def deletion_request(request):
    if request.POST.get("withdraw"):
        services.deletion_request_withdraw(user=request.user)
        messages.success(request, _("Your deletion request is withdrawn."))
        return redirect("portal:account")
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm you want your account deleted."))
        return redirect("portal:account")
    try:
        services.deletion_request_create(user=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "We received your request. Your clinics will confirm within 30 days; records the law requires them to keep are kept."
            ),
        )
    return redirect("portal:account")


@patient_area
@require_GET
def data_export(request):
    data = exports.my_data(user=request.user)
    body = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="clinicore-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response
