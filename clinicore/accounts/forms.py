"""Forms of the account pages; each one only checks input, the services do the writing."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from clinicore.accounts import services
from clinicore.core.errors import NotAuthenticated, RateLimited
from clinicore.core.middleware import client_ip


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the lockout of repeated failures (shared with the API)."""

    username = forms.EmailField(label=_("Email"), max_length=254)

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            try:
                self.user_cache = services.credentials_check(
                    email=email, password=password, ip=client_ip(self.request)
                )
            except RateLimited as exc:
                raise forms.ValidationError(exc.message, code="login_locked") from None
            except NotAuthenticated:
                raise forms.ValidationError(
                    _("Email or password is wrong. Check them and try again."), code="invalid_login"
                ) from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class SignUpForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.RegexField(
        label=_("Mobile phone"),
        max_length=20,
        regex=r"^[0-9+()\- ]*$",
        required=False,
        error_messages={"invalid": _("Use digits, spaces and + ( ) - only.")},
    )
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if (
            data.get("password1")
            and data.get("password2")
            and data["password1"] != data["password2"]
        ):
            self.add_error("password2", _("The two passwords are different."))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(label=_("Your password"), strip=False, widget=forms.PasswordInput)


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
