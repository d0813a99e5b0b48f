"""docs/permissions.md, generated from the permission matrix (a test fails when it is stale)."""

from clinicore.clinics.permissions import MATRIX, TWO_FACTOR_REQUIRED, Perm, Role

HEADER = """# Permissions

Generated from `clinicore/clinics/permissions.py` by `manage.py permissions_doc`; a test fails
when this file and the matrix disagree. Every API operation names the permission it needs in
its `x-permission` (see `/api/v1/openapi.json`) and every workspace page in
`workspace_view(...)`. Roles marked † must turn on two-factor authentication.
"""


def permission_names() -> list[str]:
    return sorted(value for key, value in vars(Perm).items() if key.isupper())


def permissions_markdown() -> str:
    roles = list(Role)
    head = (
        "| permission | "
        + " | ".join(f"{role.label}{' †' if role in TWO_FACTOR_REQUIRED else ''}" for role in roles)
        + " |"
    )
    rule = "| --- |" + " :---: |" * len(roles)
    rows = [
        f"| `{perm}` | " + " | ".join("✓" if perm in MATRIX[role] else "·" for role in roles) + " |"
        for perm in permission_names()
    ]
    return "\n".join([HEADER, head, rule, *rows, ""])
