"""Patient pages in a real Chromium: a receptionist finds, opens and edits a patient; a doctor
sees the clinical fields the receptionist does not."""

import os

import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.testing import PASSWORD
from clinicore.patients.services import patient_update

pytestmark = pytest.mark.browser


def _sign_in(page, base, user, next_url):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_url}")


def _shots(page, screenshot_dir, name):
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(
            path=os.path.join(screenshot_dir, f"patients-{name}-{width}.png"), full_page=True
        )


def test_a_receptionist_searches_opens_and_edits_and_a_doctor_sees_clinical_fields(
    page, asgi_server, world, screenshot_dir
):
    patient_update(
        patient=world.patient_a,
        last_name="Verma",
        allergies="Penicillin — anaphylaxis",
        current_medications="Salbutamol inhaler as needed",
        medical_history="Childhood asthma",
    )
    list_url = f"/c/{world.clinic_a.slug}/desk/patients/"
    receptionist = world.member("a", Role.RECEPTIONIST).user
    _sign_in(page, asgi_server, receptionist, list_url)

    page.fill("#patient-q", "Verm")  # live search: results change without pressing Search
    page.wait_for_url("**q=Verm**")
    results = page.locator("#patient-results")
    assert results.get_by_role("link", name="Asha Verma").is_visible()
    assert results.get_by_text("Bela").count() == 0
    _shots(page, screenshot_dir, "search")

    results.get_by_role("link", name="Asha Verma").click()
    page.wait_for_url(f"**/patients/{world.patient_a.pk}/")
    assert page.get_by_role("heading", name="Asha Verma").is_visible()
    assert page.locator(".alert-allergy").count() == 0
    assert page.get_by_text("Penicillin").count() == 0
    assert page.get_by_text("Clinical details are visible to clinicians only.").is_visible()

    page.get_by_role("link", name="Edit").click()
    page.fill("#id_phone", "phone?")
    page.get_by_role("button", name="Save changes").click()
    assert page.locator(".field-invalid #id_phone").is_visible()
    assert page.get_by_text("Use digits, spaces, +, - and brackets only.").is_visible()
    _shots(page, screenshot_dir, "edit-error")
    page.fill("#id_phone", "+91 98765 43210")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/patients/{world.patient_a.pk}/")
    assert page.get_by_text("Changes saved.").is_visible()
    assert page.get_by_role("link", name="+91 98765 43210").is_visible()

    doctor = world.member("a", Role.DOCTOR).user
    _sign_in(page, asgi_server, doctor, f"{list_url}{world.patient_a.pk}/")
    allergy = page.locator(".alert-allergy")
    assert allergy.is_visible() and "Penicillin — anaphylaxis" in allergy.inner_text()
    assert page.get_by_text("Salbutamol inhaler as needed").is_visible()
    assert page.get_by_text("Childhood asthma").is_visible()
    _shots(page, screenshot_dir, "detail-doctor")

    owner = world.member("a", Role.ADMIN).user
    _sign_in(page, asgi_server, owner, f"{list_url}{world.patient_a.pk}/")
    log = page.locator(".access-log")
    assert receptionist.email in log.inner_text() and doctor.email in log.inner_text()
    _shots(page, screenshot_dir, "detail-access-log")
