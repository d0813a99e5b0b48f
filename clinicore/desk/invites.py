"""Inviting staff by email: an accept link (token shown once, kept as a hash) that makes the
person a member of the clinic with the role chosen, creating their account if needed.

The email is an outbox row written in the invitation's transaction (event `staff_invite`, in
the clinic's language): the worker sends it after commit and retries it through a mail-server
outage, so an invitation can be delayed but never lost."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinicore.clinics.permissions import Role
from clinicore.clinics.services import membership_create
from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from clinicore.core.messages import send_transactional_email
from clinicore.desk.models import StaffInvite

INVITE_DAYS = 7


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_link(token: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("join", kwargs={"token": token})


@transaction.atomic
def staff_invite(
    *, clinic, actor, email: str, role: str, full_name: str = ""
) -> tuple[StaffInvite, str]:
    """Records the invitation and queues its email in the same transaction; returns (invite, link)."""
    from clinicore.accounts.models import User
    from clinicore.clinics.models import Membership

    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInput(
            _("Enter the person's email address."), fields={"email": _("Invalid email.")}
        )
    if role not in Role.values:
        raise InvalidInput(_("Choose a role."), fields={"role": _("Unknown role.")})
    actor_role = (
        Membership.objects.filter(clinic=clinic, user=actor, is_active=True)
        .values_list("role", flat=True)
        .first()
    )
    if role == Role.OWNER and actor_role != Role.OWNER:
        raise Forbidden(_("Only an owner can invite another owner."), code="owner_only")
    user = User.objects.filter(email__iexact=email).first()
    if user and Membership.objects.filter(clinic=clinic, user=user, is_active=True).exists():
        raise Conflict(
            _("%(email)s already works at this clinic.") % {"email": email}, code="already_member"
        )
    StaffInvite.objects.filter(
        clinic=clinic, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invite = StaffInvite.objects.create(
        clinic=clinic,
        email=email,
        full_name=(full_name or "").strip()[:200],
        role=role,
        token_hash=_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=INVITE_DAYS),
    )
    audit_record(
        action="staff.invite",
        entity_type="staff_invite",
        entity_id=invite.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=["email", "role"],
    )
    link = invite_link(token)
    _email_queue(invite, link)
    return invite, link


def _email_queue(invite: StaffInvite, link: str) -> None:
    """The invitation email as an outbox row of the caller's transaction (a platform message, so
    the link is not listed on the clinic's own outbox page)."""
    clinic = invite.clinic
    language = clinic.default_language or "en"
    inviter = invite.invited_by
    with translation.override(language):
        role = str(Role(invite.role).label)
    send_transactional_email(
        event="staff_invite",
        to=invite.email,
        recipient_key=f"invite:{invite.pk}",
        name=invite.full_name,
        language=language,
        context={
            "clinic_name": clinic.name,
            "inviter_name": (inviter.full_name or inviter.email) if inviter else "",
            "role": role,
            "link": link,
            "days": INVITE_DAYS,
        },
        dedupe_key=f"staff_invite:{invite.pk}",
        ref=f"staff_invite:{invite.pk}",
    )


def invite_by_token(token: str) -> StaffInvite:
    invite = (
        StaffInvite.objects.select_related("clinic").filter(token_hash=_hash(token or "")).first()
    )
    if invite is None or not invite.is_open:
        raise NotFound(
            _("This invitation is not valid any more; ask the clinic for a new one."),
            code="invite_invalid",
        )
    return invite


@transaction.atomic
def staff_invite_accept(*, token: str, user=None, full_name: str = "", password: str = ""):
    """Accepts as the signed-in `user` (whose email must match), or creates the account."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from clinicore.accounts.models import User

    invite = invite_by_token(token)
    invite = StaffInvite.objects.select_for_update().get(pk=invite.pk)
    if user is not None and user.is_authenticated:
        if user.email.lower() != invite.email:
            raise Forbidden(
                _("This invitation is for %(email)s; sign in with that address.")
                % {"email": invite.email},
                code="invite_email",
            )
    else:
        user = User.objects.filter(email__iexact=invite.email).first()
        if user is not None and user.has_usable_password():
            raise Conflict(
                _("You already have an account: sign in, then open the link again."),
                code="sign_in_first",
            )
        candidate = user or User(email=invite.email, full_name=full_name.strip()[:200])
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise InvalidInput(
                " ".join(exc.messages), fields={"password": " ".join(exc.messages)}
            ) from None
        if user is None:
            user = User.objects.create_user(
                email=invite.email,
                password=password,
                full_name=(full_name or invite.full_name).strip()[:200],
            )
        else:
            user.set_password(password)
            user.full_name = user.full_name or (full_name or invite.full_name).strip()[:200]
            user.save()
        if hasattr(user, "email_verified") and not user.email_verified:
            user.email_verified = True  # the link reached this address
            user.save(update_fields=["email_verified"])
    membership = membership_create(
        clinic=invite.clinic, actor=invite.invited_by, user=user, role=invite.role
    )
    invite.accepted_at = timezone.now()
    invite.membership = membership
    invite.save(update_fields=["accepted_at", "membership", "updated_at"])
    audit_record(
        action="staff.invite_accept",
        entity_type="staff_invite",
        entity_id=invite.pk,
        clinic_id=invite.clinic_id,
        actor=user,
        fields=["accepted_at"],
    )
    return membership
