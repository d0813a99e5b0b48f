"""The records API: staff of the clinic see its items; a patient sees only their own shared ones;
anything else answers 404."""

import base64

import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.testing import bearer, make_patient, make_user
from clinicore.records.testing import (
    doctor_of,
    make_catalog_item,
    make_document,
    make_prescription,
    make_visit,
    pdf_bytes,
    png_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(world):
    """Asha (the patient login) has shared and unshared items; Bela, another patient, has shared ones."""
    clinic, doctor = world.clinic_a, doctor_of(world, world.clinic_a)
    return {
        "visit": make_visit(
            clinic,
            patient=world.patient_a,
            practitioner=doctor,
            shared=True,
            diagnosis="Gingivitis",
        ),
        "hidden_visit": make_visit(
            clinic, patient=world.patient_a, practitioner=doctor, diagnosis="Private note"
        ),
        "draft": make_visit(clinic, patient=world.patient_a, practitioner=doctor, sign=False),
        "rx": make_prescription(clinic, patient=world.patient_a, prescriber=doctor, shared=True),
        "hidden_rx": make_prescription(clinic, patient=world.patient_a, prescriber=doctor),
        "doc": make_document(
            clinic, patient=world.patient_a, by=doctor, shared=True, title="X-ray report"
        ),
        "hidden_doc": make_document(
            clinic, patient=world.patient_a, by=doctor, title="Internal referral"
        ),
        "bela_visit": make_visit(
            clinic, patient=world.other_patient_a, practitioner=doctor, shared=True
        ),
        "bela_rx": make_prescription(
            clinic, patient=world.other_patient_a, prescriber=doctor, shared=True
        ),
        "bela_doc": make_document(clinic, patient=world.other_patient_a, by=doctor, shared=True),
    }


def _ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_it_shows_a_patient_only_their_own_shared_items(world, api, shared):
    me = bearer(world.patient_user, world.clinic_a)
    assert _ids(api.get("/api/v1/records/visits", headers=me)) == {str(shared["visit"].pk)}
    assert _ids(api.get("/api/v1/records/prescriptions", headers=me)) == {str(shared["rx"].pk)}
    assert _ids(api.get("/api/v1/records/documents", headers=me)) == {str(shared["doc"].pk)}

    visit = api.get(f"/api/v1/records/visits/{shared['visit'].pk}", headers=me).json()
    assert visit["diagnosis"] == "Gingivitis" and visit["signed_at"]

    pdf = api.get(f"/api/v1/records/prescriptions/{shared['rx'].pk}/pdf", headers=me)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    file = api.get(f"/api/v1/records/documents/{shared['doc'].pk}/file", headers=me)
    assert file.status_code == 200 and file.content == pdf_bytes()
    assert file["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/records/visits/{hidden_visit}",
        "/api/v1/records/visits/{draft}",
        "/api/v1/records/visits/{bela_visit}",
        "/api/v1/records/prescriptions/{hidden_rx}",
        "/api/v1/records/prescriptions/{bela_rx}/pdf",
        "/api/v1/records/documents/{hidden_doc}/file",
        "/api/v1/records/documents/{bela_doc}",
        "/api/v1/records/documents/{bela_doc}/file",
    ],
)
def test_it_answers_404_to_a_patient_for_what_is_not_theirs_or_not_shared(world, api, shared, path):
    url = path.format(**{k: v.pk for k, v in shared.items()})
    response = api.get(url, headers=bearer(world.patient_user, world.clinic_a))
    assert response.status_code == 404, response.content


