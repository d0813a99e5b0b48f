"""Forms of the workspace's patient pages; they validate, services write."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from clinicore.patients.models import Patient

phone_validator = RegexValidator(
    r"^[0-9+()\- ]*$", _("Use digits, spaces, +, - and brackets only.")
)

DEMOGRAPHIC_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "preferred_language",
)


class PatientForm(forms.ModelForm):
    """Demographics for everyone who may write patients; clinical fields only when `clinical`."""

    class Meta:
        model = Patient
        fields = (*DEMOGRAPHIC_FIELDS, *Patient.CLINICAL_FIELDS)
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "current_medications": forms.Textarea(attrs={"rows": 3}),
            "medical_history": forms.Textarea(attrs={"rows": 5}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "emergency_contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        labels = {
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "date_of_birth": _("Date of birth"),
            "gender": _("Gender"),
            "phone": _("Phone"),
            "email": _("Email"),
            "address": _("Address"),
            "emergency_contact_name": _("Emergency contact"),
            "emergency_contact_phone": _("Emergency contact phone"),
            "preferred_language": _("Preferred language"),
            "allergies": _("Allergies"),
            "current_medications": _("Current medications"),
            "medical_history": _("Medical history"),
        }
        help_texts = {
            "allergies": _("Shown highlighted to every clinician who opens the record."),
        }

    def __init__(self, *args, clinical: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["preferred_language"] = forms.ChoiceField(
            label=_("Preferred language"), choices=settings.LANGUAGES, initial="en"
        )
        self.fields["phone"].validators.append(phone_validator)
        self.fields["emergency_contact_phone"].validators.append(phone_validator)
        self.fields["date_of_birth"].input_formats = ["%Y-%m-%d"]
        self.fields["first_name"].error_messages["required"] = _("Enter the patient's first name.")
        if not clinical:
            for name in Patient.CLINICAL_FIELDS:
                del self.fields[name]

    def clean_first_name(self):
        value = self.cleaned_data["first_name"].strip()
        if not value:
            raise forms.ValidationError(_("Enter the patient's first name."))
        return value

    def clean_date_of_birth(self):
        from django.utils import timezone

        value = self.cleaned_data.get("date_of_birth")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        reachable = data.get("phone") or data.get("email")
        if not reachable and "phone" not in self.errors and "email" not in self.errors:
            self.add_error(
                "phone", _("Give a phone number or an email so the clinic can reach the patient.")
            )
        return data

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.fields}
        data["email"] = data.get("email") or ""
        return data
