"""In a real Chromium against the real server: a doctor writes a visit summary and a prescription
and shares them; the patient finds both in the portal and downloads the prescription as PDF."""

import os

import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.testing import PASSWORD
from clinicore.records.models import Prescription, TreatmentRecord
from clinicore.records.testing import make_catalog_item
from conftest import assert_accessible

pytestmark = pytest.mark.browser


def _sign_in(page, base, user, next_url):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_url}")


def test_a_doctor_shares_a_visit_summary_and_prescription_the_patient_downloads(
    page, asgi_server, world, screenshot_dir
):
    clinic, patient = world.clinic_a, world.patient_a
    doctor = world.member("a", Role.DOCTOR)
    make_catalog_item(clinic, name="Root canal treatment", code="RCT", default_price="6500")

    patient_page = f"/c/{clinic.slug}/desk/patients/{patient.pk}/"
    _sign_in(page, asgi_server, doctor.user, patient_page)
    page.get_by_role("link", name="Records and prescriptions").click()
    page.get_by_role("link", name="Write a visit summary").click()
    page.get_by_label("Root canal treatment").check()
    page.get_by_label("Diagnosis").fill("Irreversible pulpitis, tooth 36")
    page.get_by_label("Clinical notes").fill("Access opened, canals cleaned. Review in one week.")
    page.get_by_label("Sign now").check()
    page.get_by_label("Share with the patient (shown in their portal once signed)").check()
    page.get_by_role("button", name="Save visit summary").click()
    page.get_by_text("The visit summary is saved.").wait_for()
    assert page.get_by_text("Signed", exact=True).first.is_visible()
    assert_accessible(page)
    page.screenshot(path=os.path.join(screenshot_dir, "records-visit-1280.png"), full_page=True)

    page.get_by_role("link", name="Records of").click()
    page.get_by_role("link", name="Write a prescription").click()
    page.fill("#id_line-0-medicine", "Amoxicillin")
    page.fill("#id_line-0-strength", "500 mg")
    page.fill("#id_line-0-dose", "1 capsule")
    page.fill("#id_line-0-frequency", "three times a day")
    page.fill("#id_line-0-duration", "5 days")
    page.get_by_label("Share with the patient").check()
    assert_accessible(page)
    page.get_by_role("button", name="Issue prescription").click()
    page.get_by_text("is issued.").wait_for()
    rx = Prescription.objects.get(patient=patient)
    assert rx.shared_with_patient and rx.items.get().medicine == "Amoxicillin"
    assert TreatmentRecord.objects.get(patient=patient).is_signed

    _sign_in(page, asgi_server, world.patient_user, "/me/records/")
    page.get_by_text("Irreversible pulpitis, tooth 36").wait_for(state="attached")
    page.locator(".records-summary summary").first.click()
    assert page.get_by_text("Irreversible pulpitis, tooth 36").is_visible()
    assert page.get_by_text("Amoxicillin 500 mg").is_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 900})
    page.screenshot(path=os.path.join(screenshot_dir, "records-portal-375.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download PDF {rx.code}").click()
    download = download_info.value
    assert download.suggested_filename == f"{rx.code}.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
