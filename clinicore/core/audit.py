"""Recording audit entries: field names only, never values, so no health data lands here."""

from collections.abc import Iterable

from clinicore.core import context
from clinicore.core.models import AuditEntry


def audit_record(
    *,
    action: str,
    entity_type: str,
    entity_id: object = "",
    clinic_id: object | None = None,
    actor=None,
    fields: Iterable[str] = (),
) -> AuditEntry:
    ctx = context.current()
    actor_id = getattr(actor, "pk", None) or (ctx.user_id or None)
    return AuditEntry.objects.create(
        actor_id=actor_id,
        actor_label=(getattr(actor, "email", "") or "")[:200],
        clinic_id=clinic_id or (ctx.clinic_id or None),
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id or ""),
        fields=sorted(set(fields)),
        ip=ctx.ip or None,
        user_agent=ctx.user_agent[:300],
        request_id=ctx.request_id,
    )