def test_it_answers_404_to_another_clinic_and_403_to_a_receptionist(world, api, shared):
    b_doctor = world.headers("b", Role.DOCTOR)
    assert (
        api.get(f"/api/v1/records/visits/{shared['visit'].pk}", headers=b_doctor).status_code == 404
    )
    assert (
        api.get(f"/api/v1/records/documents/{shared['doc'].pk}/file", headers=b_doctor).status_code
        == 404
    )
    assert _ids(api.get("/api/v1/records/visits", headers=b_doctor)) == set()
    receptionist = world.headers("a", Role.RECEPTIONIST)
    assert (
        api.get(f"/api/v1/records/visits/{shared['visit'].pk}", headers=receptionist).status_code
        == 403
    )
    # A patient of clinic B (signed in there) sees none of clinic A's items.
    outsider = make_user("outsider@example.test")
    make_patient(world.clinic_b, user=outsider)
    assert (
        _ids(api.get("/api/v1/records/prescriptions", headers=bearer(outsider, world.clinic_b)))
        == set()
    )


def test_it_lets_a_doctor_write_sign_and_share_a_summary_and_a_nurse_not_prescribe(world, api):
    doctor = world.headers("a", Role.DOCTOR)
    item = make_catalog_item(world.clinic_a, name="Scaling", code="SCL")
    created = api.post(
        "/api/v1/records/visits",
        {
            "patient_id": str(world.patient_a.pk),
            "diagnosis": "Calculus",
            "items": [{"catalog_item_id": str(item.pk)}],
        },
        headers=doctor,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["items"][0]["name"] == "Scaling" and body["signed_at"] is None
    rid = body["id"]
    share = api.post(f"/api/v1/records/visits/{rid}/share", {"shared": True}, headers=doctor)
    assert share.status_code == 409 and share.json()["code"] == "treatment_record_unsigned"
    assert (
        api.put(
            f"/api/v1/records/visits/{rid}", {"notes": "Full-mouth scaling"}, headers=doctor
        ).status_code
        == 200
    )
    assert api.post(f"/api/v1/records/visits/{rid}/sign", headers=doctor).status_code == 200
    locked = api.put(f"/api/v1/records/visits/{rid}", {"notes": "Changed"}, headers=doctor)
    assert locked.status_code == 409 and locked.json()["code"] == "treatment_record_signed"
    assert (
        api.post(
            f"/api/v1/records/visits/{rid}/share", {"shared": True}, headers=doctor
        ).status_code
        == 200
    )
    me = bearer(world.patient_user, world.clinic_a)
    assert (
        api.get(f"/api/v1/records/visits/{rid}", headers=me).json()["notes"] == "Full-mouth scaling"
    )

    rx = {"patient_id": str(world.patient_a.pk), "items": [{"medicine": "Chlorhexidine mouthwash"}]}
    assert (
        api.post(
            "/api/v1/records/prescriptions", rx, headers=world.headers("a", Role.NURSE)
        ).status_code
        == 403
    )
    issued = api.post("/api/v1/records/prescriptions", rx, headers=doctor)
    assert issued.status_code == 201 and issued.json()["code"].startswith("RX-")


def test_it_manages_the_catalog_for_managers_and_refuses_a_duplicate_code(world, api):
    manager = world.headers("a", Role.MANAGER)
    made = api.post(
        "/api/v1/records/catalog",
        {"name": "ECG", "code": "ecg", "default_price": "350.00"},
        headers=manager,
    )
    assert made.status_code == 201, made.content
    assert made.json()["code"] == "ECG" and made.json()["currency"] == "INR"
    again = api.post(
        "/api/v1/records/catalog", {"name": "ECG again", "code": "ECG"}, headers=manager
    )
    assert again.status_code == 409
    doctor = world.headers("a", Role.DOCTOR)
    assert (
        api.post("/api/v1/records/catalog", {"name": "X", "code": "X"}, headers=doctor).status_code
        == 403
    )
    item_id = made.json()["id"]
    assert (
        api.delete(f"/api/v1/records/catalog/{item_id}", headers=manager).json()["is_active"]
        is False
    )
    listed = api.get("/api/v1/records/catalog", headers=doctor).json()
    assert item_id not in {i["id"] for i in listed["items"]}


# --- Uploads ----------------------------------------------------------------------------------


def _upload(client, world, data: bytes, name: str, headers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/api/v1/records/documents",
        {
            "patient_id": str(world.patient_a.pk),
            "title": "Scan",
            "kind": "imaging",
            "file": SimpleUploadedFile(name, data),
        },
        headers=headers,
    )


def test_it_uploads_a_png_by_multipart_and_a_pdf_by_json(world, client, api):
    doctor = world.headers("a", Role.DOCTOR)
    png = _upload(client, world, png_bytes(), "scan.png", doctor)
    assert png.status_code == 201, png.content
    assert png.json()["content_type"] == "image/png"
    body = {
        "patient_id": str(world.patient_a.pk),
        "title": "Referral letter",
        "kind": "referral",
        "filename": "letter.pdf",
        "data_base64": base64.b64encode(pdf_bytes()).decode(),
        "shared_with_patient": True,
    }
    pdf = api.post("/api/v1/records/documents", body, headers=doctor)
    assert pdf.status_code == 201 and pdf.json()["content_type"] == "application/pdf"


def test_it_refuses_a_disguised_executable(world, client):
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    response = _upload(client, world, exe, "report.pdf", world.headers("a", Role.DOCTOR))
    assert response.status_code == 415
    assert response.json()["code"] == "document_type_not_allowed"
    fake_png = b"\x89PNG\r\n\x1a\n" + b"MZ not really an image" * 10
    response = _upload(client, world, fake_png, "photo.png", world.headers("a", Role.DOCTOR))
    assert response.status_code == 415


def test_it_refuses_an_oversize_file(world, client, settings):
    settings.RECORDS_DOCUMENT_MAX_BYTES = 2048
    big = pdf_bytes() + b"%" * 4096 + b"\n%%EOF\n"
    response = _upload(client, world, big, "big.pdf", world.headers("a", Role.DOCTOR))
    assert response.status_code == 413
    assert response.json()["code"] == "document_too_large"


def test_it_answers_404_to_a_guessed_document_url_for_non_members(world, client):
    doc = make_document(
        world.clinic_a, patient=world.patient_a, by=doctor_of(world, world.clinic_a), shared=True
    )
    stranger = make_user("stranger@example.test")
    client.force_login(stranger)
    assert client.get(f"/me/records/documents/{doc.pk}/").status_code == 404
    assert (
        client.get(f"/c/{world.clinic_a.slug}/desk/records/documents/{doc.pk}/").status_code == 404
    )
    client.force_login(world.member("b", Role.OWNER).user)
    assert (
        client.get(f"/c/{world.clinic_a.slug}/desk/records/documents/{doc.pk}/").status_code == 404
    )
    assert (
        client.get(f"/c/{world.clinic_b.slug}/desk/records/documents/{doc.pk}/").status_code == 404
    )
    client.force_login(world.patient_user)
    got = client.get(f"/me/records/documents/{doc.pk}/")
    assert got.status_code == 200 and got.content == pdf_bytes()


def test_it_lists_visits_and_prescriptions_in_a_fixed_number_of_queries(
    world, api, django_assert_max_num_queries
):
    doctor = doctor_of(world, world.clinic_a)
    headers = world.headers("a", Role.DOCTOR)
    for _ in range(2):
        make_visit(world.clinic_a, patient=world.patient_a, practitioner=doctor)
        make_prescription(world.clinic_a, patient=world.patient_a, prescriber=doctor)
    api.get("/api/v1/records/visits", headers=headers)  # warm caches (sessions, content types)
    with django_assert_max_num_queries(12) as few:
        assert len(api.get("/api/v1/records/visits", headers=headers).json()["items"]) == 2
    baseline = len(few.captured_queries)
    for _ in range(6):
        make_visit(world.clinic_a, patient=world.other_patient_a, practitioner=doctor)
        make_prescription(world.clinic_a, patient=world.other_patient_a, prescriber=doctor)
    with django_assert_max_num_queries(baseline):
        assert len(api.get("/api/v1/records/visits", headers=headers).json()["items"]) == 8
    with django_assert_max_num_queries(baseline):
        assert len(api.get("/api/v1/records/prescriptions", headers=headers).json()["items"]) == 8
