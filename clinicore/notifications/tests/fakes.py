"""Local stand-ins for the providers, on 127.0.0.1, speaking their documented HTTP APIs and
checking what the real ones check (credentials, required fields, VAPID signatures).

Each can fail on purpose: `fail_next(n)` answers 500 to the next n requests; `hang(seconds)`
holds requests that long before answering. A request whose client gave up meanwhile is dropped
unprocessed (as a provider's edge drops a request the client abandoned), and counted in
`dropped`, so "delivered once" can be checked honestly."""

import base64
import json
import re
import select
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeProvider:
    def __init__(self):
        self.accepted: list[dict] = []
        self.dropped = 0
        self.requests = 0
        self._fail = 0
        self._hang = 0.0
        self.lock = threading.Lock()
        self.in_flight = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.requests += 1
                    hang = fake._hang
                    fail = fake._fail > 0
                    if fail:
                        fake._fail -= 1
                if hang:
                    fake.in_flight.set()
                    deadline = time.monotonic() + hang
                    while time.monotonic() < deadline:
                        time.sleep(0.02)
                    if _client_gone(self.connection):
                        with fake.lock:
                            fake.dropped += 1
                        self.close_connection = True
                        return
                if fail:
                    status, headers, payload = (
                        500,
                        {"Content-Type": "application/json"},
                        b'{"message":"Internal error","code":20500,"status":500}',
                    )
                else:
                    with fake.lock:
                        status, headers, payload = fake.handle(
                            method, self.path, self.headers, body
                        )
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self):
                self._serve("POST")

            def do_GET(self):
                self._serve("GET")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, n: int):
        with self.lock:
            self._fail = n

    def hang(self, seconds: float):
        with self.lock:
            self._hang = seconds
            self.in_flight.clear()

    def handle(self, method, path, headers, body) -> tuple[int, dict, bytes]:
        raise NotImplementedError


def _client_gone(sock) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        import socket

        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _json(status: int, data) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(data).encode()


class FakeTwilio(FakeProvider):
    """POST /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP Basic auth (sid:token)."""

    def __init__(self, account_sid: str, auth_token: str):
        super().__init__()
        self.account_sid, self.auth_token = account_sid, auth_token

    def handle(self, method, path, headers, body):
        if method != "POST" or path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return _json(
                404,
                {"code": 20404, "message": "The requested resource was not found", "status": 404},
            )
        expected = (
            "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        )
        if headers.get("Authorization") != expected:
            return _json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if (
            not form.get("To")
            or not form.get("Body")
            or not (form.get("From") or form.get("MessagingServiceSid"))
        ):
            return _json(
                400,
                {
                    "code": 21604,
                    "message": "A 'To', 'Body' and 'From' are required.",
                    "status": 400,
                },
            )
        sid = "SM" + uuid.uuid4().hex
        self.accepted.append({"sid": sid, **form})
        return _json(
            201,
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": form["To"],
                "from": form.get("From"),
                "body": form["Body"],
                "status": "queued",
                "num_segments": "1",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
        )


class FakeWhatsApp(FakeProvider):
    """POST /v21.0/{phone-number-id}/messages with a bearer token; template messages only."""

    def __init__(self, phone_number_id: str, access_token: str):
        super().__init__()
        self.phone_number_id, self.access_token = phone_number_id, access_token

    def handle(self, method, path, headers, body):
        if method != "POST" or path != f"/v21.0/{self.phone_number_id}/messages":
            return _json(404, {"error": {"message": "Unknown path", "code": 100}})
        if headers.get("Authorization") != f"Bearer {self.access_token}":
            return _json(401, {"error": {"message": "Invalid OAuth access token.", "code": 190}})
        data = json.loads(body)
        template = data.get("template") or {}
        if (
            data.get("messaging_product") != "whatsapp"
            or not data.get("to", "").isdigit()
            or data.get("type") != "template"
            or not template.get("name")
            or not template.get("language", {}).get("code")
        ):
            return _json(400, {"error": {"message": "(#100) Invalid parameter", "code": 100}})
        wamid = "wamid." + uuid.uuid4().hex
        self.accepted.append({"id": wamid, **data})
        return _json(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": data["to"], "wa_id": data["to"]}],
                "messages": [{"id": wamid}],
            },
        )


