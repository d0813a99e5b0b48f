"""Every write to the tenant: clinics, branches and rooms, staff memberships (and API keys)."""

import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clinicore.clinics.models import Branch, Clinic, Membership, Room
from clinicore.clinics.permissions import Role
from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, Forbidden, InvalidInput
from clinicore.core.money import CURRENCIES

# --- Clinics, branches, staff -------------------------------------------------------------------

CLINIC_PROFILE_FIELDS = (
    "name",
    "kind",
    "tagline",
    "about",
    "time_zone",
    "currency",
    "default_language",
    "address_line",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
    "email",
    "website",
    "slot_step_minutes",
    "upi_vpa",
)
RESERVED_SLUGS = frozenset(
    {"admin", "api", "ops", "desk", "me", "static", "media", "hooks", "accounts"}
)


def _valid_time_zone(value: str) -> bool:
    if not value or value != value.strip():
        return False
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return value in zoneinfo.available_timezones() or value == "UTC"


def _clean_clinic_profile(data: dict) -> dict:
    unknown = set(data) - set(CLINIC_PROFILE_FIELDS)
    if unknown:
        raise InvalidInput(fields={name: _("Unknown field.") for name in sorted(unknown)})
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    errors = {}
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = _("The clinic needs a name.")
    if "time_zone" in cleaned and not _valid_time_zone(cleaned["time_zone"]):
        errors["time_zone"] = _(
            "Use an IANA time zone name, such as Asia/Kolkata or America/New_York."
        )
    if "currency" in cleaned:
        cleaned["currency"] = (cleaned["currency"] or "").upper()
        if cleaned["currency"] not in CURRENCIES:
            errors["currency"] = _("Choose one of: %(choices)s.") % {
                "choices": ", ".join(CURRENCIES)
            }
    if "kind" in cleaned and cleaned["kind"] not in Clinic.Kind.values:
        errors["kind"] = _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(Clinic.Kind.values)
        }
    if "default_language" in cleaned and cleaned["default_language"] not in dict(
        settings.LANGUAGES
    ):
        errors["default_language"] = _("Choose a language the platform offers.")
    if "country" in cleaned:
        cleaned["country"] = (cleaned["country"] or "").upper()
        if len(cleaned["country"]) != 2 or not cleaned["country"].isalpha():
            errors["country"] = _("Use a two-letter country code, such as IN or US.")
    if "slot_step_minutes" in cleaned and cleaned["slot_step_minutes"] not in (
        5,
        10,
        15,
        20,
        30,
        60,
    ):
        errors["slot_step_minutes"] = _("Choose 5, 10, 15, 20, 30 or 60 minutes.")
    if "email" in cleaned and cleaned["email"]:
        cleaned["email"] = cleaned["email"].lower()
    if errors:
        raise InvalidInput("; ".join(errors.values()), fields=errors)
    return cleaned


@transaction.atomic
def clinic_create(*, actor=None, name: str, slug: str = "", owner=None, **profile) -> Clinic:
    """A new tenant. `owner` (a user) becomes its first owner when given."""
    cleaned = _clean_clinic_profile({"name": name, **profile})
    slug = slugify(slug or name)[:80]
    if not slug or slug in RESERVED_SLUGS:
        raise InvalidInput(
            _("Choose another web address."), fields={"slug": _("This address is not available.")}
        )
    if Clinic.objects.filter(slug=slug).exists():
        raise Conflict(
            _("Another clinic uses this web address."),
            code="slug_taken",
            fields={"slug": _("Taken.")},
        )
    clinic = Clinic.objects.create(slug=slug, **cleaned)
    audit_record(
        action="clinic.create",
        entity_type="clinic",
        entity_id=clinic.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=["slug", *cleaned.keys()],
    )
    if owner is not None:
        # The platform names the first owner; no owner exists yet to approve it.
        membership_create(clinic=clinic, actor=None, user=owner, role=Role.OWNER)
    return clinic


@transaction.atomic
def clinic_update(*, clinic: Clinic, actor=None, **data) -> Clinic:
    cleaned = _clean_clinic_profile(data)
    changed = [name for name, value in cleaned.items() if getattr(clinic, name) != value]
    for name in changed:
        setattr(clinic, name, cleaned[name])
    if changed:
        clinic.save(update_fields=[*changed, "updated_at"])
    audit_record(
        action="clinic.update",
        entity_type="clinic",
        entity_id=clinic.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=changed,
    )
    return clinic


