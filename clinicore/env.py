"""Typed readers for configuration from environment variables; bad values fail loudly at start."""

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [part.strip() for part in raw.split(",") if part.strip()]


def _sqlite_test_path() -> str:
    """Where a test run keeps its throwaway SQLite database (memory-backed when possible)."""
    import tempfile

    shm = "/dev/shm"  # noqa: S108 - a per-process test database, never user data
    base = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else tempfile.gettempdir()
    return os.path.join(base, f"clinicore-test-{os.getpid()}.sqlite3")


def parse_database_url(url: str, *, base_dir) -> dict:
    """Turns `sqlite:///path`, `postgres://user:pass@host:port/name` into a DATABASES entry."""
    parsed = urlparse(url)
    options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if (
            path.startswith("/")
            and url.startswith("sqlite:///")
            and not url.startswith("sqlite:////")
        ):
            path = path[1:]
        name = path if os.path.isabs(path) else str(base_dir / path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                # WAL lets readers run beside the single writer; IMMEDIATE makes every write
                # transaction take the write lock at BEGIN, so check-then-insert is serialized.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    " PRAGMA busy_timeout=20000;"
                ),
            },
            # A file (not :memory:) so test servers in threads and concurrency tests share it.
            "TEST": {"NAME": options.get("test_name") or _sqlite_test_path()},
        }
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        db = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": unquote(parsed.hostname or options.pop("host", "")),
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", "0")),
            "OPTIONS": {},
        }
        if "host" in options:
            db["HOST"] = options.pop("host")
        db["OPTIONS"].update(options)
        return db
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported")


def parse_email_url(url: str) -> dict:
    """`smtp://user:pass@host:port?tls=1`, `smtps://…`, `console://`, `locmem://` or `outbox://`
    (sandbox: messages stay on the outbox page) as Django 6.1's MAILERS setting."""
    parsed = urlparse(url)
    options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    if parsed.scheme in {"smtp", "smtps"}:
        return {
            "MAILERS": {
                "default": {
                    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "OPTIONS": {
                        "host": parsed.hostname or "127.0.0.1",
                        "port": parsed.port or (465 if parsed.scheme == "smtps" else 25),
                        "username": unquote(parsed.username or ""),
                        "password": unquote(parsed.password or ""),
                        "use_tls": options.get("tls") in {"1", "true"},
                        "use_ssl": parsed.scheme == "smtps",
                        "timeout": int(options.get("timeout", "10")),
                    },
                }
            }
        }
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "outbox": "django.core.mail.backends.locmem.EmailBackend",
    }
    if parsed.scheme in backends:
        return {"MAILERS": {"default": {"BACKEND": backends[parsed.scheme]}}}
    raise ImproperlyConfigured(f"EMAIL_URL scheme {parsed.scheme!r} is not supported")
