"""The workspace page where a clinic gives its own provider accounts (secrets write-only), and
the Outbox link in the workspace navigation for the roles that manage messages."""

import json

import pytest
from django.db import connection

from clinicore.clinics.permissions import Role
from clinicore.core.models import AuditEntry
from clinicore.notifications.models import ChannelAccount

pytestmark = pytest.mark.django_db

SID = "AC" + "2" * 32


def _url(world, clinic="a"):
    slug = world.clinic_a.slug if clinic == "a" else world.clinic_b.slug
    return f"/c/{slug}/desk/outbox/channels/"


def test_it_sets_the_clinics_twilio_account_and_never_shows_the_token(world, client):
    client.force_login(world.member("a", Role.MANAGER).user)
    page = client.get(_url(world)).content.decode()
    assert "Message channels" in page and 'data-testid="channel-sms-current">Sandbox' in page

    response = client.post(
        _url(world),
        {
            "channel": "sms",
            "provider": "twilio",
            "sms-account_sid": SID,
            "sms-from_number": "+15005550006",
            "sms-auth_token": "twilio-secret-token",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "SMS now goes through twilio." in page
    assert 'data-testid="channel-sms-current">twilio' in page
    assert SID in page and "twilio-secret-token" not in page
    assert "Stored. Leave empty to keep it." in page
    account = ChannelAccount.objects.get(clinic=world.clinic_a, channel="sms")
    assert account.config == {"account_sid": SID, "from_number": "+15005550006"}
    assert account.secret("auth_token") == "twilio-secret-token"
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute(
            "SELECT secrets FROM notifications_channelaccount WHERE id = %s", [account.pk.hex]
        )
        stored = cursor.fetchone()[0]
    assert stored and "twilio-secret-token" not in stored
    entry = AuditEntry.objects.filter(action="notification.channel_account").latest("id")
    assert "auth_token" in entry.fields and "twilio-secret-token" not in json.dumps(entry.fields)
    assert str(entry.actor_id) == str(world.member("a", Role.MANAGER).user.pk)

    # Saving again with the secret left empty keeps it.
    client.post(
        _url(world),
        {
            "channel": "sms",
            "provider": "twilio",
            "sms-account_sid": SID,
            "sms-from_number": "+15005550007",
            "sms-auth_token": "",
        },
    )
    account.refresh_from_db()
    assert account.config["from_number"] == "+15005550007"
    assert account.secret("auth_token") == "twilio-secret-token"

    # Back to the sandbox.
    client.post(_url(world), {"channel": "sms", "provider": "sandbox"})
    account.refresh_from_db()
    assert account.provider == "sandbox"


def test_it_keeps_smtp_port_and_tls_typed_and_explains_a_bad_port(world, client):
    client.force_login(world.member("a", Role.OWNER).user)
    bad = client.post(
        _url(world),
        {"channel": "email", "provider": "smtp", "email-host": "127.0.0.1", "email-port": "99999"},
    )
    assert bad.status_code == 422 and "Enter a port number." in bad.content.decode()
    assert not ChannelAccount.objects.filter(clinic=world.clinic_a, channel="email").exists()
    client.post(
        _url(world),
        {
            "channel": "email",
            "provider": "smtp",
            "email-host": "127.0.0.1",
            "email-port": "2525",
            "email-use_tls": "on",
            "email-from_email": "desk@clinic-a.test",
            "email-password": "mail-pass",
        },
    )
    account = ChannelAccount.objects.get(clinic=world.clinic_a, channel="email")
    assert account.config["port"] == 2525 and account.config["use_tls"] is True
    assert account.config["use_ssl"] is False and account.secret("password") == "mail-pass"


def test_it_refuses_a_provider_of_another_channel(world, client):
    client.force_login(world.member("a", Role.MANAGER).user)
    response = client.post(_url(world), {"channel": "sms", "provider": "smtp"})
    assert response.status_code == 422
    assert "Choose a channel and its provider." in response.content.decode()


def test_it_keeps_the_page_from_other_clinics_and_small_roles(world, client):
    client.force_login(world.member("b", Role.OWNER).user)
    assert client.get(_url(world)).status_code == 404
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    assert client.get(_url(world)).status_code == 403
    response = client.post(_url(world), {"channel": "sms", "provider": "sandbox"})
    assert response.status_code == 403
    assert not ChannelAccount.objects.filter(clinic=world.clinic_a).exists()


def test_it_shows_the_outbox_link_only_to_roles_that_manage_messages(world, client):
    outbox = f'href="/c/{world.clinic_a.slug}/desk/outbox/"'
    for role, shown in ((Role.MANAGER, True), (Role.OWNER, True), (Role.RECEPTIONIST, False)):
        client.force_login(world.member("a", role).user)
        page = client.get(f"/c/{world.clinic_a.slug}/desk/patients/").content.decode()
        assert (outbox in page) is shown, role
