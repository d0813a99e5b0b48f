#!/usr/bin/env bash
# The periodic scheduler (reminders, hold and payment-session expiry, overdue invoices, …).
# A second one is harmless: jobs are claimed with row locks, never run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python manage.py scheduler