def _clinic_set(*, clinic: Clinic, actor, field: str, value: str, action: str) -> Clinic:
    if getattr(clinic, field) != value:
        setattr(clinic, field, value)
        clinic.save(update_fields=[field, "updated_at"])
    audit_record(
        action=action,
        entity_type="clinic",
        entity_id=clinic.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=[field],
    )
    return clinic


@transaction.atomic
def clinic_suspend(*, clinic: Clinic, actor=None) -> Clinic:
    """A suspended clinic's pages, workspace and API keys stop answering; nothing is deleted."""
    return _clinic_set(
        clinic=clinic,
        actor=actor,
        field="status",
        value=Clinic.Status.SUSPENDED,
        action="clinic.suspend",
    )


@transaction.atomic
def clinic_reactivate(*, clinic: Clinic, actor=None) -> Clinic:
    return _clinic_set(
        clinic=clinic,
        actor=actor,
        field="status",
        value=Clinic.Status.ACTIVE,
        action="clinic.reactivate",
    )


@transaction.atomic
def clinic_tier_change(*, clinic: Clinic, actor=None, tier: str) -> Clinic:
    if tier not in Clinic.Tier.values:
        raise InvalidInput(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(Clinic.Tier.values)},
            fields={"tier": _("Unknown tier.")},
        )
    return _clinic_set(
        clinic=clinic, actor=actor, field="tier", value=tier, action="clinic.tier_change"
    )


@transaction.atomic
def branch_create(
    *,
    clinic: Clinic,
    actor=None,
    name: str,
    address_line: str = "",
    city: str = "",
    phone: str = "",
) -> Branch:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("The branch needs a name."), fields={"name": _("Required.")})
    if Branch.objects.filter(clinic=clinic, name__iexact=name).exists():
        raise Conflict(
            _("The clinic already has a branch with this name."),
            code="branch_exists",
            fields={"name": _("Taken.")},
        )
    branch = Branch.objects.create(
        clinic=clinic,
        name=name,
        address_line=address_line.strip(),
        city=city.strip(),
        phone=phone.strip(),
    )
    audit_record(
        action="branch.create",
        entity_type="branch",
        entity_id=branch.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=["name", "address_line", "city", "phone"],
    )
    return branch


@transaction.atomic
def room_create(*, branch: Branch, actor=None, name: str) -> Room:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("The room needs a name."), fields={"name": _("Required.")})
    try:
        with transaction.atomic():
            room = Room.objects.create(clinic_id=branch.clinic_id, branch=branch, name=name)
    except IntegrityError:
        raise Conflict(
            _("This branch already has a room with this name."), code="room_exists"
        ) from None
    audit_record(
        action="room.create",
        entity_type="room",
        entity_id=room.pk,
        clinic_id=branch.clinic_id,
        actor=actor,
        fields=["name", "branch"],
    )
    return room


STAFF_FIELDS = ("role", "title", "specialization", "licence_number", "bio", "branch_id")


def _acting_role(clinic: Clinic, actor) -> str | None:
    if actor is None:
        return None
    m = Membership.objects.filter(clinic=clinic, user=actor, is_active=True).only("role").first()
    return m.role if m else None


def _other_active_owners(membership: Membership) -> int:
    return (
        Membership.objects.filter(clinic_id=membership.clinic_id, role=Role.OWNER, is_active=True)
        .exclude(pk=membership.pk)
        .count()
    )


def _clean_staff(clinic: Clinic, data: dict) -> dict:
    unknown = set(data) - set(STAFF_FIELDS)
    if unknown:
        raise InvalidInput(fields={name: _("Unknown field.") for name in sorted(unknown)})
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    if "role" in cleaned and cleaned["role"] not in Role.values:
        raise InvalidInput(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(Role.values)},
            fields={"role": _("Unknown role.")},
        )
    if (
        cleaned.get("branch_id")
        and not Branch.objects.filter(clinic=clinic, pk=cleaned["branch_id"]).exists()
    ):
        raise InvalidInput(
            _("No such branch at this clinic."), fields={"branch_id": _("Unknown branch.")}
        )
    return cleaned


