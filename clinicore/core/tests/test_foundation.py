"""Foundation invariants: probes, money, encryption at rest, audit log append-only."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from clinicore.core import crypto
from clinicore.core.audit import audit_record
from clinicore.core.models import AuditEntry
from clinicore.core.money import CurrencyMismatch, Money, from_minor, to_minor


def test_it_answers_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_it_reports_ready_when_every_dependency_answers(client):
    response = client.get("/ready")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "task_queue"}


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(10.5, "INR")
    with pytest.raises(CurrencyMismatch):
        Money(Decimal("1"), "INR") + Money(Decimal("1"), "USD")
    assert to_minor(Decimal("499.5"), "INR") == 49950
    assert from_minor(49950, "INR") == Decimal("499.50")
    assert to_minor(Decimal("1200"), "JPY") == 1200


@pytest.mark.django_db
def test_clinical_text_is_not_stored_in_plain_text(world):
    from clinicore.patients.services import patient_update

    patient_update(
        patient=world.patient_a,
        allergies="Penicillin anaphylaxis",
        medical_history="Asthma since 2009",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT allergies, medical_history FROM patients_patient WHERE id = %s",
            [world.patient_a.pk.hex if connection.vendor == "sqlite" else world.patient_a.pk],
        )
        allergies, history = cursor.fetchone()
    assert "Penicillin" not in allergies and allergies.startswith(crypto.PREFIX)
    assert "Asthma" not in history
    world.patient_a.refresh_from_db()
    assert world.patient_a.allergies == "Penicillin anaphylaxis"


def test_encryption_keys_rotate(settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    stored = crypto.encrypt_text("Type 2 diabetes")
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    rotated = crypto.rotate_text(stored)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt_text(rotated) == "Type 2 diabetes"
    with pytest.raises(ValueError):
        crypto.decrypt_text(stored)


@pytest.mark.django_db
def test_audit_log_refuses_update_and_delete_even_in_sql():
    entry = audit_record(action="patient.read", entity_type="patient", entity_id="x")
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "patient.read"


def test_security_headers_on_pages(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Request-ID"]


def test_passwords_are_hashed_with_argon2_outside_tests():
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='clinicore.settings'; django.setup();"
        "from django.contrib.auth.hashers import make_password; print(make_password('x').split('$')[0])"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "CLINICORE_ENV"}
    env["CLINICORE_ENV"] = "embedded"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "argon2"


def test_production_refuses_the_default_secret_key():
    import os
    import subprocess
    import sys

    env = {**os.environ, "CLINICORE_ENV": "production", "SECRET_KEY": ""}
    env.pop("SECRET_KEY")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='clinicore.settings'; import django; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0
    assert "SECRET_KEY must be set" in out.stderr
