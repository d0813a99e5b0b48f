#!/usr/bin/env bash
# A task worker (outbox delivery, webhooks to process, exports). Several may run at once:
# each task row is claimed by exactly one worker.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python manage.py db_worker --no-reload --queue-name '*'
