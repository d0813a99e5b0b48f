"""Local stand-ins for Stripe's and Razorpay's HTTP APIs, on 127.0.0.1, for the official SDKs.

Each checks what the real API checks — the secret key (Bearer for Stripe, Basic for Razorpay),
required fields, integer amounts in minor units, a known currency — answers with objects shaped
like the documented ones, and signs webhooks exactly as the provider does. The Razorpay one also
serves a small `checkout.js` with Standard Checkout's documented browser interface, for pages
driven by a real browser (`RAZORPAY_CHECKOUT_JS_URL`).
"""

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, urlparse

CURRENCIES = {"inr", "usd", "eur", "gbp", "aud", "sgd", "aed", "jpy", "cny"}


class _Server:
    def __init__(self, handler_cls):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
        self.httpd.fake = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.requests: list[dict] = []

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status: int, body: dict):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _send_text(self, status: int, body: str, content_type: str):
        raw = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(raw)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


# --- Stripe ------------------------------------------------------------------------------------


STRIPE_SECRET = "sk_test_51Clinicore"
STRIPE_WHSEC = "whsec_clinicore_test"


def stripe_signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def stripe_webhook_post(client, clinic, event: dict, *, secret=STRIPE_WHSEC, timestamp=None):
    """Delivers one event to the clinic's Stripe webhook endpoint, signed as Stripe signs it."""
    payload = json.dumps(event)
    return client.post(
        f"/hooks/stripe/{clinic.slug}/",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": stripe_signature(payload, secret, timestamp)},
    )


class FakeStripe(_Server):
    def __init__(self, secret_key: str):
        super().__init__(_StripeHandler)
        self.secret_key = secret_key
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.events: list[dict] = []  # events Stripe would send to the webhook endpoint
        self.failing = 0

    def fail_next(self, n: int) -> None:
        """The next n API requests answer 500 (an outage at Stripe)."""
        self.failing = n

    def pay(self, session_id: str) -> dict:
        """The customer completes the hosted checkout: returns the checkout.session.completed event."""
        session = self.sessions[session_id]
        if session["status"] != "open":
            raise AssertionError(f"Stripe shows 'This checkout session is {session['status']}'.")
        intent_id = "pi_" + secrets.token_hex(12)
        self.intents[intent_id] = {
            "id": intent_id,
            "amount": session["amount_total"],
            "currency": session["currency"],
            "refunded": 0,
        }
        session.update(payment_intent=intent_id, payment_status="paid", status="complete")
        return self.event("checkout.session.completed", dict(session))

    def event(self, event_type: str, obj: dict) -> dict:
        return {
            "id": "evt_" + secrets.token_hex(12),
            "object": "event",
            "api_version": "2025-09-30.clover",
            "created": int(time.time()),
            "type": event_type,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": obj},
        }


