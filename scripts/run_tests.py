"""Runs the whole suite on SQLite, then on a throwaway PostgreSQL cluster it starts itself.

Extra arguments go to pytest (e.g. `-k booking`). `--db sqlite` or `--db postgres` runs one.
With CI=true a missing PostgreSQL fails the run instead of skipping it.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import pgcluster  # noqa: E402


def pytest(env_extra: dict, args: list[str]) -> int:
    env = {**os.environ, "CLINICORE_ENV": "test", "DJANGO_ALLOW_ASYNC_UNSAFE": "true", **env_extra}
    env.pop("DATABASE_URL", None) if "DATABASE_URL" not in env_extra else None
    cmd = [str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest", *args]
    started = time.monotonic()
    code = subprocess.call(cmd, cwd=ROOT, env=env)
    print(
        f"[tests] {env_extra.get('LABEL', '')} finished in {time.monotonic() - started:.0f}s with exit code {code}",
        flush=True,
    )
    return code


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--workers",
        default=os.environ.get("TEST_WORKERS", "2"),
        help="pytest-xdist workers per database run (0 = no xdist); default 2, one per core",
    )
    known, rest = parser.parse_known_args()
    if known.workers not in ("", "0") and not any(a == "-n" or a.startswith("-n") for a in rest):
        rest = ["-n", known.workers, "--dist", "loadfile", *rest]
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    results = {}
    if known.db in {"sqlite", "both"}:
        print("[tests] === SQLite ===", flush=True)
        results["sqlite"] = pytest({"LABEL": "SQLite"}, rest)
    if known.db in {"postgres", "both"}:
        print("[tests] === PostgreSQL ===", flush=True)
        try:
            with pgcluster.cluster() as url:
                results["postgres"] = pytest({"DATABASE_URL": url, "LABEL": "PostgreSQL"}, rest)
        except pgcluster.PostgresUnavailable as exc:
            print(f"[tests] PostgreSQL unavailable: {exc}", flush=True)
            results["postgres"] = 1 if ci else 0
            if not ci:
                print(
                    "[tests] PostgreSQL run SKIPPED (set CI=true to make this a failure)",
                    flush=True,
                )
    failed = [name for name, code in results.items() if code not in (0,)]
    print(f"[tests] summary: {results}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
