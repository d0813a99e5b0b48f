"""The one gateway interface, the normalized answers every gateway gives, and the registry."""

from dataclasses import dataclass, field
from typing import Protocol


class GatewayError(Exception):
    """A gateway refused or failed; `retryable` says whether trying again can help."""

    def __init__(self, message: str, *, retryable: bool, response: dict | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.response = response or {}


class SignatureInvalid(Exception):
    """A webhook or browser callback whose signature does not verify (forged, stale, garbled)."""


@dataclass(frozen=True)
class Credentials:
    public_key: str = ""
    secret_key: str = ""
    webhook_secret: str = ""


@dataclass(frozen=True)
class CheckoutRequest:
    """What a gateway needs to open a checkout; amounts in minor units only here, at the edge."""

    reference: str  # our session token, echoed back by the gateway
    amount_minor: int
    currency: str
    description: str
    customer_email: str
    success_url: str
    cancel_url: str
    payee_name: str = ""
    payee_vpa: str = ""


@dataclass(frozen=True)
class CheckoutResult:
    provider_session_id: str = ""
    provider_order_id: str = ""
    checkout_url: str = ""
    upi_link: str = ""
    client_data: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentNotice:
    """A gateway's statement about one payment, from a webhook or a verified browser return."""

    event_id: str
    kind: str  # payment.completed | payment.failed | refund.completed | refund.failed | ignored
    event_type: str = ""
    reference: str = ""  # our session token, when the gateway echoes it
    provider_order_id: str = ""
    provider_payment_id: str = ""
    provider_refund_id: str = ""
    amount_minor: int | None = None
    currency: str = ""
    method: str = ""
    utr: str = ""
    failure_reason: str = ""
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutClosed:
    """A gateway's answer to closing a checkout: `status` is its own word for the checkout now
    (Stripe: open | complete | expired) and `paid` says whether the customer paid before it closed."""

    status: str
    paid: bool = False
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    provider_refund_id: str
    succeeded: bool  # False: accepted but pending at the gateway
    raw: dict = field(default_factory=dict)


class Gateway(Protocol):
    name: str
    hosted: bool  # True: the patient is sent to a checkout page (ours or the gateway's)

    def checkout_create(
        self, *, credentials: Credentials, request: CheckoutRequest
    ) -> CheckoutResult: ...

    def refund_create(
        self,
        *,
        credentials: Credentials,
        provider_payment_id: str,
        amount_minor: int,
        currency: str,
        reason: str,
        reference: str,
    ) -> RefundResult: ...

    def webhook_parse(self, *, credentials: Credentials, body: bytes, headers) -> PaymentNotice: ...

    def return_verify(self, *, credentials: Credentials, data: dict) -> PaymentNotice: ...


class ClosableGateway(Gateway, Protocol):
    """A gateway whose checkouts can be closed on its side before they lapse (Stripe)."""

    def checkout_close(
        self, *, credentials: Credentials, provider_session_id: str
    ) -> CheckoutClosed: ...


_REGISTRY: dict[str, Gateway] = {}


def register(gateway: Gateway) -> Gateway:
    _REGISTRY[gateway.name] = gateway
    return gateway


def gateway_get(name: str) -> Gateway:
    from clinicore.billing import gateways  # noqa: F401  (registers every gateway)

    try:
        return _REGISTRY[name]
    except KeyError:
        raise GatewayError(f"No payment gateway called {name!r}.", retryable=False) from None


def gateway_names() -> list[str]:
    from clinicore.billing import gateways  # noqa: F401

    return sorted(_REGISTRY)
