"""Workspace forms: a visit summary, a prescription, a document upload."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinicore.records.models import Document, PrescriptionItem


class VisitForm(forms.Form):
    performed_at = forms.DateTimeField(
        label=_("Date and time of the visit"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty for the appointment's time, or now."),
    )
    appointment = forms.ChoiceField(label=_("Appointment"), required=False)
    treatments = forms.MultipleChoiceField(
        label=_("Treatments done"), required=False, widget=forms.CheckboxSelectMultiple
    )
    diagnosis = forms.CharField(
        label=_("Diagnosis"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Clinical notes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    sign = forms.BooleanField(
        label=_("Sign now"),
        required=False,
        help_text=_("A signed summary can no longer be edited, only added to."),
    )
    share = forms.BooleanField(
        label=_("Share with the patient (shown in their portal once signed)"), required=False
    )

    def __init__(self, *args, clinic, appointments=(), catalog=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        tz = ZoneInfo(clinic.time_zone)
        self.fields["appointment"].choices = [("", _("— none —"))] + [
            (
                str(a.pk),
                f"{a.start.astimezone(tz):%d %b %Y %H:%M} · {a.service.name} · {a.practitioner.display_name}",
            )
            for a in appointments
        ]
        self.fields["treatments"].choices = [
            (str(c.pk), f"{c.name} ({c.code}) · {c.default_price} {c.currency}") for c in catalog
        ]

    def clean_performed_at(self):
        value = self.cleaned_data.get("performed_at")
        if value is None:
            return None
        # The browser sends the clinic's wall time; store it as an aware UTC datetime.
        naive = value.replace(tzinfo=None) if timezone.is_aware(value) else value
        return datetime.combine(naive.date(), naive.time(), tzinfo=ZoneInfo(self.clinic.time_zone))

    def clean(self):
        data = super().clean()
        if data.get("share") and not data.get("sign"):
            self.add_error("share", _("Sign the summary to share it with the patient."))
        return data


class PrescriptionLineForm(forms.Form):
    medicine = forms.CharField(label=_("Medicine"), required=False, max_length=1000)
    strength = forms.CharField(label=_("Strength"), required=False, max_length=1000)
    dose = forms.CharField(label=_("Dose"), required=False, max_length=1000)
    frequency = forms.CharField(label=_("Frequency"), required=False, max_length=1000)
    duration = forms.CharField(label=_("Duration"), required=False, max_length=1000)
    instructions = forms.CharField(label=_("Instructions"), required=False, max_length=1000)

    def clean(self):
        data = super().clean()
        if any(data.get(f) for f in PrescriptionItem.FIELDS[1:]) and not data.get("medicine"):
            self.add_error("medicine", _("Name the medicine of this line."))
        return data


PrescriptionLineFormSet = formset_factory(PrescriptionLineForm, extra=4, max_num=30)


class PrescriptionForm(forms.Form):
    appointment = forms.ChoiceField(label=_("Appointment"), required=False)
    advice = forms.CharField(
        label=_("Advice"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    share = forms.BooleanField(label=_("Share with the patient"), required=False)

    def __init__(self, *args, appointment_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment"].choices = [("", _("— none —")), *appointment_choices]


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))
    share = forms.BooleanField(label=_("Share with the patient"), required=False)
