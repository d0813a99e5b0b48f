"""Payment gateways: one module each, registered on import (see base.py for the interface)."""

from clinicore.billing.gateways import desk, razorpay, sandbox, stripe, upi  # noqa: F401