class _StripeHandler(_Handler):
    @property
    def fake(self) -> FakeStripe:
        return self.server.fake

    def _error(self, status, message, kind="invalid_request_error", param=None):
        self._send(status, {"error": {"type": kind, "message": message, "param": param}})

    def _authorized(self) -> bool:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            key = auth[7:]
        elif auth.startswith("Basic "):
            key = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
        else:
            key = ""
        if key != self.fake.secret_key:
            self._error(401, "Invalid API Key provided.", "invalid_request_error")
            return False
        return True

    def _outage(self) -> bool:
        if self.fake.failing <= 0:
            return False
        self.fake.failing -= 1
        self._error(500, "An unknown error occurred.", "api_error")
        return True

    def do_GET(self):
        self.fake.requests.append({"method": "GET", "path": self.path})
        if self._outage() or not self._authorized():
            return
        parts = urlparse(self.path).path.strip("/").split("/")
        if parts[:3] == ["v1", "checkout", "sessions"] and len(parts) == 4:
            session = self.fake.sessions.get(parts[3])
            if session is None:
                return self._error(404, f"No such checkout.session: '{parts[3]}'", param="session")
            return self._send(200, session)
        self._error(404, "Unrecognized request URL.")

    def do_POST(self):
        raw = self._body().decode()
        if raw and (
            self.headers.get("Content-Type", "").split(";")[0]
            != "application/x-www-form-urlencoded"
        ):
            return self._error(400, "Stripe takes form-encoded bodies.")
        form = dict(parse_qsl(raw, keep_blank_values=True))
        path = urlparse(self.path).path
        self.fake.requests.append(
            {
                "method": "POST",
                "path": path,
                "form": form,
                "idempotency_key": self.headers.get("Idempotency-Key"),
            }
        )
        if self._outage() or not self._authorized():
            return
        key = self.headers.get("Idempotency-Key")
        if key and key in self.fake.idempotent:
            status, body = self.fake.idempotent[key]
            return self._send(status, body)
        parts = path.strip("/").split("/")
        if path == "/v1/checkout/sessions":
            status, body = self._create_session(form)
        elif parts[:3] == ["v1", "checkout", "sessions"] and parts[4:] == ["expire"]:
            status, body = self._expire_session(parts[3])
        elif path == "/v1/refunds":
            status, body = self._create_refund(form)
        else:
            status, body = (
                404,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "message": "Unrecognized request URL.",
                    }
                },
            )
        if key and status < 500:
            self.fake.idempotent[key] = (status, body)
        self._send(status, body)

    def _create_session(self, form):
        def bad(message, param):
            return 400, {
                "error": {"type": "invalid_request_error", "message": message, "param": param}
            }

        for required in ("mode", "success_url", "line_items[0][quantity]"):
            if not form.get(required):
                return bad(f"Missing required param: {required}.", required)
        currency = form.get("line_items[0][price_data][currency]", "")
        if currency not in CURRENCIES:
            return bad(f"Invalid currency: {currency}.", "line_items[0][price_data][currency]")
        unit = form.get("line_items[0][price_data][unit_amount]", "")
        if not unit.isdigit():
            return bad("Invalid integer: " + unit, "line_items[0][price_data][unit_amount]")
        if not form.get("line_items[0][price_data][product_data][name]"):
            return bad(
                "Missing required param: product_data[name].",
                "line_items[0][price_data][product_data][name]",
            )
        session_id = "cs_test_" + secrets.token_hex(16)
        metadata = {
            k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")
        }
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": form["mode"],
            "amount_total": int(unit) * int(form["line_items[0][quantity]"]),
            "currency": currency,
            "client_reference_id": form.get("client_reference_id"),
            "customer_email": form.get("customer_email"),
            "metadata": metadata,
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": form["success_url"],
            "cancel_url": form.get("cancel_url"),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "livemode": False,
            "created": int(time.time()),
            "expires_at": int(time.time()) + 24 * 3600,
        }
        self.fake.sessions[session_id] = session
        return 200, session

    def _expire_session(self, session_id):
        """POST /v1/checkout/sessions/{id}/expire: only an open session can be expired; Stripe
        then sends checkout.session.expired."""
        session = self.fake.sessions.get(session_id)
        if session is None:
            return 404, {
                "error": {
                    "type": "invalid_request_error",
                    "message": f"No such checkout.session: '{session_id}'",
                    "param": "session",
                }
            }
        if session["status"] != "open":
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "message": "A Checkout Session can be expired when it is in one of these "
                    f"statuses: open. This one is {session['status']}.",
                }
            }
        session.update(status="expired", url=None)
        self.fake.events.append(self.fake.event("checkout.session.expired", dict(session)))
        return 200, session

    def _create_refund(self, form):
        intent = self.fake.intents.get(form.get("payment_intent", ""))
        if intent is None:
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "param": "payment_intent",
                    "message": f"No such payment_intent: '{form.get('payment_intent')}'",
                }
            }
        amount = int(form.get("amount") or intent["amount"] - intent["refunded"])
        if amount <= 0 or amount > intent["amount"] - intent["refunded"]:
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "param": "amount",
                    "message": "Refund amount is greater than unrefunded amount on charge.",
                }
            }
        intent["refunded"] += amount
        refund = {
            "id": "re_" + secrets.token_hex(12),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": "succeeded",
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "created": int(time.time()),
        }
        self.fake.refunds[refund["id"]] = refund
        return 200, refund


# --- Razorpay ----------------------------------------------------------------------------------


RAZORPAY_KEY_ID = "rzp_test_Clinicore"
RAZORPAY_KEY_SECRET = "rzp_secret_123"
RAZORPAY_HOOK_SECRET = "rzp_hook_456"


