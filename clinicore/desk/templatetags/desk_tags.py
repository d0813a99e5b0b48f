"""Template helpers of the workspace: what the member's role allows, shown as links."""

from django import template

from clinicore.clinics.permissions import role_has

register = template.Library()


@register.filter
def can(membership, perm: str) -> bool:
    """`{% if current_membership|can:"reports.read" %}`: hides what the role cannot open."""
    return bool(membership is not None and role_has(membership.role, perm))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
