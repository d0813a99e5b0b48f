"""Test-wide fixtures: the shared world of personas, HTTP clients, and the real browser."""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. A request through the test client activates the
    reader's language in this thread (LocaleMiddleware) and nothing switches it back, so a test
    calling a service directly after another's Japanese request would read Japanese."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def world(db):
    from clinicore.core.testing import World

    return World()


@pytest.fixture
def api(client):
    """A Django test client with JSON helpers for the REST API."""
    return ApiClient(client)


class ApiClient:
    def __init__(self, client):
        self.client = client

    def _call(self, method, path, data=None, headers=None):
        kwargs = {"headers": headers or {}}
        if data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path, headers=None, **params):
        return self.client.get(path, params or None, headers=headers or {})

    def post(self, path, data=None, headers=None):
        return self._call("post", path, data if data is not None else {}, headers)

    def put(self, path, data=None, headers=None):
        return self._call("put", path, data if data is not None else {}, headers)

    def delete(self, path, headers=None):
        return self._call("delete", path, None, headers)


# --- Playwright on the system Chromium (never a downloaded browser) ---------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            "--allow-loopback-in-peer-connection",
        ],
    }


@pytest.fixture
def screenshot_dir():
    path = os.path.join(os.path.dirname(__file__), "test-artifacts", "screenshots")
    os.makedirs(path, exist_ok=True)
    return path


# --- A real ASGI server (uvicorn) on 127.0.0.1 for browsers and websocket clients -----------


class _ServerThread:
    def __init__(self, app, port):
        import threading

        import uvicorn

        self.config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
        )
        self.server = uvicorn.Server(self.config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self):
        import time

        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db, settings):
    """Serves the whole product (HTTP + websockets) on 127.0.0.1 for one test; yields its URL."""
    from clinicore.asgi import application

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    settings.PUBLIC_BASE_URL = base
    server = _ServerThread(application, port)
    server.start()
    try:
        yield base
    finally:
        server.stop()


# --- Accessibility: axe-core (from node_modules, npm lock file) in the real browser ------------

AXE_PATH = os.path.join(os.path.dirname(__file__), "node_modules", "axe-core", "axe.min.js")


def assert_accessible(page, *, impacts=("serious", "critical"), disable=()):
    """Runs axe-core on the page as it is now; fails listing every serious/critical finding.

    The script is evaluated through the DevTools protocol, which the page's CSP does not block
    (a <script> tag without the page's nonce would be refused)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        with open(AXE_PATH, encoding="utf-8") as fh:
            page.evaluate(fh.read() + "\n;undefined")
    result = page.evaluate(
        """async (disabled) => {
            const rules = {};
            for (const id of disabled) { rules[id] = { enabled: false }; }
            const r = await axe.run(document, { rules, resultTypes: ["violations"] });
            return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")) }));
        }""",
        list(disable),
    )
    found = [v for v in result if v["impact"] in impacts]
    assert not found, f"axe found problems on {page.url}:\n" + "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']} at {v['targets']}" for v in found
    )


# --- The audit log's append-only triggers vs. transactional tests on SQLite -------------------
#
# Transactional tests (asgi_server, threads) end with a flush; SQLite's flush DELETEs rows, which
# the audit log's triggers refuse (PostgreSQL TRUNCATEs, which row triggers do not see). The
# triggers come off just for that flush and are back before every test that uses the database.

_AUDIT_TRIGGERS = {
    "core_auditentry_no_update": "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE "
    "ON core_auditentry BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "core_auditentry_no_delete": "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE "
    "ON core_auditentry BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
}


@pytest.fixture(autouse=True)
def _audit_log_append_only(request):
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in names
        or "live_server" in names
        or bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    )
    if not transactional and "db" not in names and marker is None:
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for statement in _AUDIT_TRIGGERS.values():
                cursor.execute(statement)
    yield
    if transactional and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name in _AUDIT_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
