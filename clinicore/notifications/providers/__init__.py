"""One interface for every channel's providers, and the registry that picks one for a message."""

from clinicore.notifications.providers.base import (  # noqa: F401
    PROVIDERS,
    ChannelProvider,
    ProviderError,
    SendResult,
    provider_for,
    register,
)
