"""Two headless Chromium pages with fake camera and microphone hold a real WebRTC video visit.

Only loopback candidates are relayed (TELEHEALTH_ALLOWED_CANDIDATE_NETS=127.0.0.0/8), so the media
flows over 127.0.0.1 and never to the machine's other addresses.
"""

import os

import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.testing import make_patient, make_user
from clinicore.scheduling.models import Appointment
from clinicore.telehealth.testing import make_video_appointment

CONNECT_MS = 60_000


def _page_for(browser, base, session_key, screenshot_dir=None):
    # bypass_csp only lets the test poll the page with its own expressions; the app runs as served.
    context = browser.new_context(base_url=base, bypass_csp=True)
    context.add_cookies([{"name": "sessionid", "value": session_key, "url": base}])
    return context, context.new_page()


@pytest.fixture
def visit(world):
    return make_video_appointment(
        world.clinic_a, patient=world.patient_a, practitioner=world.member("a", Role.DOCTOR)
    )


def test_it_connects_patient_and_practitioner_on_video(
    asgi_server, browser, world, visit, session_for, settings, screenshot_dir
):
    settings.TELEHEALTH_ALLOWED_CANDIDATE_NETS = ["127.0.0.0/8"]
    doctor = world.member("a", Role.DOCTOR)
    patient_ctx, patient = _page_for(browser, asgi_server, session_for(world.patient_user))
    doctor_ctx, practitioner = _page_for(browser, asgi_server, session_for(doctor.user))
    try:
        patient.goto(f"/me/visits/{visit.pk}/video/")
        patient.wait_for_selector('[data-video][data-state="waiting"]', timeout=CONNECT_MS)

        practitioner.goto(f"/c/{world.clinic_a.slug}/desk/video/{visit.pk}/")
        admit = practitioner.locator('[data-action="admit"]')
        admit.wait_for(state="visible", timeout=CONNECT_MS)
        admit.click()

        for page in (patient, practitioner):
            page.wait_for_selector('[data-video][data-connection="connected"]', timeout=CONNECT_MS)
            page.wait_for_selector('[data-video][data-remote-track="video"]', timeout=CONNECT_MS)
            page.wait_for_function(
                "document.querySelector('video[data-remote-video]').videoWidth > 0",
                timeout=CONNECT_MS,
            )
            received = page.evaluate(
                "Array.from(document.querySelector('[data-video]').receivedCandidates)"
            )
            assert received, "no ICE candidate reached this page"
            assert all(" 127.0.0.1 " in c for c in received), received
        visit.refresh_from_db()
        assert visit.status == Appointment.Status.IN_PROGRESS
        practitioner.screenshot(path=os.path.join(screenshot_dir, "video-visit-practitioner.png"))

        # The chat beside the video works in the same page.
        patient.fill("[data-chat-text]", "Can you hear me?")
        patient.keyboard.press("Enter")
        practitioner.wait_for_selector("text=Can you hear me?", timeout=CONNECT_MS)

        practitioner.click('[data-action="end"]')
        patient.wait_for_selector('[data-video][data-state="ended"]', timeout=CONNECT_MS)
        visit.refresh_from_db()
        assert visit.status == Appointment.Status.COMPLETED
    finally:
        patient_ctx.close()
        doctor_ctx.close()


def test_it_refuses_a_third_person(asgi_server, browser, world, visit, session_for):
    outsider = make_user("third@example.test")
    make_patient(world.clinic_a, user=outsider)
    ctx, page = _page_for(browser, asgi_server, session_for(world.member("a", Role.DENTIST).user))
    try:
        page.goto(f"/c/{world.clinic_a.slug}/desk/video/{visit.pk}/")
        assert page.locator("[data-video]").count() == 0
        assert page.locator("[data-room-closed]").is_visible()
        response = page.goto(f"/me/visits/{visit.pk}/video/")
        assert response.status == 404
    finally:
        ctx.close()
    ctx, page = _page_for(browser, asgi_server, session_for(outsider))
    try:
        assert page.goto(f"/me/visits/{visit.pk}/video/").status == 404
    finally:
        ctx.close()
