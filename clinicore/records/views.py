"""Workspace pages for a patient's records, and the patient's own downloads from the portal."""

import functools
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
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
        appointment = next(
            (
                a
                for a in _recent_appointments(request.clinic, patient)
                if str(a.pk) == data["appointment"]
            ),
            None,
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
    record = access.treatment_record_get_for_clinic(
        clinic=request.clinic, record_id=treatment_record_id
    )
    services.treatment_record_read(record=record, actor=request.user)
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
    record = access.treatment_record_get_for_clinic(
        clinic=request.clinic, record_id=draft_treatment_record_id
    )
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
        appointment = next(
            (
                a
                for a in _recent_appointments(request.clinic, patient)
                if str(a.pk) == data["appointment"]
            ),
            None,
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
    record = access.treatment_record_get_for_clinic(
        clinic=request.clinic, record_id=treatment_record_id
    )
    action = request.POST.get("action", "")
    done = {
        "sign": _("The visit summary is signed."),
        "share": _("The patient can now see this visit summary in their portal."),
        "unshare": _("The visit summary is hidden from the patient."),
        "addendum": _("The addendum is added."),
    }
    try:
        if action == "sign":
            services.treatment_record_sign(record=record, actor=request.user)
        elif action in ("share", "unshare"):
            services.treatment_record_share(
                record=record, actor=request.user, shared=action == "share"
            )
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
        appointment = next(
            (a for a in appointments if str(a.pk) == form.cleaned_data["appointment"]), None
        )
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
    prescription = access.prescription_get_for_clinic(
        clinic=request.clinic, prescription_id=prescription_id
    )
    services.prescription_read(prescription=prescription, actor=request.user, pdf=True)
    return pdf_response(prescription_pdf(prescription), f"{prescription.code}.pdf")


@workspace_view(Perm.PATIENTS_CLINICAL_WRITE, methods=("POST",))
def prescription_share_page(request, prescription_id):
    prescription = access.prescription_get_for_clinic(
        clinic=request.clinic, prescription_id=prescription_id
    )
    shared = request.POST.get("shared") == "1"
    services.prescription_share(prescription=prescription, actor=request.user, shared=shared)
    messages.success(
        request,
        _("The prescription is shared with the patient.")
        if shared
        else _("The prescription is hidden from the patient."),
    )
    return _to_list(request, prescription.patient)


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
    document = access.document_get_for_clinic(clinic=request.clinic, document_id=document_id)
    services.document_read(document=document, actor=request.user, download=True)
    return document_response(document)


@workspace_view(Perm.PATIENTS_CLINICAL_WRITE, methods=("POST",))
def document_share_page(request, document_id):
    document = access.document_get_for_clinic(clinic=request.clinic, document_id=document_id)
    shared = request.POST.get("shared") == "1"
    services.document_share(document=document, actor=request.user, shared=shared)
    messages.success(
        request,
        _("The document is shared with the patient.")
        if shared
        else _("The document is hidden from the patient."),
    )
    return _to_list(request, document.patient)


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
    prescription = access.prescription_get_for_patient_user(
        user=request.user, prescription_id=prescription_id
    )
    services.prescription_read(
        prescription=prescription, actor=request.user, as_patient=True, pdf=True
    )
    return pdf_response(prescription_pdf(prescription), f"{prescription.code}.pdf")


@signed_in
@require_GET
def my_document(request, document_id):
    document = access.document_get_for_patient_user(user=request.user, document_id=document_id)
    services.document_read(document=document, actor=request.user, as_patient=True, download=True)
    return document_response(document)
