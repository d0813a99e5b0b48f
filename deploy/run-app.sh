#!/usr/bin/env bash
# One stateless ASGI app server (HTTP + websockets). Run as many as the load needs, each on its
# own port behind the reverse proxy; they share state only through PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PORT:=8000}"
: "${WEB_CONCURRENCY:=2}"
exec .venv/bin/gunicorn clinicore.asgi:application \
  --worker-class uvicorn_worker.UvicornWorker \
  --workers "$WEB_CONCURRENCY" \
  --bind "127.0.0.1:${PORT}" \
  --graceful-timeout 30 \
  --forwarded-allow-ips 127.0.0.1
