"""Staff invitations leave through the outbox like every email, over a real SMTP server: a mail
server outage delays an invitation but never loses it, and its link works all along."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from clinicore.clinics.models import Membership
from clinicore.clinics.permissions import Role
from clinicore.desk.invites import staff_invite
from clinicore.notifications import delivery
from clinicore.notifications.models import OutboxMessage
from clinicore.notifications.tests.fakes import SmtpSink

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
LINK = re.compile(r"http://\S+/join/\S+/")


@pytest.fixture
def smtp(settings):
    """The platform mailer pointed at a real SMTP server on 127.0.0.1 (not started yet)."""
    sink = SmtpSink()
    settings.EMAIL_URL = f"smtp://127.0.0.1:{sink.port}"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 5},
        }
    }
    yield sink
    sink.controller.stop(no_assert=True)  # whether or not the test brought it up


def _invite(world, email="nina.nurse@example.test"):
    owner = world.member("a", Role.OWNER).user
    return staff_invite(
        clinic=world.clinic_a, actor=owner, email=email, role=Role.NURSE, full_name="Nina Nurse"
    )


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _plain(received) -> str:
    return received["message"].get_body(preferencelist=("plain",)).get_content()


def test_an_invitation_is_emailed_over_smtp_and_its_link_makes_a_member(
    world, smtp, client, settings
):
    settings.TWO_FACTOR_ENFORCED = False
    smtp.start()
    invite, link = _invite(world)
    [message] = OutboxMessage.objects.filter(event="staff_invite")
    assert message.status == Status.QUEUED and message.address == "nina.nurse@example.test"
    assert message.clinic_id is None  # the link is not listed on the clinic's outbox page

    assert delivery.deliver_due() == {"sent": 1}
    [received] = smtp.messages
    assert received["to"] == ["nina.nurse@example.test"]
    assert received["message"]["Subject"] == "Join Clinic A on Clinicore"
    body = _plain(received)
    assert LINK.search(body).group(0) == link
    assert "as Nurse" in body and "7 days" in body
    html = received["message"].get_body(preferencelist=("html",)).get_content()
    assert f'href="{link}"' in html

    assert "Join Clinic A" in client.get(_path(link)).content.decode()
    accepted = client.post(
        _path(link), {"full_name": "Nina Nurse", "password": "a long enough secret 42"}
    )
    assert accepted.status_code == 302
    member = Membership.objects.get(clinic=world.clinic_a, user__email="nina.nurse@example.test")
    assert member.role == Role.NURSE
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_an_smtp_outage_delays_an_invitation_and_it_arrives_on_retry(world, smtp, client):
    invite, link = _invite(world)  # the mail server is down: nothing listens on its port
    assert delivery.deliver_due() == {"retry": 1}
    message = OutboxMessage.objects.get(event="staff_invite")
    assert message.status == Status.QUEUED and message.attempts == 1
    assert "mail server" in message.last_error
    assert message.next_attempt_at > timezone.now()
    assert smtp.messages == []
    # Meanwhile the invitation stands: its page opens for whoever has the link.
    assert "Join Clinic A" in client.get(_path(link)).content.decode()

    smtp.start()  # the mail server is back
    assert delivery.deliver_due() == {}  # not before its retry time
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1), tick=True):
        assert delivery.deliver_due() == {"sent": 1}
    [received] = smtp.messages
    assert LINK.search(_plain(received)).group(0) == link
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2


def test_an_invitation_rolled_back_sends_nothing(world, smtp):
    smtp.start()
    with pytest.raises(RuntimeError), transaction.atomic():
        _invite(world)
        raise RuntimeError("the page failed after inviting")
    assert not OutboxMessage.objects.filter(event="staff_invite").exists()
    assert delivery.deliver_due() == {}
    assert smtp.messages == []


def test_a_new_invitation_replaces_the_old_one_and_each_is_emailed_once(world, smtp, client):
    smtp.start()
    _first, old_link = _invite(world)
    _second, new_link = _invite(world)
    assert delivery.deliver_due() == {"sent": 2}
    assert delivery.deliver_due() == {}
    assert [LINK.search(_plain(m)).group(0) for m in smtp.messages] == [old_link, new_link]
    assert client.get(_path(old_link)).status_code == 404
    assert client.get(_path(new_link)).status_code == 200
