"""Fixtures for notifications tests: fast password hashing (the world has many people)."""

import pytest


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fake_telegram(settings):
    """Telegram's Bot API on 127.0.0.1 for the bot token "123:bot-token"."""
    from clinicore.notifications.tests.fakes import FakeTelegram

    fake = FakeTelegram("123:bot-token").start()
    settings.TELEGRAM_API_BASE_URL = fake.url
    yield fake
    fake.stop()
