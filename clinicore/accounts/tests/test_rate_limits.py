"""Rate limits: the API per address and per caller, and the much lower sign-in limits."""

import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_answers_429_with_retry_after_past_the_api_limit(api, world, settings):
    settings.RATE_LIMIT_API_PER_MINUTE = 5
    headers = world.headers("a", Role.RECEPTIONIST)
    statuses = [api.get("/api/v1/patients", headers=headers).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = api.get("/api/v1/patients", headers=headers)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_it_limits_each_caller_apart_from_the_address(api, world, settings):
    settings.RATE_LIMIT_API_PER_MINUTE = 3
    nurse = world.headers("a", Role.NURSE)
    statuses = []
    for n in range(4):
        # A new address each time: only the per-caller limit can stop the fourth call.
        statuses.append(
            api.client.get(
                "/api/v1/patients", headers=nurse, REMOTE_ADDR=f"10.0.0.{n + 1}"
            ).status_code
        )
    assert statuses == [200, 200, 200, 429]
    other = api.client.get(
        "/api/v1/patients", headers=world.headers("a", Role.DOCTOR), REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 200


def test_it_limits_sign_in_attempts_on_the_api(api, world, settings):
    settings.RATE_LIMIT_AUTH_PER_MINUTE = 3
    body = {"email": world.patient_user.email, "password": PASSWORD}
    statuses = [api.post("/api/v1/auth/login", body).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert api.post("/api/v1/auth/password/reset", {"email": "x@example.test"}).status_code == 429


def test_it_shows_a_friendly_page_past_the_sign_in_limit(client, world, settings):
    settings.RATE_LIMIT_AUTH_PER_MINUTE = 2
    for _ in range(2):
        client.post("/accounts/login/", {"username": world.patient_user.email, "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": world.patient_user.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Slow down a little" in response.content.decode()
    assert "Retry-After" in response
    # Reading the page is not limited.
    assert client.get("/accounts/login/").status_code == 200
