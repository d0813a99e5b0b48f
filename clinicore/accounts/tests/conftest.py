"""A real SMTP server on 127.0.0.1 (aiosmtpd) that account emails are delivered to.

Account emails are outbox rows; the fixture runs the worker's task (deliver_message) at once
after commit, so each email travels the same path as in production: outbox row, worker task,
the platform mailer from EMAIL_URL, SMTP."""

import email
import email.policy
import re
import socket
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(
                envelope.original_content or envelope.content, policy=email.policy.default
            )
        )
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, *, timeout: float = 10.0) -> email.message.EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if to.lower() in message["To"].lower():
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no email reached {to} within {timeout} s")

    def to(self, address: str) -> list:
        return [m for m in self.messages if address.lower() in m["To"].lower()]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message) -> str:
        return message.get_body(preferencelist=("html",)).get_content()

    @classmethod
    def link(cls, message) -> str:
        found = re.search(r"https?://\S+", cls.text(message))
        assert found, "the email carries no link"
        return found.group(0)


@pytest.fixture
def smtp_inbox(settings):
    """Every email the product sends goes over SMTP to this server; read it from `inbox.messages`."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_URL = f"smtp://127.0.0.1:{port}"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": port,
                "use_tls": False,
                "use_ssl": False,
                "timeout": 10,
            },
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The shared world makes ~20 accounts per test; argon2's deliberate slowness buys nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
