"""The provider interface: prepare what will leave, send it, say whether a failure may pass."""

from dataclasses import dataclass

from clinicore.core.errors import ProviderUnavailable


class ProviderError(ProviderUnavailable):
    """A send failed. `retryable` says whether trying again later can help."""


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    delivered: bool = False  # the channel confirms delivery at once (in-app)


class ChannelProvider:
    channel: str = ""
    name: str = ""

    def prepare(self, message, account) -> dict:
        """The request as it will leave (kept on the outbox row and shown on the outbox page)."""
        return {}

    def send(self, message, account) -> SendResult:
        raise NotImplementedError

    def circuit_key(self, account) -> str:
        return f"{self.channel}:{self.name}:{account.pk if account else 'platform'}"


PROVIDERS: dict[tuple[str, str], ChannelProvider] = {}


def register(cls):
    PROVIDERS[(cls.channel, cls.name)] = cls()
    return cls


def provider_for(channel: str, name: str) -> ChannelProvider:
    _load()
    try:
        return PROVIDERS[(channel, name)]
    except KeyError:
        raise ProviderError(f"No {name!r} provider for {channel}.", retryable=False) from None


def _load() -> None:
    from clinicore.notifications.providers import (  # noqa: F401
        email,
        in_app,
        sandbox,
        telegram,
        twilio_sms,
        webpush,
        whatsapp,
    )
