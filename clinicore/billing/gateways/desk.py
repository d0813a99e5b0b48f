"""Cash, card machine or bank transfer taken at the desk: recorded by staff, nothing to call."""

import secrets

from clinicore.billing.gateways.base import GatewayError, RefundResult, register


class DeskGateway:
    name = "desk"
    hosted = False

    def checkout_create(self, *, credentials, request):
        raise GatewayError("Desk payments are recorded by staff, not checked out.", retryable=False)

    def refund_create(
        self, *, credentials, provider_payment_id, amount_minor, currency, reason, reference
    ):
        # Money handed back at the desk: the staff member recording it is the confirmation.
        return RefundResult(provider_refund_id="desk_re_" + secrets.token_hex(8), succeeded=True)

    def webhook_parse(self, *, credentials, body, headers):
        raise GatewayError("Desk payments have no webhooks.", retryable=False)

    def return_verify(self, *, credentials, data):
        raise GatewayError("Desk payments are confirmed by staff.", retryable=False)


register(DeskGateway())
