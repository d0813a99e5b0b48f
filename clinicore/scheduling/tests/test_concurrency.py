"""Real concurrency through real HTTP: many simultaneous bookings of one slot on a live server.

Runs on whichever database the suite runs on: on PostgreSQL the per-practitioner row lock and
the exclusion constraint decide; on SQLite the serialized (IMMEDIATE) write transactions do.
"""

import threading

import httpx
import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.testing import bearer, make_clinic, make_member, make_patient
from clinicore.scheduling.models import Appointment
from clinicore.scheduling.testing import local_start, make_practitioner, make_service
from clinicore.scheduling.tests.conftest import audit_triggers_drop

CLIENTS = 60


def _fire(url, requests_):
    """Sends every (headers, body) at once from its own thread; returns the responses."""
    barrier = threading.Barrier(len(requests_))
    results = [None] * len(requests_)

    def worker(i, headers, body):
        with httpx.Client(timeout=60) as client:
            barrier.wait(timeout=60)
            try:
                results[i] = client.post(url, json=body, headers=headers)
            except httpx.HTTPError as exc:  # recorded, and the assertions below fail on it
                results[i] = exc

    threads = [
        threading.Thread(target=worker, args=(i, h, b)) for i, (h, b) in enumerate(requests_)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.fixture
def scene(flushable_audit_log, asgi_server, settings):
    settings.RATE_LIMIT_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    clinic = make_clinic("race-clinic")
    service = make_service(clinic, name="Consultation", buffer_after_minutes=10)
    doctor = make_practitioner(clinic, services_=[service])
    receptionist = make_member(clinic, Role.RECEPTIONIST)
    yield asgi_server, clinic, service, doctor, bearer(receptionist.user, clinic)
    audit_triggers_drop()


def test_it_books_one_slot_exactly_once_under_sixty_simultaneous_requests(scene):
    base, clinic, service, doctor, headers = scene
    start = local_start(clinic)
    requests_ = []
    for _ in range(CLIENTS):
        patient = make_patient(clinic)
        body = {
            "patient_id": str(patient.pk),
            "practitioner_id": str(doctor.pk),
            "service_id": str(service.pk),
            "start": start.isoformat(),
        }
        requests_.append((headers, body))
    responses = _fire(f"{base}/api/v1/appointments", requests_)
    assert all(isinstance(r, httpx.Response) for r in responses), [
        r for r in responses if not isinstance(r, httpx.Response)
    ]
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == CLIENTS - 1, statuses
    for r in responses:
        if r.status_code == 409:
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["code"] == "slot_unavailable"
            assert "no longer available" in r.json()["detail"]
    assert Appointment.objects.filter(practitioner=doctor).count() == 1


def test_it_creates_one_appointment_for_simultaneous_repeats_of_one_idempotency_key(scene):
    base, clinic, service, doctor, headers = scene
    patient = make_patient(clinic)
    body = {
        "patient_id": str(patient.pk),
        "practitioner_id": str(doctor.pk),
        "service_id": str(service.pk),
        "start": local_start(clinic, 2).isoformat(),
    }
    keyed = {**headers, "Idempotency-Key": "retry-storm-1"}
    responses = _fire(f"{base}/api/v1/appointments", [(keyed, body)] * 20)
    assert all(isinstance(r, httpx.Response) for r in responses)
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {200, 201}, statuses
    assert len({r.json()["id"] for r in responses}) == 1
    assert Appointment.objects.filter(patient=patient).count() == 1
