"""The demo clinics get a treatment catalog and signed, shared summaries and prescriptions."""

from io import StringIO

import pytest
from django.core.management import call_command

from clinicore.clinics.models import Clinic
from clinicore.records.models import Prescription, TreatmentCatalogItem, TreatmentRecord

pytestmark = pytest.mark.django_db


def test_it_seeds_a_catalog_and_shared_records_for_completed_visits():
    call_command("seed_demo", stdout=StringIO())
    for slug in ("sunrise", "brightsmile"):
        clinic = Clinic.objects.get(slug=slug)
        codes = set(
            TreatmentCatalogItem.objects.filter(clinic=clinic).values_list("code", flat=True)
        )
        assert {"CONS", "RCT", "CRN", "PHY", "ECG", "BLD"} <= codes
        records = TreatmentRecord.objects.filter(clinic=clinic)
        assert records.filter(signed_at__isnull=False, shared_with_patient=True).exists()
        assert all(
            r.appointment.status == "completed" for r in records.select_related("appointment")
        )
        assert Prescription.objects.filter(clinic=clinic, shared_with_patient=True).exists()