def razorpay_hmac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def razorpay_webhook_post(client, clinic, event: dict, *, secret=RAZORPAY_HOOK_SECRET, event_id=""):
    """Delivers one event to the clinic's Razorpay webhook endpoint, signed as Razorpay signs it
    (X-Razorpay-Signature: hex HMAC-SHA256 of the body with the webhook secret)."""
    body = json.dumps(event)
    return client.post(
        f"/hooks/razorpay/{clinic.slug}/",
        data=body,
        content_type="application/json",
        headers={
            "X-Razorpay-Signature": razorpay_hmac(secret, body),
            "X-Razorpay-Event-Id": event_id or "evt_" + secrets.token_hex(7),
        },
    )


# Razorpay Standard Checkout's browser interface, as documented: `new Razorpay(options)` (throws
# without `key`), `.on("payment.failed", fn)`, `.open()`, `.close()`; on success it calls
# `options.handler({razorpay_payment_id, razorpay_order_id, razorpay_signature})`, and
# `options.modal.ondismiss()` when the customer closes it. Like the real one, the checkout itself
# is a frame served by Razorpay, which signs the answer with the key secret (the page never can).
CHECKOUT_JS = """(function () {
  "use strict";
  var host = new URL(document.currentScript.src).origin;

  function Razorpay(options) {
    if (!(this instanceof Razorpay)) { return new Razorpay(options); }
    if (!options || !options.key) { throw new Error("Razorpay: the key option is required"); }
    if (!options.order_id) { throw new Error("Razorpay: open an order (order_id)"); }
    var self = this;
    this.options = options;
    this.listeners = {};
    this.frame = null;
    this.receive = function (event) {
      if (!self.frame || event.origin !== host || event.source !== self.frame.contentWindow) {
        return;
      }
      var message = event.data || {};
      if (message.event === "payment.success") {
        self.close();
        options.handler(message.response);
      } else if (message.event === "payment.failed") {
        (self.listeners["payment.failed"] || []).forEach(function (fn) {
          fn({ error: message.error });
        });
      } else if (message.event === "dismiss") {
        self.close();
        if (options.modal && typeof options.modal.ondismiss === "function") {
          options.modal.ondismiss();
        }
      }
    };
  }

  Razorpay.prototype.on = function (name, fn) {
    (this.listeners[name] = this.listeners[name] || []).push(fn);
  };

  Razorpay.prototype.open = function () {
    var o = this.options;
    var query = new URLSearchParams({
      key_id: o.key, order_id: o.order_id, name: o.name || "",
      description: o.description || "", origin: window.location.origin
    });
    var frame = document.createElement("iframe");
    frame.className = "razorpay-checkout-frame";
    frame.name = "razorpay-checkout-frame";
    frame.title = "Razorpay Checkout";
    frame.src = host + "/v1/checkout/public?" + query.toString();
    frame.style.cssText = "position:fixed;top:0;left:0;width:100%;height:100%;border:0;" +
      "z-index:2147483647;background:rgba(0,0,0,.55)";
    window.addEventListener("message", this.receive);
    document.body.appendChild(frame);
    this.frame = frame;
  };

  Razorpay.prototype.close = function () {
    window.removeEventListener("message", this.receive);
    if (this.frame) { this.frame.remove(); }
    this.frame = null;
  };

  window.Razorpay = Razorpay;
})();
"""


def _checkout_page(title: str, body: str, script: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>"
        "body{font:16px sans-serif;margin:0;display:flex;justify-content:center;align-items:center;"
        "min-height:100vh}main{background:#fff;padding:1.5rem;border-radius:8px;max-width:22rem;"
        "width:90%}button{display:block;width:100%;margin:.5rem 0;padding:.7rem;font:inherit}"
        f"</style></head><body><main>{body}</main>"
        f"{f'<script>{script}</script>' if script else ''}</body></html>"
    )


def _post_to_parent(origin: str, message: dict) -> str:
    payload = json.dumps(message).replace("</", "<\\/")
    return f"parent.postMessage({payload}, {json.dumps(origin)});"


