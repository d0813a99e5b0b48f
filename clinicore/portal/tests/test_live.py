"""Live appointment status in the portal: who may watch which appointment, what reaches them, and
the page that shows the clinic's change without a reload."""

import json
import os
from datetime import timedelta

import httpx
import pytest
from django.conf import settings
from django.test import Client
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from clinicore.clinics.permissions import Role
from clinicore.core.testing import bearer, make_user
from clinicore.scheduling.testing import book

TIMEOUT = 30  # generous: the server shares a busy machine
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _open(base, query="", *, user=None, token=None):
    url = base.replace("http://", "ws://") + "/ws/me/appointments/" + query
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={_session(user)}"} if user else {}
    kwargs = {"origin": base, "additional_headers": headers, "open_timeout": TIMEOUT}
    if token:
        kwargs["subprotocols"] = ["bearer", token]
    return connect(url, **kwargs)


def _refused(base, query="", **kwargs) -> int:
    with pytest.raises(InvalidStatus) as info, _open(base, query, **kwargs):
        pass
    return info.value.response.status_code


def _next(ws, event: str) -> dict:
    for _ in range(20):
        data = json.loads(ws.recv(timeout=TIMEOUT))
        if data.get("event") == event:
            return data
    raise AssertionError(f"no {event} event")


def _staff(base, world, path: str, body=None, method="POST") -> httpx.Response:
    """A receptionist of clinic A changes an appointment through the REST API of the server."""
    headers = bearer(world.member("a", Role.RECEPTIONIST).user, world.clinic_a)
    response = httpx.request(method, base + path, json=body, headers=headers, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response


@pytest.fixture
def visits(world):
    return {
        "mine": book(world.clinic_a, patient=world.patient_a),
        "bela": book(world.clinic_a, patient=world.other_patient_a),
        "clinic_b": book(world.clinic_b, patient=world.patient_b),
    }


def test_it_lets_a_patient_watch_only_their_own_appointments(asgi_server, world, visits):
    mine, bela, other_clinic = visits["mine"], visits["bela"], visits["clinic_b"]
    with _open(asgi_server, f"?appointment={mine.pk}", user=world.patient_user) as ws:
        assert _next(ws, "ready")["appointment_id"] == str(mine.pk)
    with _open(asgi_server, user=world.patient_user) as ws:
        assert _next(ws, "ready") == {"event": "ready"}

    assert _refused(asgi_server, f"?appointment={bela.pk}", user=world.patient_user) == 403
    assert _refused(asgi_server, f"?appointment={other_clinic.pk}", user=world.patient_user) == 403
    assert _refused(asgi_server, "?appointment=not-an-id", user=world.patient_user) == 403
    assert _refused(asgi_server, f"?appointment={mine.pk}") == 403  # not signed in
    # A token bound to clinic B is no good for the person's appointment at clinic A.
    token_b = bearer(world.patient_user, world.clinic_b)["Authorization"].split()[1]
    assert _refused(asgi_server, f"?appointment={mine.pk}", token=token_b) == 403
    token_a = bearer(world.patient_user, world.clinic_a)["Authorization"].split()[1]
    with _open(asgi_server, f"?appointment={mine.pk}", token=token_a) as ws:
        assert _next(ws, "ready")["appointment_id"] == str(mine.pk)


def test_it_tells_each_patient_only_about_their_own_appointments(asgi_server, world, visits):
    mine, bela = visits["mine"], visits["bela"]
    bela_user = make_user("bela@example.test")
    bela.patient.user = bela_user
    bela.patient.save(update_fields=["user"])
    with (
        _open(asgi_server, f"?appointment={mine.pk}", user=world.patient_user) as mine_ws,
        _open(asgi_server, user=bela_user) as bela_ws,
    ):
        _next(mine_ws, "ready")
        _next(bela_ws, "ready")
        _staff(asgi_server, world, f"/api/v1/appointments/{bela.pk}/confirm")
        _staff(asgi_server, world, f"/api/v1/appointments/{mine.pk}/confirm")
        # Asha's page hears of her appointment only; Bela's list of hers only.
        assert _next(mine_ws, "appointment.changed") == {
            "event": "appointment.changed",
            "appointment_id": str(mine.pk),
        }
        assert _next(bela_ws, "appointment.changed")["appointment_id"] == str(bela.pk)
        _staff(asgi_server, world, f"/api/v1/appointments/{mine.pk}", method="DELETE")
        assert _next(mine_ws, "appointment.changed")["appointment_id"] == str(mine.pk)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_appointment_page_shows_the_clinics_change_without_a_reload(
    browser, asgi_server, world, visits, viewport, screenshot_dir
):
    mine = visits["mine"]
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], base_url=asgi_server, locale="en-US"
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": _session(world.patient_user),
                "url": asgi_server,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT * 1000)
    try:
        page.goto(f"/me/appointments/{mine.pk}/")
        status = page.locator("[data-appointment-status]")
        assert status.inner_text() == "Scheduled"
        page.wait_for_selector("[data-live-ws][data-live=on]")
        page.evaluate("() => { window.notReloaded = true; }")

        _staff(asgi_server, world, f"/api/v1/appointments/{mine.pk}/confirm")
        page.wait_for_selector("[data-appointment-status=confirmed]")
        assert status.inner_text() == "Confirmed"
        page.screenshot(
            path=os.path.join(screenshot_dir, f"portal-live-status-{viewport}.png"), full_page=True
        )

        moved = _staff(
            asgi_server,
            world,
            f"/api/v1/appointments/{mine.pk}/reschedule",
            {"start": (mine.start + timedelta(hours=2)).isoformat()},
        ).json()
        page.wait_for_selector("[data-appointment-status=rescheduled]")
        new_link = page.get_by_role("link", name="See the new time")
        assert new_link.get_attribute("href") == f"/me/appointments/{moved['id']}/"
        assert page.evaluate("() => window.notReloaded === true")
        page.screenshot(
            path=os.path.join(screenshot_dir, f"portal-live-moved-{viewport}.png"), full_page=True
        )

        page.goto("/me/appointments/")
        page.wait_for_selector("[data-live-ws][data-live=on]")
        _staff(asgi_server, world, f"/api/v1/appointments/{moved['id']}/confirm")
        page.wait_for_selector(
            f"[data-appointment-row='{moved['id']}'] [data-appointment-status=confirmed]"
        )
        page.screenshot(
            path=os.path.join(screenshot_dir, f"portal-live-list-{viewport}.png"), full_page=True
        )
    finally:
        context.close()
