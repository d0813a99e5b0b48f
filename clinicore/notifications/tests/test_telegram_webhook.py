"""`manage.py telegram_webhook set|info|delete` against a local server speaking the Bot API, and
the updates Telegram then posts, checked by the secret token the command registered."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clinicore.notifications import services
from clinicore.notifications.models import TelegramLink
from clinicore.notifications.providers import telegram
from clinicore.notifications.providers.base import ProviderError

pytestmark = pytest.mark.django_db

PUBLIC = "https://clinic.example.test"


@pytest.fixture
def bot(world, settings):
    settings.PUBLIC_BASE_URL = PUBLIC
    return services.channel_account_set(
        clinic=world.clinic_a,
        channel="telegram",
        provider="telegram_bot",
        config={"bot_username": "clinic_a_bot"},
        secrets_={"bot_token": "123:bot-token"},
    )


def _run(*args) -> str:
    out = StringIO()
    call_command("telegram_webhook", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _start_update(link) -> dict:
    return {
        "update_id": 10,
        "message": {
            "message_id": 1,
            "chat": {"id": 900100, "type": "private"},
            "from": {"id": 900100, "first_name": "Tara"},
            "text": f"/start {link.token}",
        },
    }


def test_it_sets_the_webhook_that_telegram_then_calls_with_the_secret_token(
    fake_telegram, bot, world, client
):
    output = _run("set")
    hook = f"{PUBLIC}/hooks/telegram/{bot.pk}"
    assert f"@clinic_a_bot (Clinic A): webhook set to {hook}" in output
    assert fake_telegram.webhook["url"] == hook
    assert fake_telegram.webhook["allowed_updates"] == ["message"]
    secret = fake_telegram.webhook["secret_token"]
    assert secret and secret not in output  # the token is never printed

    # Telegram posts the patient's /start to that address with the registered token.
    link = services.telegram_link_start(clinic=world.clinic_a, recipient_key="patient:tg")
    path = hook.removeprefix(PUBLIC)
    forged = client.post(
        path,
        _start_update(link),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": "not-the-token"},
    )
    assert forged.status_code == 403
    missing = client.post(path, _start_update(link), content_type="application/json")
    assert missing.status_code == 403
    ok = client.post(
        path,
        _start_update(link),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": secret},
    )
    assert ok.status_code == 200
    assert TelegramLink.objects.get(pk=link.pk).chat_id == "900100"


def test_it_shows_and_deletes_the_webhook(fake_telegram, bot):
    assert "no webhook set" in _run("info")
    _run("set")
    info = _run("info")
    assert f"webhook {PUBLIC}/hooks/telegram/{bot.pk}" in info
    assert "pending updates: 0" in info and "expected" not in info
    assert "webhook deleted" in _run("delete", "--drop-pending-updates")
    assert fake_telegram.webhook == {}
    assert "no webhook set" in _run("info")
    assert fake_telegram.calls == [
        "getWebhookInfo",
        "setWebhook",
        "getWebhookInfo",
        "deleteWebhook",
        "getWebhookInfo",
    ]


def test_it_points_out_a_webhook_set_elsewhere(fake_telegram, bot, settings):
    _run("set")
    settings.PUBLIC_BASE_URL = "https://new-home.example.test"
    assert f"(expected https://new-home.example.test/hooks/telegram/{bot.pk})" in _run("info")


def test_it_refuses_a_public_address_telegram_would_refuse(fake_telegram, bot, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    with pytest.raises(CommandError, match="1 of 1"):
        _run("set")
    assert "setWebhook" not in fake_telegram.calls
    # Telegram itself answers 400 to a plain-HTTP address, and the error says why.
    with pytest.raises(ProviderError, match="HTTPS URL must be provided"):
        telegram._bot_call(bot, "setWebhook", {"url": "http://127.0.0.1:8000/hooks/x"})


def test_it_reports_a_bot_token_telegram_does_not_know(fake_telegram, bot):
    services.channel_account_set(
        clinic=bot.clinic,
        channel="telegram",
        provider="telegram_bot",
        config={"bot_username": "clinic_a_bot"},
        secrets_={"bot_token": "999:revoked"},
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("telegram_webhook", "set", stdout=StringIO(), stderr=err)
    assert "Telegram answered 404" in err.getvalue()
    assert fake_telegram.webhook == {}


def test_it_acts_on_one_account_when_asked(fake_telegram, bot):
    assert "@clinic_a_bot" in _run("set", "--account", str(bot.pk))
    with pytest.raises(CommandError, match="No active Telegram bot account has the id"):
        _run("info", "--account", "not-an-id")
