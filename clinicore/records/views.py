"""Workspace pages for a patient's records, and the patient's own downloads from the portal."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm, role_has
from clinicore.core.errors import DomainError
from clinicore.patients.access import patient_get_for_clinic
from clinicore.records import access, selectors, services
from clinicore.records.files import document_response, pdf_response
from clinicore.records.forms import (
    DocumentForm,
    PrescriptionForm,
    PrescriptionLineFormSet,
    VisitForm,
)
from clinicore.records.models import PrescriptionItem
from clinicore.records.pdf import prescription_pdf
from clinicore.scheduling.models import Appointment
from clinicore.scheduling.selectors import appointment_list


def _can(request, perm: str) -> bool:
    return role_has(request.membership.role, perm)


def _form_errors(form, exc: DomainError) -> None:
    """Puts a service's error beside the field it names, or at the top of the form."""
    placed = False
    for name in exc.fields or {}:
        target = {"practitioner_id": None, "appointment_id": "appointment", "items": None}.get(
            name, name
        )
        if target in form.fields:
            form.add_error(target, exc.message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _recent_appointments(clinic, patient):
    visited = (
        Appointment.Status.COMPLETED,
        Appointment.Status.IN_PROGRESS,
        Appointment.Status.CHECKED_IN,
    )
    return list(
        appointment_list(clinic=clinic, patient_id=patient.pk)
        .filter(status__in=visited)
        .order_by("-start")[:20]
    )


def _to_list(request, patient):
    return redirect("records-patient:list", clinic_slug=request.clinic.slug, patient_id=patient.pk)


def _appointment_chosen(appointments, appointment_id: str):
    return next((a for a in appointments if str(a.pk) == appointment_id), None)


@dataclass(frozen=True)
class ItemKind:
    """One kind of record item (visit summary, prescription, document) as its pages reach it:
    staff through their clinic, a signed-in patient only to their own shared items.

    `name` is the keyword its access functions (`<name>_id`) and services (`<name>=`) take;
    `file` answers the item as a download, and `file_flag` is the read service's flag for it.
    """

    name: str
    get_for_clinic: Callable
    get_for_patient_user: Callable
    read: Callable
    share: Callable
    shared_message: str
    hidden_message: str
    file: Callable[[object], HttpResponse] | None = None
    file_flag: str = ""

    def staff_get(self, request, item_id):
        return self.get_for_clinic(clinic=request.clinic, **{f"{self.name}_id": item_id})

    def read_by(self, request, item_id, **how):
        """The item for staff, its reading audited (`how`: the service's pdf/download flag)."""
        item = self.staff_get(request, item_id)
        self.read(**{self.name: item}, actor=request.user, **how)
        return item

    def file_page(self, request, item_id) -> HttpResponse:
        return self.file(self.read_by(request, item_id, **{self.file_flag: True}))

    def my_file_page(self, request, item_id) -> HttpResponse:
        """The patient's own download of an item their clinic shared (404 for anything else)."""
        item = self.get_for_patient_user(user=request.user, **{f"{self.name}_id": item_id})
        self.read(
            **{self.name: item}, actor=request.user, as_patient=True, **{self.file_flag: True}
        )
        return self.file(item)

    def share_page(self, request, item_id) -> HttpResponse:
        """Shows or hides the item in the patient's portal (`shared=1` shows it), then back to
        the patient's records."""
        item = self.staff_get(request, item_id)
        shared = request.POST.get("shared") == "1"
        self.share(**{self.name: item}, actor=request.user, shared=shared)
        messages.success(request, self.shared_message if shared else self.hidden_message)
        return _to_list(request, item.patient)


VISIT = ItemKind(
    name="record",
    get_for_clinic=access.treatment_record_get_for_clinic,
    get_for_patient_user=access.treatment_record_get_for_patient_user,
    read=services.treatment_record_read,
    share=services.treatment_record_share,
    shared_message=gettext_lazy("The patient can now see this visit summary in their portal."),
    hidden_message=gettext_lazy("The visit summary is hidden from the patient."),
)
PRESCRIPTION = ItemKind(
    name="prescription",
    get_for_clinic=access.prescription_get_for_clinic,
    get_for_patient_user=access.prescription_get_for_patient_user,
    read=services.prescription_read,
    share=services.prescription_share,
    shared_message=gettext_lazy("The prescription is shared with the patient."),
    hidden_message=gettext_lazy("The prescription is hidden from the patient."),
    file=lambda p: pdf_response(prescription_pdf(p), f"{p.code}.pdf"),
    file_flag="pdf",
)
DOCUMENT = ItemKind(
    name="document",
    get_for_clinic=access.document_get_for_clinic,
    get_for_patient_user=access.document_get_for_patient_user,
    read=services.document_read,
    share=services.document_share,
    shared_message=gettext_lazy("The document is shared with the patient."),
    hidden_message=gettext_lazy("The document is hidden from the patient."),
    file=document_response,
    file_flag="download",
)


@workspace_view(Perm.PATIENTS_CLINICAL_READ, methods=("GET",))
def patient_records_page(request, patient_id):
    patient = patient_get_for_clinic(clinic=request.clinic, patient_id=patient_id)
    services.patient_records_read(patient=patient, actor=request.user)
    ctx = {
        "patient": patient,
        "nav": "patients",
        "visits": list(
            selectors.treatment_record_list(clinic=request.clinic, patient_id=patient.pk)[:100]
        ),
        "prescriptions": list(
            selectors.prescription_list(clinic=request.clinic, patient_id=patient.pk)[:100]
        ),
        "documents": list(
            selectors.document_list(clinic=request.clinic, patient_id=patient.pk)[:100]
        ),
        "can_write": _can(request, Perm.PATIENTS_CLINICAL_WRITE),
        "can_prescribe": _can(request, Perm.PRESCRIPTIONS_WRITE),
    }
    return render(request, "records/patient_records.html", ctx)


def _visit_form(request, patient, data=None, initial=None):
    return VisitForm(
        data,
        initial=initial,
        clinic=request.clinic,
        appointments=_recent_appointments(request.clinic, patient),
        catalog=selectors.catalog_list(clinic=request.clinic),
    )


@workspace_view(Perm.PATIENTS_CLINICAL_WRITE)
def visit_new_page(request, patient_id):
    patient = patient_get_for_clinic(clinic=request.clinic, patient_id=patient_id)
    form = _visit_form(
        request,
        patient,
        request.POST or None,
        initial={"appointment": request.GET.get("appointment", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        appointment = _appointment_chosen(
            _recent_appointments(request.clinic, patient), data["appointment"]
        )
        practitioner = request.membership
        if not practitioner.is_practitioner and appointment is not None:
            practitioner = appointment.practitioner
        try:
            record = services.treatment_record_create(
                clinic=request.clinic,
                actor=request.user,
                patient=patient,
                practitioner=practitioner,
                appointment=appointment,
                performed_at=data["performed_at"],
                diagnosis=data["diagnosis"],
                notes=data["notes"],
                items=[{"catalog_item_id": pk} for pk in data["treatments"]],
                sign=data["sign"],
                shared_with_patient=data["share"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The visit summary is saved."))
            return redirect(
                "records-desk:visit", clinic_slug=request.clinic.slug, treatment_record_id=record.pk
            )
    return render(
        request,
        "records/visit_form.html",
        {"form": form, "patient": patient, "record": None, "nav": "patients"},
    )


@workspace_view(Perm.PATIENTS_CLINICAL_READ, methods=("GET",))
def visit_page(request, treatment_record_id):
    record = VISIT.read_by(request, treatment_record_id)
    record = selectors.treatment_record_list(clinic=request.clinic).get(pk=record.pk)
    return render(
        request,
        "records/visit.html",
        {
            "record": record,
            "patient": record.patient,
            "nav": "patients",
            "can_write": _can(request, Perm.PATIENTS_CLINICAL_WRITE),
        },
    )


@workspace_view(Perm.PATIENTS_CLINICAL_WRITE)
def visit_edit_page(request, draft_treatment_record_id):
    record = VISIT.staff_get(request, draft_treatment_record_id)
    patient = record.patient
    if record.is_signed:
        messages.error(
            request,
            _("This visit summary is signed and can no longer be edited; add an addendum instead."),
        )
        return redirect(
            "records-desk:visit", clinic_slug=request.clinic.slug, treatment_record_id=record.pk
        )
    initial = {
        # A naive wall time in the clinic's zone: the datetime-local input shows it as it is.
        "performed_at": record.performed_at.astimezone(ZoneInfo(request.clinic.time_zone)).replace(
            tzinfo=None
        ),
        "appointment": str(record.appointment_id or ""),
        "treatments": [str(i.catalog_item_id) for i in record.items.all() if i.catalog_item_id],
        "diagnosis": record.diagnosis,
        "notes": record.notes,
    }
    form = _visit_form(request, patient, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        appointment = _appointment_chosen(
            _recent_appointments(request.clinic, patient), data["appointment"]
        )
        changes = {
            "diagnosis": data["diagnosis"],
            "notes": data["notes"],
            "appointment": appointment,
            "items": [{"catalog_item_id": pk} for pk in data["treatments"]],
        }
        if data["performed_at"] is not None:
            changes["performed_at"] = data["performed_at"]
        try:
            record = services.treatment_record_update(record=record, actor=request.user, **changes)
            if data["sign"]:
                record = services.treatment_record_sign(record=record, actor=request.user)
            if data["share"]:
                record = services.treatment_record_share(
                    record=record, actor=request.user, shared=True
                )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The visit summary is saved."))
            return redirect(
                "records-desk:visit", clinic_slug=request.clinic.slug, treatment_record_id=record.pk
            )
    return render(
        request,
        "records/visit_form.html",
        {"form": form, "patient": patient, "record": record, "nav": "patients"},
    )


@workspace_view(Perm.PATIENTS_CLINICAL_WRITE, methods=("POST",))
def visit_action_page(request, treatment_record_id):
    record = VISIT.staff_get(request, treatment_record_id)
    action = request.POST.get("action", "")
    done = {
        "sign": _("The visit summary is signed."),
        "share": VISIT.shared_message,
        "unshare": VISIT.hidden_message,
        "addendum": _("The addendum is added."),
    }
    try:
        if action == "sign":
            services.treatment_record_sign(record=record, actor=request.user)
        elif action in ("share", "unshare"):
            VISIT.share(record=record, actor=request.user, shared=action == "share")
        elif action == "addendum":
            services.treatment_record_addendum_add(
                record=record, actor=request.user, text=request.POST.get("text", "")
            )
        else:
            messages.error(request, _("Choose what to do with this visit summary."))
            return redirect(
                "records-desk:visit", clinic_slug=request.clinic.slug, treatment_record_id=record.pk
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done[action])
    return redirect(
        "records-desk:visit", clinic_slug=request.clinic.slug, treatment_record_id=record.pk
    )


@workspace_view(Perm.PRESCRIPTIONS_WRITE)
def prescription_new_page(request, patient_id):
    patient = patient_get_for_clinic(clinic=request.clinic, patient_id=patient_id)
    appointments = _recent_appointments(request.clinic, patient)
    tz = ZoneInfo(request.clinic.time_zone)
    choices = [
        (str(a.pk), f"{a.start.astimezone(tz):%d %b %Y %H:%M} · {a.service.name}")
        for a in appointments
    ]
    form = PrescriptionForm(
        request.POST or None,
        appointment_choices=choices,
        initial={"appointment": request.GET.get("appointment", "")},
    )
    lines = PrescriptionLineFormSet(request.POST or None, prefix="line")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        items = [
            {name: line.cleaned_data.get(name, "") for name in PrescriptionItem.FIELDS}
            for line in lines
            if line.cleaned_data.get("medicine")
        ]
        appointment = _appointment_chosen(appointments, form.cleaned_data["appointment"])
        try:
            prescription = services.prescription_create(
                clinic=request.clinic,
                actor=request.user,
                patient=patient,
                prescriber=request.membership,
                appointment=appointment,
                items=items,
                advice=form.cleaned_data["advice"],
                shared_with_patient=form.cleaned_data["share"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Prescription %(code)s is issued.") % {"code": prescription.code}
            )
            return _to_list(request, patient)
    return render(
        request,
        "records/prescription_form.html",
        {"form": form, "lines": lines, "patient": patient, "nav": "patients"},
    )


@workspace_view(Perm.PATIENTS_CLINICAL_READ, methods=("GET",))
def prescription_pdf_page(request, prescription_id):
    return PRESCRIPTION.file_page(request, prescription_id)


@workspace_view(Perm.PATIENTS_CLINICAL_WRITE, methods=("POST",))
def prescription_share_page(request, prescription_id):
    return PRESCRIPTION.share_page(request, prescription_id)


@workspace_view(Perm.PATIENTS_CLINICAL_WRITE)
def document_new_page(request, patient_id):
    patient = patient_get_for_clinic(clinic=request.clinic, patient_id=patient_id)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_upload(
                clinic=request.clinic,
                actor=request.user,
                patient=patient,
                upload=upload,
                filename=upload.name,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                shared_with_patient=form.cleaned_data["share"],
            )
        except DomainError as exc:
            if exc.code.startswith("document_"):
                form.add_error("file", exc.message)
            else:
                _form_errors(form, exc)
        else:
            messages.success(request, _("The document is uploaded."))
            return _to_list(request, patient)
    return render(
        request, "records/document_form.html", {"form": form, "patient": patient, "nav": "patients"}
    )


@workspace_view(Perm.PATIENTS_CLINICAL_READ, methods=("GET",))
def document_download_page(request, document_id):
    return DOCUMENT.file_page(request, document_id)


@workspace_view(Perm.PATIENTS_CLINICAL_WRITE, methods=("POST",))
def document_share_page(request, document_id):
    return DOCUMENT.share_page(request, document_id)


# --- The patient's own downloads (portal) -----------------------------------------------------------


def signed_in(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


@signed_in
@require_GET
def my_prescription_pdf(request, prescription_id):
    return PRESCRIPTION.my_file_page(request, prescription_id)


@signed_in
@require_GET
def my_document(request, document_id):
    return DOCUMENT.my_file_page(request, document_id)
