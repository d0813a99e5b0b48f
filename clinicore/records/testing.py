"""Factories and request bodies for the API and page walkers (see clinicore.core.testing), and
helpers the records tests share."""

import base64
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from clinicore.clinics.permissions import Role
from clinicore.core.testing import object_factory, request_body

_seq = itertools.count(1)


def pdf_bytes(text: str = "Lab report") -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)  # same bytes every time: tests compare downloads
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (20, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _members(world, clinic):
    return world.members_a if clinic == world.clinic_a else world.members_b


def doctor_of(world, clinic):
    return _members(world, clinic)[Role.DOCTOR]


def other_patient(world, clinic):
    """A patient who is not the walkers' signed-in patient (so that patient gets 404)."""
    return world.other_patient_a if clinic == world.clinic_a else world.patient_b


def make_catalog_item(clinic, **extra):
    from clinicore.records.services import catalog_item_create

    n = next(_seq)
    extra.setdefault("name", f"Consultation {n}")
    extra.setdefault("code", f"CON-{n}")
    extra.setdefault("default_price", "800.00")
    return catalog_item_create(clinic=clinic, actor=None, **extra)


def make_visit(clinic, *, patient, practitioner, sign=True, shared=False, **extra):
    from clinicore.records.services import treatment_record_create

    extra.setdefault("diagnosis", "Dental caries, tooth 46")
    extra.setdefault("notes", "Composite filling placed.")
    return treatment_record_create(
        clinic=clinic,
        actor=practitioner.user,
        patient=patient,
        practitioner=practitioner,
        items=[{"catalog_item_id": make_catalog_item(clinic).pk}],
        sign=sign,
        shared_with_patient=shared,
        **extra,
    )


def make_prescription(clinic, *, patient, prescriber, shared=False, **extra):
    from clinicore.records.services import prescription_create

    extra.setdefault(
        "items",
        [
            {
                "medicine": "Amoxicillin",
                "strength": "500 mg",
                "dose": "1 capsule",
                "frequency": "three times a day",
                "duration": "5 days",
                "instructions": "after food",
            }
        ],
    )
    return prescription_create(
        clinic=clinic,
        actor=prescriber.user,
        patient=patient,
        prescriber=prescriber,
        shared_with_patient=shared,
        **extra,
    )


def make_document(
    clinic, *, patient, by, shared=False, title="Complete blood count", data=None, name="cbc.pdf"
):
    from clinicore.records.services import document_upload

    return document_upload(
        clinic=clinic,
        actor=by.user,
        patient=patient,
        upload=SimpleUploadedFile(name, data if data is not None else pdf_bytes()),
        title=title,
        kind="lab_report",
        shared_with_patient=shared,
    )


@object_factory("catalog_item")
def _catalog_item(world, clinic):
    return make_catalog_item(clinic)


@object_factory("treatment_record")
def _treatment_record(world, clinic):
    return make_visit(
        clinic, patient=other_patient(world, clinic), practitioner=doctor_of(world, clinic)
    )


@object_factory("draft_treatment_record")
def _draft_treatment_record(world, clinic):
    return make_visit(
        clinic,
        patient=other_patient(world, clinic),
        practitioner=doctor_of(world, clinic),
        sign=False,
    )


@object_factory("prescription")
def _prescription(world, clinic):
    return make_prescription(
        clinic, patient=other_patient(world, clinic), prescriber=doctor_of(world, clinic)
    )


@object_factory("document")
def _document(world, clinic):
    return make_document(clinic, patient=other_patient(world, clinic), by=doctor_of(world, clinic))


@request_body("POST /api/v1/records/catalog")
def _catalog_create(world, clinic):
    n = next(_seq)
    return {
        "name": f"Scaling {n}",
        "code": f"SCL-{n}",
        "default_price": "1500.00",
        "duration_minutes": 45,
    }


@request_body("PUT /api/v1/records/catalog/{catalog_item_id}")
def _catalog_update(world, clinic):
    return {"default_price": "900.00"}


@request_body("POST /api/v1/records/visits")
def _visit_create(world, clinic):
    return {
        "patient_id": str(other_patient(world, clinic).pk),
        "practitioner_id": str(doctor_of(world, clinic).pk),
        "diagnosis": "Gingivitis",
        "notes": "Scaling done; brushing advice given.",
        "items": [{"catalog_item_id": str(make_catalog_item(clinic).pk)}],
    }


@request_body("PUT /api/v1/records/visits/{treatment_record_id}")
def _visit_update(world, clinic):
    return {"notes": "Review in two weeks."}


@request_body("POST /api/v1/records/visits/{treatment_record_id}/addenda")
def _visit_addendum(world, clinic):
    return {"text": "No pain at day 3."}


@request_body("POST /api/v1/records/visits/{treatment_record_id}/share")
@request_body("POST /api/v1/records/prescriptions/{prescription_id}/share")
@request_body("POST /api/v1/records/documents/{document_id}/share")
def _share(world, clinic):
    return {"shared": True}


@request_body("POST /api/v1/records/prescriptions")
def _prescription_create(world, clinic):
    return {
        "patient_id": str(other_patient(world, clinic).pk),
        "prescriber_id": str(doctor_of(world, clinic).pk),
        "items": [
            {
                "medicine": "Paracetamol",
                "strength": "500 mg",
                "dose": "1 tablet",
                "frequency": "every 6 hours",
            }
        ],
    }


@request_body("POST /api/v1/records/documents")
def _document_upload(world, clinic):
    return {
        "patient_id": str(other_patient(world, clinic).pk),
        "title": "Chest X-ray report",
        "kind": "imaging",
        "filename": "xray.pdf",
        "data_base64": base64.b64encode(pdf_bytes()).decode(),
    }
