"""Clinic API keys: "<prefix>.<secret>", stored only as a hash; created, listed and revoked here."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.clinics.models import ApiKey, Clinic
from clinicore.clinics.permissions import all_permissions
from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, InvalidInput, NotFound


def api_key_hash(raw: str) -> str:
    # The secret part is 256 random bits, so one round of SHA-256 is enough (no stretching needed).
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_generate() -> tuple[str, str]:
    """A new raw key and its public prefix (the prefix finds the row; the hash proves the key)."""
    prefix = "ck_" + secrets.token_hex(6)  # 15 characters: fits ApiKey.prefix
    return f"{prefix}.{secrets.token_urlsafe(32)}", prefix


# --- Writes (re-exported by clinics.services) ------------------------------------------------


@transaction.atomic
def api_key_create(*, clinic: Clinic, actor, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """A new key for an integration; the raw key is returned here once and never stored."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the key a name that says which integration uses it.")
    unknown = sorted(set(scopes or []) - all_permissions())
    if unknown:
        errors["scopes"] = _("Unknown permissions: %(names)s.") % {"names": ", ".join(unknown)}
    elif not scopes:
        errors["scopes"] = _("Choose at least one permission for the key.")
    if errors:
        raise InvalidInput("; ".join(errors.values()), fields=errors)
    for _attempt in range(5):
        raw, prefix = api_key_generate()
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    clinic=clinic,
                    name=name,
                    prefix=prefix,
                    key_hash=api_key_hash(raw),
                    scopes=sorted(set(scopes)),
                    created_by=actor,
                )
            break
        except IntegrityError:
            continue
    else:
        raise Conflict(_("Could not make a unique key; try again."), code="api_key_collision")
    audit_record(
        action="api_key.create",
        entity_type="api_key",
        entity_id=key.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=["name", "scopes"],
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, clinic: Clinic, actor, api_key: ApiKey) -> ApiKey:
    if api_key.clinic_id != clinic.pk:
        raise NotFound(_("API key not found."))
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            action="api_key.revoke",
            entity_type="api_key",
            entity_id=api_key.pk,
            clinic_id=clinic.pk,
            actor=actor,
            fields=["revoked_at"],
        )
    return api_key


# --- Reads ------------------------------------------------------------------------------------


def api_key_get_for_clinic(*, clinic: Clinic, api_key_id) -> ApiKey:
    try:
        return ApiKey.objects.get(pk=api_key_id, clinic=clinic)
    except (ApiKey.DoesNotExist, ValueError, ValidationError):
        raise NotFound(_("API key not found."), code="not_found") from None


def api_key_list(*, clinic: Clinic):
    return ApiKey.objects.filter(clinic=clinic).select_related("created_by").order_by("-created_at")
