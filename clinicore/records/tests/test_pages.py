"""Workspace record pages: forms that explain mistakes, drafts that lock once signed, and the
patient's portal list of what was shared."""

from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clinicore.clinics.permissions import Role
from clinicore.records.models import Document, TreatmentRecord
from clinicore.records.testing import (
    doctor_of,
    make_document,
    make_prescription,
    make_visit,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db


def _base(world, patient=None):
    patient = patient or world.patient_a
    return f"/c/{world.clinic_a.slug}/desk/patients/{patient.pk}/records/"


def test_it_lists_a_patients_records_for_clinicians_and_hides_them_from_the_front_desk(
    world, client
):
    doctor = doctor_of(world, world.clinic_a)
    make_visit(world.clinic_a, patient=world.patient_a, practitioner=doctor, shared=True)
    rx = make_prescription(world.clinic_a, patient=world.patient_a, prescriber=doctor)
    make_document(world.clinic_a, patient=world.patient_a, by=doctor, title="Lipid profile")
    client.force_login(doctor.user)
    page = client.get(_base(world)).content.decode()
    assert "Signed" in page and rx.code in page and "Lipid profile" in page
    detail = client.get(
        f"/c/{world.clinic_a.slug}/desk/patients/{world.patient_a.pk}/"
    ).content.decode()
    assert "Records and prescriptions" in detail
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    assert client.get(_base(world)).status_code == 403
    detail = client.get(
        f"/c/{world.clinic_a.slug}/desk/patients/{world.patient_a.pk}/"
    ).content.decode()
    assert "Records and prescriptions" not in detail


def test_it_explains_that_sharing_needs_a_signature_and_keeps_what_was_typed(world, client):
    client.force_login(doctor_of(world, world.clinic_a).user)
    response = client.post(
        _base(world) + "visits/new/", {"diagnosis": "Otitis media", "share": "on"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign the summary to share it with the patient." in page and "Otitis media" in page
    assert not TreatmentRecord.objects.exists()


def test_it_edits_a_draft_and_refuses_to_edit_it_once_signed(world, client):
    doctor = doctor_of(world, world.clinic_a)
    draft = make_visit(world.clinic_a, patient=world.patient_a, practitioner=doctor, sign=False)
    client.force_login(doctor.user)
    edit = f"/c/{world.clinic_a.slug}/desk/records/visits/{draft.pk}/edit/"
    response = client.post(
        edit, {"diagnosis": "Reversible pulpitis", "notes": "Sedative dressing", "sign": "on"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.diagnosis == "Reversible pulpitis" and draft.is_signed
    response = client.post(edit, {"diagnosis": "Changed later"}, follow=True)
    assert "can no longer be edited" in response.content.decode()
    draft.refresh_from_db()
    assert draft.diagnosis == "Reversible pulpitis"
    action = f"/c/{world.clinic_a.slug}/desk/records/visits/{draft.pk}/action/"
    response = client.post(action, {"action": "addendum", "text": "Pain settled."}, follow=True)
    assert (
        "The addendum is added." in response.content.decode()
        and "Pain settled." in response.content.decode()
    )


def test_it_refuses_a_disguised_executable_on_the_upload_page(world, client):
    client.force_login(doctor_of(world, world.clinic_a).user)
    exe = SimpleUploadedFile(
        "report.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf"
    )
    response = client.post(
        _base(world) + "documents/new/", {"title": "Report", "kind": "lab_report", "file": exe}
    )
    assert response.status_code == 200
    assert "This file is not a PDF, JPEG or PNG." in response.content.decode()
    assert not Document.objects.exists()
    ok = SimpleUploadedFile("report.pdf", pdf_bytes())
    response = client.post(
        _base(world) + "documents/new/",
        {"title": "Report", "kind": "lab_report", "file": ok, "share": "on"},
    )
    assert response.status_code == 302
    assert Document.objects.get().shared_with_patient


def test_it_shows_the_patient_only_shared_items_in_the_portal(world, client):
    doctor = doctor_of(world, world.clinic_a)
    make_visit(
        world.clinic_a,
        patient=world.patient_a,
        practitioner=doctor,
        shared=True,
        diagnosis="Shared dx",
    )
    make_visit(
        world.clinic_a, patient=world.patient_a, practitioner=doctor, diagnosis="Internal dx"
    )
    make_visit(
        world.clinic_a,
        patient=world.other_patient_a,
        practitioner=doctor,
        shared=True,
        diagnosis="Bela dx",
    )
    shared_rx = make_prescription(
        world.clinic_a, patient=world.patient_a, prescriber=doctor, shared=True
    )
    hidden_rx = make_prescription(world.clinic_a, patient=world.patient_a, prescriber=doctor)
    make_document(
        world.clinic_a, patient=world.patient_a, by=doctor, shared=True, title="Shared scan"
    )
    make_document(world.clinic_a, patient=world.patient_a, by=doctor, title="Hidden scan")
    client.force_login(world.patient_user)
    page = client.get("/me/records/").content.decode()
    assert "Shared dx" in page and "Shared scan" in page and shared_rx.code in page
    for secret in ("Internal dx", "Bela dx", "Hidden scan", hidden_rx.code):
        assert secret not in page
    assert client.get(f"/me/records/prescriptions/{shared_rx.pk}/pdf/").content.startswith(b"%PDF")
    assert client.get(f"/me/records/prescriptions/{hidden_rx.pk}/pdf/").status_code == 404


def test_it_lets_a_manager_add_and_retire_catalog_treatments_and_others_only_read(world, client):
    url = f"/c/{world.clinic_a.slug}/desk/records/catalog/"
    client.force_login(world.member("a", Role.MANAGER).user)
    body = {
        "name": "Ceramic crown",
        "code": "CRN",
        "default_price": "9000",
        "duration_minutes": "60",
    }
    assert client.post(url, body).status_code == 302
    again = client.post(url, {**body, "name": "Another crown"})
    assert "already has a treatment with code CRN" in again.content.decode()
    from clinicore.records.models import TreatmentCatalogItem

    crown = TreatmentCatalogItem.objects.get(clinic=world.clinic_a, code="CRN")
    assert (str(crown.default_price), crown.currency) == ("9000.00", "INR")
    client.force_login(world.member("a", Role.DOCTOR).user)
    page = client.get(url).content.decode()
    assert "Ceramic crown" in page and "Add to catalog" not in page
    client.post(url, {**body, "code": "CRN2"})
    assert not TreatmentCatalogItem.objects.filter(code="CRN2").exists()
    assert client.post(url + f"{crown.pk}/retire/").status_code == 403
    client.force_login(world.member("a", Role.MANAGER).user)
    client.post(url + f"{crown.pk}/retire/")
    crown.refresh_from_db()
    assert not crown.is_active


def test_it_puts_only_what_was_shared_in_the_patients_data_download(world, client):
    from clinicore.core.models import AuditEntry
    from clinicore.records.services import treatment_record_addendum_add

    doctor = doctor_of(world, world.clinic_a)
    visit = make_visit(
        world.clinic_a,
        patient=world.patient_a,
        practitioner=doctor,
        shared=True,
        diagnosis="Shared dx",
        notes="Shared notes",
    )
    treatment_record_addendum_add(record=visit, actor=doctor.user, text="Review in two weeks")
    make_visit(
        world.clinic_a, patient=world.patient_a, practitioner=doctor, diagnosis="Internal dx"
    )
    make_visit(
        world.clinic_a,
        patient=world.patient_a,
        practitioner=doctor,
        sign=False,
        diagnosis="Draft dx",
    )
    make_visit(
        world.clinic_a,
        patient=world.other_patient_a,
        practitioner=doctor,
        shared=True,
        diagnosis="Bela dx",
    )
    make_visit(
        world.clinic_b,
        patient=world.patient_b,
        practitioner=doctor_of(world, world.clinic_b),
        shared=True,
        diagnosis="Chloe dx",
    )
    rx = make_prescription(
        world.clinic_a,
        patient=world.patient_a,
        prescriber=doctor,
        shared=True,
        advice="Rinse twice daily",
    )
    hidden_rx = make_prescription(world.clinic_a, patient=world.patient_a, prescriber=doctor)
    bela_rx = make_prescription(
        world.clinic_a, patient=world.other_patient_a, prescriber=doctor, shared=True
    )
    doc = make_document(
        world.clinic_a, patient=world.patient_a, by=doctor, shared=True, title="Shared scan"
    )
    make_document(world.clinic_a, patient=world.patient_a, by=doctor, title="Hidden scan")
    make_document(
        world.clinic_a, patient=world.other_patient_a, by=doctor, shared=True, title="Bela scan"
    )
    client.force_login(world.patient_user)
    response = client.get("/me/account/my-data.json")
    body = response.content.decode()
    records = response.json()["records"]

    [summary] = records["visit_summaries"]
    assert (summary["diagnosis"], summary["notes"]) == ("Shared dx", "Shared notes")
    assert [a["text"] for a in summary["addenda"]] == ["Review in two weeks"]
    assert summary["signed_at"] and summary["treatments"][0]["name"].startswith("Consultation")
    [prescription] = records["prescriptions"]
    assert prescription["code"] == rx.code and prescription["advice"] == "Rinse twice daily"
    assert prescription["medicines"][0]["medicine"] == "Amoxicillin"
    [document] = records["documents"]
    assert document["title"] == "Shared scan" and document["filename"] == "cbc.pdf"
    for secret in ("Internal dx", "Draft dx", "Bela dx", "Chloe dx", "Hidden scan", "Bela scan"):
        assert secret not in body
    assert hidden_rx.code not in body and bela_rx.code not in body

    pdf = client.get(urlsplit(prescription["pdf_url"]).path)
    assert pdf.content.startswith(b"%PDF")
    file = client.get(urlsplit(document["download_url"]).path)
    assert file.status_code == 200 and str(doc.pk) in document["download_url"]
    entry = AuditEntry.objects.get(action="records.export_by_patient")
    assert entry.entity_id == str(world.patient_a.pk) and entry.actor_id == world.patient_user.pk
    assert entry.fields == ["documents", "prescriptions", "visit_summaries"]