def _guard_owner_change(
    *, clinic: Clinic, actor, granting_owner: bool, touching_owner: bool
) -> None:
    """Only an owner may make someone an owner or change an owner's membership."""
    if actor is None or not (granting_owner or touching_owner):
        return
    if _acting_role(clinic, actor) != Role.OWNER:
        raise Forbidden(
            _("Only an owner can change an owner's membership or make someone an owner."),
            code="owner_only",
        )


@transaction.atomic
def membership_create(*, clinic: Clinic, actor=None, user, role: str, **data) -> Membership:
    """Gives `user` a job at `clinic`; a former member is re-activated with the new role."""
    cleaned = _clean_staff(clinic, {"role": role, **data})
    _guard_owner_change(
        clinic=clinic,
        actor=actor,
        granting_owner=cleaned["role"] == Role.OWNER,
        touching_owner=False,
    )
    existing = Membership.objects.select_for_update().filter(clinic=clinic, user=user).first()
    if existing is not None and existing.is_active:
        raise Conflict(
            _("%(email)s already works at this clinic.") % {"email": user.email},
            code="already_member",
            fields={"email": _("Already a member.")},
        )
    if existing is not None:
        for name, value in cleaned.items():
            setattr(existing, name, value)
        existing.is_active = True
        existing.save(update_fields=[*cleaned.keys(), "is_active", "updated_at"])
        membership = existing
    else:
        membership = Membership.objects.create(clinic=clinic, user=user, **cleaned)
    audit_record(
        action="membership.create",
        entity_type="membership",
        entity_id=membership.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=["user", *cleaned.keys()],
    )
    return membership


@transaction.atomic
def staff_add(
    *, clinic: Clinic, actor=None, email: str, full_name: str = "", role: str, **data
) -> Membership:
    """Adds a person by email. Someone new gets an account without a password: they set one
    through "forgot password" (the invitation email says so)."""
    from clinicore.accounts.models import User

    email = (email or "").strip().lower()
    if "@" not in email:
        raise InvalidInput(
            _("Enter the person's email address."), fields={"email": _("Invalid email.")}
        )
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=None, full_name=(full_name or "").strip()
        )
    return membership_create(clinic=clinic, actor=actor, user=user, role=role, **data)


@transaction.atomic
def staff_update(*, membership: Membership, actor=None, **data) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    clinic = membership.clinic
    cleaned = _clean_staff(clinic, data)
    new_role = cleaned.get("role", membership.role)
    _guard_owner_change(
        clinic=clinic,
        actor=actor,
        granting_owner=new_role == Role.OWNER,
        touching_owner=membership.role == Role.OWNER,
    )
    if (
        membership.role == Role.OWNER
        and new_role != Role.OWNER
        and _other_active_owners(membership) == 0
    ):
        raise Conflict(
            _(
                "The clinic's last owner cannot be given another role; make someone else owner first."
            ),
            code="last_owner",
        )
    changed = [name for name, value in cleaned.items() if getattr(membership, name) != value]
    for name in changed:
        setattr(membership, name, cleaned[name])
    if changed:
        membership.save(update_fields=[*changed, "updated_at"])
    audit_record(
        action="membership.update",
        entity_type="membership",
        entity_id=membership.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=changed,
    )
    return membership


@transaction.atomic
def staff_deactivate(*, membership: Membership, actor=None) -> Membership:
    """Ends a person's access to the clinic; their history (appointments, notes) stays."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    clinic = membership.clinic
    _guard_owner_change(
        clinic=clinic,
        actor=actor,
        granting_owner=False,
        touching_owner=membership.role == Role.OWNER,
    )
    if (
        membership.role == Role.OWNER
        and membership.is_active
        and _other_active_owners(membership) == 0
    ):
        raise Conflict(_("The clinic's last owner cannot be removed."), code="last_owner")
    if actor is not None and membership.user_id == actor.pk and membership.role != Role.OWNER:
        raise Conflict(_("You cannot remove yourself; ask an owner."), code="self_removal")
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active", "updated_at"])
    audit_record(
        action="membership.deactivate",
        entity_type="membership",
        entity_id=membership.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=["is_active"],
    )
    return membership


# --- API keys -----------------------------------------------------------------------------------
# The writes live with the key format and hashing in clinics/api_keys.py (accounts' part of the work).
from clinicore.clinics.api_keys import api_key_create, api_key_revoke  # noqa: E402, F401
