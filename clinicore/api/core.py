"""The one REST API: mounts each app's router, auth, errors, pagination, rate limits."""

from clinicore.api import errors
from clinicore.api.auth import API_AUTH
from clinicore.api.openapi import ClinicoreAPI

DESCRIPTION = """
Clinicore's REST API for mobile apps and integrations.

**Authentication.** Send `Authorization: Bearer <access token>` (from `POST /api/v1/auth/login`,
valid about 15 minutes; renew it with `POST /api/v1/auth/refresh`), or a clinic integration key
in `X-Clinic-API-Key`. A token is bound to the clinic its user acts for.

**Errors** are `application/problem+json` with a stable `code`; validation errors list `fields`.

**Lists** take `limit` (1–100, default 25) and `offset`, and answer
`{items, count, limit, offset, next_offset}`.

**Permissions.** Each operation's `x-permission` names the permission it needs; the roles that
hold it are listed in `docs/permissions.md`.
"""

api = ClinicoreAPI(
    title="Clinicore API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)

# Each app's router, mounted under /api/v1/<prefix>.
api.add_router("/auth", "clinicore.accounts.api.router")
api.add_router("/clinics", "clinicore.clinics.api.router")
api.add_router("/audit", "clinicore.clinics.api.audit_router")
api.add_router("/patients", "clinicore.patients.api.router")
api.add_router("/records", "clinicore.records.api.router")
api.add_router("/notifications", "clinicore.notifications.api.router")
api.add_router("/appointments", "clinicore.scheduling.api.router")
api.add_router("/scheduling", "clinicore.scheduling.api_manage.manage_router")
api.add_router("/billing", "clinicore.billing.api.billing_router")
api.add_router("/payments", "clinicore.billing.api.payments_router")
api.add_router("/chat", "clinicore.messaging.api.router")
api.add_router("/telehealth", "clinicore.telehealth.api.router")
api.add_router("/reports", "clinicore.reports.api.router")
api.add_router("/barcodes", "clinicore.desk.api.router")
