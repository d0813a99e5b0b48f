"""Visit summaries lock when signed, every read and write is audited without health data, and
clinical text never reaches the database as plain text."""

import pytest
from django.db import connection

from clinicore.clinics.permissions import Role
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.core.models import AuditEntry
from clinicore.records import services
from clinicore.records.models import Document, Prescription, PrescriptionItem, TreatmentRecord
from clinicore.records.testing import (
    make_catalog_item,
    make_document,
    make_prescription,
    make_visit,
)

pytestmark = pytest.mark.django_db

SECRET_DIAGNOSIS = "Suspected hypothyroidism, TSH 9.8"
SECRET_MEDICINE = "Levothyroxine"


def _raw(table: str, column: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE id = %s",
            [pk.hex if connection.vendor == "sqlite" else pk],
        )
        return cursor.fetchone()[0]


def test_it_locks_a_visit_summary_once_signed(world):
    doctor = world.member("a", Role.DOCTOR)
    record = make_visit(world.clinic_a, patient=world.patient_a, practitioner=doctor, sign=False)
    services.treatment_record_update(record=record, actor=doctor.user, notes="Filling polished.")
    record = services.treatment_record_sign(record=record, actor=doctor.user)
    assert record.signed_by == doctor.user and record.signed_at is not None

    with pytest.raises(Conflict) as caught:
        services.treatment_record_update(
            record=record, actor=doctor.user, notes="Changed afterwards"
        )
    assert caught.value.code == "treatment_record_signed"
    with pytest.raises(Conflict):
        services.treatment_record_sign(record=record, actor=doctor.user)
    record.refresh_from_db()
    assert record.notes == "Filling polished."

    services.treatment_record_addendum_add(
        record=record, actor=doctor.user, text="Sensitivity resolved at review."
    )
    assert [a.text for a in record.addenda.all()] == ["Sensitivity resolved at review."]


def test_it_refuses_an_addendum_on_a_draft_and_sharing_an_unsigned_summary(world):
    doctor = world.member("a", Role.DOCTOR)
    draft = make_visit(world.clinic_a, patient=world.patient_a, practitioner=doctor, sign=False)
    with pytest.raises(Conflict):
        services.treatment_record_addendum_add(record=draft, actor=doctor.user, text="Too early")
    with pytest.raises(Conflict):
        services.treatment_record_share(record=draft, actor=doctor.user, shared=True)


def test_it_copies_the_catalog_name_and_price_into_the_summary(world):
    doctor = world.member("a", Role.DOCTOR)
    crown = make_catalog_item(
        world.clinic_a, name="Ceramic crown", code="CRN", default_price="9000"
    )
    record = services.treatment_record_create(
        clinic=world.clinic_a,
        actor=doctor.user,
        patient=world.patient_a,
        practitioner=doctor,
        items=[{"catalog_item_id": crown.pk, "quantity": 2}],
    )
    services.catalog_item_update(
        item=crown, actor=None, default_price="9500", name="Zirconia crown"
    )
    item = record.items.get()
    assert (item.name, str(item.price), item.quantity, item.currency) == (
        "Ceramic crown",
        "9000.00",
        2,
        "INR",
    )


def test_it_refuses_treatments_patients_and_practitioners_of_another_clinic(world):
    doctor = world.member("a", Role.DOCTOR)
    other_item = make_catalog_item(world.clinic_b)
    with pytest.raises(InvalidInput):
        services.treatment_record_create(
            clinic=world.clinic_a,
            actor=None,
            patient=world.patient_a,
            practitioner=doctor,
            items=[{"catalog_item_id": other_item.pk}],
        )
    with pytest.raises(InvalidInput):
        services.treatment_record_create(
            clinic=world.clinic_a, actor=None, patient=world.patient_b, practitioner=doctor
        )
    with pytest.raises(InvalidInput):
        services.treatment_record_create(
            clinic=world.clinic_a,
            actor=None,
            patient=world.patient_a,
            practitioner=world.member("b", Role.DOCTOR),
        )


