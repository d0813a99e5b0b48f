"""The OpenAPI document tells the truth: one schema per name, and every operation lists the
problem answers the shared layers can give."""

import json

import pytest
from ninja.openapi.schema import OpenAPISchema

from clinicore.api.core import api


class _CollisionRecorder(OpenAPISchema):
    """Ninja merges each model's definitions by class name; two different classes of one name
    would silently overwrite each other, and operations would document the wrong shape."""

    def add_schema_definitions(self, definitions: dict) -> None:
        seen = self.__dict__.setdefault("seen", {})
        clashes = self.__dict__.setdefault("clashes", set())
        for name, definition in definitions.items():
            body = json.dumps(definition, sort_keys=True)
            if seen.setdefault(name, body) != body:
                clashes.add(name)
        super().add_schema_definitions(definitions)


def test_it_gives_each_schema_its_own_name():
    document = _CollisionRecorder(api, "/api/v1/")
    assert not document.clashes, (
        f"Schemas of the same class name but different fields: {sorted(document.clashes)}. "
        "Rename one class (e.g. prefix it with its app's noun)."
    )


@pytest.mark.django_db
def test_it_documents_problem_answers_on_every_operation(client):
    document = client.get("/api/v1/openapi.json").json()
    assert "Problem" in document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"401", "404", "422", "429"} <= set(responses), f"{method} {path}"
            if operation.get("x-permission") != "public":
                assert "403" in responses, f"{method} {path}"


@pytest.mark.django_db
def test_it_refuses_nul_characters_with_a_field_message(api, world):
    response = api.post(
        "/api/v1/patients",
        {"first_name": "Asha\x00", "last_name": "Rao", "phone": "+91 9800000001"},
        headers=world.headers("a", "owner"),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["fields"] == {"first_name": "Text must not contain NUL characters."}


@pytest.mark.django_db
def test_it_refuses_an_offset_beyond_any_list(api, world):
    response = api.get("/api/v1/patients", headers=world.headers("a", "owner"), offset=10**20)
    assert response.status_code == 422
    assert "offset" in response.json()["fields"]


@pytest.mark.django_db
def test_it_refuses_a_time_of_day_with_an_offset(api, world):
    response = api.post(
        "/api/v1/notifications/preferences",
        {
            "channel": "sms",
            "opted_in": True,
            "quiet_hours_start": "21:00+05:30",
            "quiet_hours_end": "08:00",
        },
        headers=world.headers("a", "owner"),
    )
    assert response.status_code == 422
    assert "quiet_hours_start" in response.json()["fields"]


def test_it_documents_times_of_day_without_an_offset(client):
    document = json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"))
    assert '"format": "time"' not in document
    assert '"format": "partial-time"' in document


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_it_answers_an_unknown_api_address_with_a_problem(client, method):
    response = getattr(client, method)("/api/v1/patients/not-a-uuid/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
