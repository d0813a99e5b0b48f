"""Account pages: sign up, verify email, sign in (with two-factor), sign out, passwords, 2FA."""

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicore.accounts import services, twofactor
from clinicore.accounts.forms import (
    CodeForm,
    PasswordConfirmForm,
    PasswordResetRequestForm,
    SignInForm,
    SignUpForm,
)
from clinicore.core.errors import DomainError
from clinicore.core.middleware import client_ip


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:after-login")


def _form_errors_from(form, exc: DomainError) -> None:
    mapping = {"password": "password1", "new_password": "new_password1"}
    placed = False
    for name, message in (exc.fields or {}).items():
        name = mapping.get(name, name)
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _signed_in(request, user, *, two_factor: bool) -> None:
    auth_login(request, user, backend=getattr(user, "backend", None))
    if two_factor:
        request.session[twofactor.SESSION_OTP_KEY] = True
    services.sign_in_record(user=user, via="web", two_factor=two_factor)


# --- Sign in and out ------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if services.two_factor_enabled(user):
            # The password was right; the session is signed in only after the code.
            twofactor.pending_set(self.request, user=user, next_url=self.get_success_url())
            return redirect("accounts:two-factor-verify")
        _signed_in(self.request, user, two_factor=False)
        return redirect(self.get_success_url())


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        services.sign_out_record(user=request.user, via="web")
    auth_logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("web:home")


# --- Sign up and email verification ----------------------------------------------------------


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("web:after-login")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_register(
                email=data["email"],
                password=data["password1"],
                full_name=data["full_name"],
                phone=data.get("phone") or "",
                preferred_language=getattr(request, "LANGUAGE_CODE", "en") or "en",
            )
        except DomainError as exc:
            _form_errors_from(form, exc)
        else:
            return render(request, "accounts/signup_done.html", {"email": user.email})
    return render(request, "accounts/signup.html", {"form": form})


def verify_email(request, token):
    try:
        user = services.email_verify(token=token)
    except DomainError as exc:
        return render(
            request, "accounts/verify_email.html", {"ok": False, "message": exc.message}, status=400
        )
    return render(request, "accounts/verify_email.html", {"ok": True, "verified_user": user})


@login_required
@require_POST
def verify_email_resend(request):
    if not request.user.email_verified:
        services.verification_email_queue(user=request.user)
    messages.success(
        request, _("We sent a new confirmation link to %(email)s.") % {"email": request.user.email}
    )
    return redirect(_safe_next(request, request.POST.get("next")))


# --- Passwords --------------------------------------------------------------------------------


def password_reset(request):
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
        return render(request, "accounts/password_reset_done.html")
    return render(request, "accounts/password_reset.html", {"form": form})


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        try:
            services.password_set(
                user=self.user, new_password=form.cleaned_data["new_password1"], reason="reset"
            )
        except DomainError as exc:
            _form_errors_from(form, exc)
            return self.form_invalid(form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your password is changed. Sign in with the new one."))
        return redirect(self.success_url)


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def form_valid(self, form):
        try:
            user = services.password_set(
                user=self.request.user,
                new_password=form.cleaned_data["new_password1"],
                reason="change",
            )
        except DomainError as exc:
            _form_errors_from(form, exc)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        messages.success(
            self.request, _("Your password is changed. Other devices were signed out.")
        )
        return redirect("accounts:password-change")


# --- Two-factor --------------------------------------------------------------------------------


def two_factor_verify(request):
    """The code step: after the password (pending), or for a signed-in session not yet verified."""
    pending = twofactor.pending_get(request)
    user = None
    if pending:
        user = get_user_model().objects.filter(pk=pending["uid"], is_active=True).first()
        if user is not None:
            user.backend = pending["backend"]
    elif request.user.is_authenticated and services.two_factor_enabled(request.user):
        if twofactor.session_verified(request):
            return redirect(_safe_next(request, request.GET.get("next")))
        user = request.user
    if user is None:
        messages.info(request, _("Sign in again to continue."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ok = services.two_factor_verify(
                user=user, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if ok:
                next_url = pending["next"] if pending else request.GET.get("next")
                if pending:
                    request.session.pop(twofactor.SESSION_PENDING_KEY, None)
                    _signed_in(request, user, two_factor=True)
                else:
                    request.session.cycle_key()
                    request.session[twofactor.SESSION_OTP_KEY] = True
                return redirect(_safe_next(request, next_url))
            form.add_error("code", _("That code is not right. Try the newest code in your app."))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@login_required
def two_factor_setup(request):
    if services.two_factor_enabled(request.user):
        return render(request, "accounts/two_factor_manage.html", {"form": PasswordConfirmForm()})
    device = services.two_factor_setup_begin(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_confirm(user=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            _form_errors_from(form, exc)
        else:
            request.session.cycle_key()
            request.session[twofactor.SESSION_OTP_KEY] = True
            return render(
                request,
                "accounts/two_factor_recovery.html",
                {"codes": codes, "next": _safe_next(request, request.GET.get("next"))},
            )
    uri = services.two_factor_provisioning_uri(device)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": twofactor.qr_svg(uri), "secret": device.secret},
    )


@login_required
@require_POST
def two_factor_disable(request):
    form = PasswordConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.two_factor_disable(user=request.user, password=form.cleaned_data["password"])
        except DomainError as exc:
            _form_errors_from(form, exc)
        else:
            request.session.pop(twofactor.SESSION_OTP_KEY, None)
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:two-factor-setup")
    return render(request, "accounts/two_factor_manage.html", {"form": form}, status=400)