class FakeRazorpay(_Server):
    def __init__(self, key_id: str, key_secret: str):
        super().__init__(_RazorpayHandler)
        self.key_id = key_id
        self.key_secret = key_secret
        self.orders: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.checkout_answers: list[dict] = []  # what the checkout frame handed to the page

    @property
    def checkout_js_url(self) -> str:
        return f"{self.url}/v1/checkout.js"

    def pay(self, order_id: str, method: str = "upi") -> tuple[dict, str]:
        """The customer pays in Razorpay Checkout: the captured payment and the checkout signature."""
        order = self.orders[order_id]
        payment_id = "pay_" + secrets.token_hex(7)
        payment = {
            "id": payment_id,
            "entity": "payment",
            "amount": order["amount"],
            "currency": order["currency"],
            "status": "captured",
            "order_id": order_id,
            "method": method,
            "captured": True,
            "amount_refunded": 0,
            "notes": order["notes"],
            "email": "patient@example.test",
            "acquirer_data": {"rrn": "412345678901", "upi_transaction_id": "412345678901"}
            if method == "upi"
            else {},
            "created_at": int(time.time()),
        }
        self.payments[payment_id] = payment
        order.update(
            status="paid", amount_paid=order["amount"], amount_due=0, attempts=order["attempts"] + 1
        )
        return payment, razorpay_hmac(self.key_secret, f"{order_id}|{payment_id}")

    def event(self, event_type: str, entity_name: str, entity: dict) -> dict:
        return {
            "entity": "event",
            "account_id": "acc_" + secrets.token_hex(7),
            "event": event_type,
            "contains": [entity_name],
            "payload": {entity_name: {"entity": entity}},
            "created_at": int(time.time()),
        }