class FakeTelegram(FakeProvider):
    """POST /bot<token>/sendMessage with JSON chat_id and text; setWebhook (an HTTPS url and a
    secret_token of 1-256 letters, digits, _ or -, as Telegram requires), getWebhookInfo and
    deleteWebhook. An unknown token answers 404 as Telegram does, a wrong method 404 too."""

    def __init__(self, bot_token: str):
        super().__init__()
        self.bot_token = bot_token
        self.next_id = 100
        self.webhook: dict = {}  # what setWebhook registered: url, secret_token, allowed_updates
        self.calls: list[str] = []

    def handle(self, method, path, headers, body):
        prefix = f"/bot{self.bot_token}/"
        if not path.startswith(prefix):
            return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        name = path[len(prefix) :]
        self.calls.append(name)
        data = json.loads(body or b"{}")
        if name == "setWebhook":
            return self._set_webhook(data)
        if name == "getWebhookInfo":
            info = {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
            return _json(200, {"ok": True, "result": info})
        if name == "deleteWebhook":
            description = "Webhook was deleted" if self.webhook else "Webhook is already deleted"
            self.webhook = {}
            return _json(200, {"ok": True, "result": True, "description": description})
        if name != "sendMessage":
            return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if not data.get("chat_id") or not data.get("text"):
            return _json(
                400,
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message text is empty",
                },
            )
        self.next_id += 1
        self.accepted.append({"message_id": self.next_id, **data})
        return _json(
            200,
            {
                "ok": True,
                "result": {
                    "message_id": self.next_id,
                    "chat": {"id": data["chat_id"]},
                    "date": int(time.time()),
                    "text": data["text"],
                },
            },
        )

    def _set_webhook(self, data):
        def bad(description):
            return _json(
                400, {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}
            )

        url = str(data.get("url", ""))
        if not url.startswith("https://"):
            return bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = str(data.get("secret_token", ""))
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            return bad("secret token contains unallowed characters")
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": list(data.get("allowed_updates") or []),
        }
        return _json(200, {"ok": True, "result": True, "description": "Webhook was set"})


class FakePushService(FakeProvider):
    """A push service endpoint (RFC 8030): checks the VAPID JWT (RFC 8292) and decrypts the
    aes128gcm payload (RFC 8291) with the browser's private key, as the browser would."""

    def __init__(self):
        super().__init__()
        from cryptography.hazmat.primitives.asymmetric import ec

        self.browser_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = uuid.uuid4().bytes

    def subscription(self, name: str = "device-1") -> dict:
        from cryptography.hazmat.primitives import serialization

        point = self.browser_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        b64 = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")  # noqa: E731
        return {
            "endpoint": f"{self.url}/push/{name}",
            "keys": {"p256dh": b64(point), "auth": b64(self.auth_secret)},
        }

    def handle(self, method, path, headers, body):
        import http_ece
        import jwt
        from cryptography.hazmat.primitives.asymmetric import ec

        if not path.startswith("/push/"):
            return 404, {}, b""
        auth = headers.get("Authorization", "")
        if not auth.startswith("vapid "):
            return 401, {}, b"missing VAPID"
        parts = dict(p.strip().split("=", 1) for p in auth[len("vapid ") :].split(","))
        raw_key = base64.urlsafe_b64decode(parts["k"] + "=" * (-len(parts["k"]) % 4))
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_key)
        try:
            claims = jwt.decode(parts["t"], key=public, algorithms=["ES256"], audience=self.url)
        except jwt.PyJWTError as exc:
            return 403, {}, f"bad VAPID JWT: {exc}".encode()
        if not claims.get("sub", "").startswith(("mailto:", "https:")):
            return 403, {}, b"VAPID sub must be a contact URI"
        if headers.get("Content-Encoding") != "aes128gcm" or not headers.get("TTL"):
            return 400, {}, b"aes128gcm payload and TTL required"
        plain = http_ece.decrypt(
            body, private_key=self.browser_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        self.accepted.append(
            {
                "path": path,
                "vapid_public_key": parts["k"],
                "claims": claims,
                "payload": json.loads(plain),
            }
        )
        return 201, {"Location": f"{self.url}/messages/{uuid.uuid4().hex}"}, b""


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import email
                from email import policy

                sink.messages.append(
                    {
                        "from": envelope.mail_from,
                        "to": list(envelope.rcpt_tos),
                        "message": email.message_from_bytes(
                            envelope.original_content, policy=policy.default
                        ),
                    }
                )
                return "250 Message accepted for delivery"

        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()
