"""Faults: a provider that fails or hangs, a circuit that opens and closes, a worker process
killed mid-delivery. Every message is delivered in the end, and none twice."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import urlparse, urlunparse

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from clinicore.notifications import delivery, services
from clinicore.notifications.models import Channel, DeliveryAttempt, OutboxMessage, ProviderCircuit
from clinicore.notifications.services import Recipient
from clinicore.notifications.tests.fakes import FakeTwilio

Status = OutboxMessage.Status
SID = "AC" + "2" * 32


@pytest.fixture
def twilio(settings, db):
    fake = FakeTwilio(SID, "tok").start()
    settings.TWILIO_API_BASE_URL = fake.url
    settings.NOTIFY_BACKOFF_BASE_SECONDS = 0.01
    settings.NOTIFY_BACKOFF_MAX_SECONDS = 0.05
    settings.NOTIFY_MAX_ATTEMPTS = 20
    settings.NOTIFY_CIRCUIT_THRESHOLD = 1000
    yield fake
    fake.stop()


def _account(clinic):
    return services.channel_account_set(
        clinic=clinic,
        channel="sms",
        provider="twilio",
        config={"account_sid": SID, "from_number": "+15005550006"},
        secrets_={"auth_token": "tok"},
    )


def _queue(clinic, n):
    for i in range(n):
        services.notify(
            clinic=clinic,
            event="payment_received",
            recipient=Recipient(key=f"patient:{i}", name=f"P{i}", phone=f"+9198000000{i:02d}"),
            context={"amount": "10.00", "currency": "INR"},
            channels=[Channel.SMS],
        )


def _drain(max_rounds=200):
    for _ in range(max_rounds):
        if not OutboxMessage.objects.exclude(status__in=[Status.SENT, Status.FAILED]).exists():
            return
        delivery.deliver_due()
        time.sleep(0.02)
    raise AssertionError("messages were not delivered in time")


def _delivered_once(fake, n):
    numbers = [m["To"] for m in fake.accepted]
    assert len(numbers) == n, numbers
    assert len(set(numbers)) == n, "a message reached the provider twice"
    sids = set(OutboxMessage.objects.values_list("provider_message_id", flat=True))
    assert sids == {m["sid"] for m in fake.accepted}


def test_it_retries_through_provider_errors_and_delivers_each_message_once(world, twilio):
    _account(world.clinic_a)
    _queue(world.clinic_a, 4)
    twilio.fail_next(7)
    _drain()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    _delivered_once(twilio, 4)
    assert sum(OutboxMessage.objects.values_list("attempts", flat=True)) == 4 + 7
    retried = DeliveryAttempt.objects.filter(outcome=DeliveryAttempt.Outcome.RETRY)
    assert retried.count() == 7 and all("500" in a.error for a in retried)


def test_it_retries_a_hanging_provider_without_sending_twice(world, twilio, settings):
    settings.NOTIFY_PROVIDER_TIMEOUT_SECONDS = 0.3
    _account(world.clinic_a)
    _queue(world.clinic_a, 3)
    twilio.hang(1.0)
    assert delivery.deliver_due() == {"retry": 3}  # each call timed out
    assert OutboxMessage.objects.filter(last_error__icontains="could not be reached").count() == 3
    twilio.hang(0)
    time.sleep(1.2)  # the provider finishes with the abandoned requests (and drops them)
    _drain()
    assert twilio.dropped == 3
    _delivered_once(twilio, 3)


def test_it_opens_the_circuit_after_repeated_failures_and_closes_it_after_a_good_probe(
    world, twilio, settings
):
    settings.NOTIFY_CIRCUIT_THRESHOLD = 3
    settings.NOTIFY_CIRCUIT_OPEN_SECONDS = 60
    account = _account(world.clinic_a)
    key = f"sms:twilio:{account.pk}"
    _queue(world.clinic_a, 6)
    twilio.fail_next(1000)
    counts = delivery.deliver_due()
    assert twilio.requests == 3, "the open circuit must stop calls to the provider"
    assert counts == {"retry": 3, "deferred": 3}
    assert ProviderCircuit.objects.get(key=key).state == ProviderCircuit.State.OPEN
    attempts_before = sum(OutboxMessage.objects.values_list("attempts", flat=True))
    delivery.deliver_due()
    assert (
        twilio.requests == 3
        and sum(OutboxMessage.objects.values_list("attempts", flat=True)) == attempts_before
    )

    twilio.fail_next(0)
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=True):
        _drain()
    assert ProviderCircuit.objects.get(key=key).state == ProviderCircuit.State.CLOSED
    _delivered_once(twilio, 6)


def _subprocess_database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return "sqlite:///" + name
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path="/" + name))


def _spawn(args, env):
    return subprocess.Popen(
        [sys.executable, str(django_settings.BASE_DIR / "manage.py"), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_it_delivers_exactly_once_when_the_worker_is_killed_mid_delivery(
    transactional_db, settings
):
    from clinicore.core.testing import make_clinic

    fake = FakeTwilio(SID, "tok").start()
    procs = []
    try:
        clinic = make_clinic("killed-worker")
        _account(clinic)
        env = {
            **os.environ,
            "CLINICORE_ENV": "test",
            "DATABASE_URL": _subprocess_database_url(),
            "TWILIO_API_BASE_URL": fake.url,
            "NOTIFY_LEASE_SECONDS": "20",
            "NOTIFY_PROVIDER_TIMEOUT_SECONDS": "10",
            "NOTIFY_SWEEP_SECONDS": "1",
            "SCHEDULER_TICK_SECONDS": "0.2",
            "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
        }
        fake.hang(3.0)
        _queue(clinic, 1)  # committed: the delivery task is in the queue
        worker = _spawn(["db_worker", "--no-reload", "--queue-name", "*", "--interval", "0.1"], env)
        procs.append(worker)
        assert fake.in_flight.wait(60), "the worker never called the provider"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        message = OutboxMessage.objects.get()
        assert message.status == Status.SENDING and message.attempts == 1

        fake.hang(0)
        procs.append(
            _spawn(["db_worker", "--no-reload", "--queue-name", "*", "--interval", "0.1"], env)
        )
        procs.append(_spawn(["scheduler"], env))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            message.refresh_from_db()
            if message.status == Status.SENT:
                break
            time.sleep(0.2)
        assert message.status == Status.SENT, f"still {message.status}: {message.last_error}"
        time.sleep(3.5)  # let the provider finish with the killed worker's request
        assert fake.dropped == 1
        assert len(fake.accepted) == 1 and message.provider_message_id == fake.accepted[0]["sid"]
        assert message.attempts == 2
        assert list(
            DeliveryAttempt.objects.values_list("outcome", flat=True).order_by("number")
        ) == [DeliveryAttempt.Outcome.STARTED, DeliveryAttempt.Outcome.SENT]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        fake.stop()