class _RazorpayHandler(_Handler):
    @property
    def fake(self) -> FakeRazorpay:
        return self.server.fake

    def _error(self, status, description, field=None):
        self._send(
            status,
            {
                "error": {
                    "code": "BAD_REQUEST_ERROR",
                    "description": description,
                    "source": "business",
                    "field": field,
                    "reason": "input_validation_failed",
                }
            },
        )

    def _authorized(self) -> bool:
        auth = self.headers.get("Authorization", "")
        try:
            key_id, secret = (
                base64.b64decode(auth[6:]).decode().split(":", 1)
                if auth.startswith("Basic ")
                else ("", "")
            )
        except ValueError:
            key_id, secret = "", ""
        if key_id != self.fake.key_id or secret != self.fake.key_secret:
            self._send(
                401,
                {"error": {"code": "BAD_REQUEST_ERROR", "description": "Authentication failed"}},
            )
            return False
        return True

    def do_GET(self):
        self.fake.requests.append({"method": "GET", "path": self.path})
        path = urlparse(self.path).path
        if path == "/v1/checkout.js":
            return self._send_text(200, CHECKOUT_JS, "application/javascript")
        if path == "/v1/checkout/public":
            query = {k: v[-1] for k, v in parse_qs(urlparse(self.path).query).items()}
            return self._checkout_form(query)
        if not self._authorized():
            return
        parts = path.strip("/").split("/")
        if parts[:2] == ["v1", "payments"] and len(parts) == 3 and parts[2] in self.fake.payments:
            return self._send(200, self.fake.payments[parts[2]])
        if parts[:2] == ["v1", "orders"] and len(parts) == 3 and parts[2] in self.fake.orders:
            return self._send(200, self.fake.orders[parts[2]])
        self._error(400, "The id provided does not exist")

    def do_POST(self):
        raw = self._body()
        path = urlparse(self.path).path
        if path == "/v1/checkout/public/pay":
            form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
            self.fake.requests.append({"method": "POST", "path": path, "form": form})
            return self._checkout_pay(form)
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = None
        self.fake.requests.append({"method": "POST", "path": path, "json": data})
        if not self._authorized():
            return
        if not isinstance(data, dict):
            return self._error(400, "The request body is not JSON.")
        parts = path.strip("/").split("/")
        if path == "/v1/orders":
            return self._create_order(data)
        if parts[:2] == ["v1", "payments"] and len(parts) == 4 and parts[3] == "refund":
            return self._refund(parts[2], data)
        self._error(400, "The requested URL was not found on the server.")

    def _checkout_order(self, query: dict) -> dict | None:
        """The order a checkout opens, if the key is the account's and the order is still payable;
        otherwise answers with Checkout's error page."""
        order = self.fake.orders.get(query.get("order_id", ""))
        if query.get("key_id") != self.fake.key_id:
            problem = "The api key provided is invalid"
        elif order is None:
            problem = "The id provided does not exist"
        elif order["status"] == "paid":
            problem = "Order has already been paid"
        else:
            return order
        self._send_text(400, _checkout_page("Razorpay Checkout", f"<p>{problem}</p>"), "text/html")
        return None

    def _checkout_form(self, query: dict):
        order = self._checkout_order(query)
        if order is None:
            return
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(query.get(name, ""))}">'
            for name in ("key_id", "order_id", "origin")
        )
        amount = f"{order['amount'] / 100:.2f} {order['currency']}"
        body = (
            f"<h1>{html.escape(query.get('name', ''))}</h1>"
            f"<p>{html.escape(query.get('description', ''))}</p>"
            f'<p data-testid="razorpay-amount">{amount}</p>'
            f'<form method="post" action="/v1/checkout/public/pay">{hidden}'
            '<button type="submit" name="method" value="upi">Pay with UPI</button>'
            '<button type="submit" name="method" value="card">Pay by card</button></form>'
            '<button type="button" id="close">Close</button>'
        )
        script = (
            "document.getElementById('close').addEventListener('click', function () {"
            + _post_to_parent(query.get("origin", ""), {"event": "dismiss"})
            + "});"
        )
        self._send_text(200, _checkout_page("Razorpay Checkout", body, script), "text/html")

    def _checkout_pay(self, form: dict):
        """The customer pays in the checkout frame: Razorpay captures it and hands the page the
        ids and their signature (HMAC-SHA256 of `order_id|payment_id` with the key secret)."""
        order = self._checkout_order(form)
        if order is None:
            return
        method = form.get("method") if form.get("method") in {"upi", "card"} else "card"
        payment, signature = self.fake.pay(order["id"], method=method)
        answer = {
            "razorpay_payment_id": payment["id"],
            "razorpay_order_id": order["id"],
            "razorpay_signature": signature,
        }
        self.fake.checkout_answers.append(answer)
        script = _post_to_parent(
            form.get("origin", ""), {"event": "payment.success", "response": answer}
        )
        page = _checkout_page("Razorpay Checkout", "<p>Payment successful</p>", script)
        self._send_text(200, page, "text/html")

    def _create_order(self, data):
        amount = data.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool):
            return self._error(400, "The amount must be an integer.", "amount")
        if amount < 100:
            return self._error(400, "The amount must be atleast INR 1.00", "amount")
        currency = data.get("currency")
        if (
            not isinstance(currency, str)
            or currency.lower() not in CURRENCIES
            or currency != currency.upper()
        ):
            return self._error(400, "The currency provided is invalid.", "currency")
        if len(str(data.get("receipt", ""))) > 40:
            return self._error(400, "The receipt may not be greater than 40 characters.", "receipt")
        order_id = "order_" + secrets.token_hex(7)
        order = {
            "id": order_id,
            "entity": "order",
            "amount": amount,
            "amount_paid": 0,
            "amount_due": amount,
            "currency": currency,
            "receipt": data.get("receipt"),
            "offer_id": None,
            "status": "created",
            "attempts": 0,
            "notes": data.get("notes") or {},
            "created_at": int(time.time()),
        }
        self.fake.orders[order_id] = order
        self._send(200, order)

    def _refund(self, payment_id, data):
        payment = self.fake.payments.get(payment_id)
        if payment is None:
            return self._error(400, "The id provided does not exist", "payment_id")
        amount = data.get("amount", payment["amount"] - payment["amount_refunded"])
        if (
            not isinstance(amount, int)
            or amount <= 0
            or amount > payment["amount"] - payment["amount_refunded"]
        ):
            return self._error(
                400, "The refund amount provided is greater than amount captured", "amount"
            )
        payment["amount_refunded"] += amount
        refund = {
            "id": "rfnd_" + secrets.token_hex(7),
            "entity": "refund",
            "amount": amount,
            "currency": payment["currency"],
            "payment_id": payment_id,
            "notes": data.get("notes") or {},
            "status": "processed",
            "speed_processed": "normal",
            "created_at": int(time.time()),
        }
        self.fake.refunds[refund["id"]] = refund
        self._send(200, refund)


@contextmanager
def razorpay_serving(settings, clinic):
    """Razorpay's API and its checkout.js on 127.0.0.1, with `clinic`'s Razorpay keys set up."""
    from clinicore.billing import gateway

    server = FakeRazorpay(RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET).start()
    settings.RAZORPAY_API_BASE = server.url
    settings.RAZORPAY_CHECKOUT_JS_URL = server.checkout_js_url
    gateway.gateway_account_set(
        clinic=clinic,
        actor=None,
        provider="razorpay",
        public_key=RAZORPAY_KEY_ID,
        secret_key=RAZORPAY_KEY_SECRET,
        webhook_secret=RAZORPAY_HOOK_SECRET,
    )
    try:
        yield server
    finally:
        server.stop()