def test_it_lets_only_doctors_and_dentists_prescribe(world):
    with pytest.raises(InvalidInput):
        make_prescription(
            world.clinic_a, patient=world.patient_a, prescriber=world.member("a", Role.NURSE)
        )
    rx = make_prescription(
        world.clinic_a, patient=world.patient_a, prescriber=world.member("a", Role.DENTIST)
    )
    assert rx.code.startswith("RX-") and rx.items.count() == 1


def test_it_stores_no_clinical_text_in_plain_form(world):
    doctor = world.member("a", Role.DOCTOR)
    record = make_visit(
        world.clinic_a, patient=world.patient_a, practitioner=doctor, diagnosis=SECRET_DIAGNOSIS
    )
    services.treatment_record_addendum_add(record=record, actor=doctor.user, text="TSH repeat 7.1")
    rx = make_prescription(
        world.clinic_a,
        patient=world.patient_a,
        prescriber=doctor,
        items=[
            {"medicine": SECRET_MEDICINE, "strength": "50 mcg", "instructions": "empty stomach"}
        ],
        advice="Recheck thyroid in six weeks",
    )
    doc = make_document(world.clinic_a, patient=world.patient_a, by=doctor, title="Thyroid panel")

    assert TreatmentRecord.objects.get(pk=record.pk).diagnosis == SECRET_DIAGNOSIS
    raw_values = [
        _raw("records_treatmentrecord", "diagnosis", record.pk),
        _raw("records_recordaddendum", "text", record.addenda.get().pk),
        _raw("records_prescription", "advice", rx.pk),
        _raw("records_prescriptionitem", "medicine", rx.items.get().pk),
        _raw("records_prescriptionitem", "instructions", rx.items.get().pk),
        _raw("records_document", "title", doc.pk),
    ]
    for raw, plain in zip(
        raw_values,
        [
            SECRET_DIAGNOSIS,
            "TSH repeat 7.1",
            "Recheck thyroid",
            SECRET_MEDICINE,
            "empty stomach",
            "Thyroid panel",
        ],
        strict=True,
    ):
        assert raw and plain not in raw
    assert PrescriptionItem.objects.get(prescription=rx).medicine == SECRET_MEDICINE
    assert Document.objects.get(pk=doc.pk).title == "Thyroid panel"


def test_it_audits_writes_and_reads_with_field_names_only(world):
    doctor = world.member("a", Role.DOCTOR)
    before = AuditEntry.objects.count()
    record = make_visit(
        world.clinic_a, patient=world.patient_a, practitioner=doctor, diagnosis=SECRET_DIAGNOSIS
    )
    services.treatment_record_read(record=record, actor=doctor.user)
    rx = make_prescription(
        world.clinic_a,
        patient=world.patient_a,
        prescriber=doctor,
        items=[{"medicine": SECRET_MEDICINE}],
    )
    services.prescription_read(prescription=rx, actor=doctor.user, pdf=True)
    doc = make_document(world.clinic_a, patient=world.patient_a, by=doctor, title="Thyroid panel")
    services.document_read(document=doc, actor=doctor.user, download=True)

    entries = list(AuditEntry.objects.order_by("id")[before:])
    actions = [e.action for e in entries]
    for action in (
        "treatment_record.create",
        "treatment_record.sign",
        "treatment_record.read",
        "prescription.create",
        "prescription.download",
        "document.upload",
        "document.download",
    ):
        assert action in actions
    create = next(e for e in entries if e.action == "treatment_record.create")
    assert "diagnosis" in create.fields and create.entity_id == str(record.pk)
    assert create.clinic_id == world.clinic_a.pk and create.actor_id == doctor.user.pk
    dumped = repr(
        [(e.action, e.fields, e.entity_type, e.entity_id, e.actor_label) for e in entries]
    )
    for secret in (SECRET_DIAGNOSIS, "TSH", SECRET_MEDICINE, "Thyroid", "Composite"):
        assert secret not in dumped


def test_it_numbers_prescriptions_with_distinct_codes(world):
    doctor = world.member("a", Role.DOCTOR)
    codes = {
        make_prescription(world.clinic_a, patient=world.patient_a, prescriber=doctor).code
        for _ in range(5)
    }
    assert len(codes) == 5
    assert Prescription.objects.filter(clinic=world.clinic_a).count() == 5
