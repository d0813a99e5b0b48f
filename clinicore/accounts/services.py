"""Every write to accounts: sign-up, verification, sign-in checks, passwords, refresh tokens, 2FA."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicore.accounts import emails, lockout
from clinicore.accounts.models import RefreshToken, TwoFactorDevice, User
from clinicore.accounts.tokens import email_verification_read, refresh_token_hash, refresh_token_new
from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, InvalidInput, NotAuthenticated

TOTP_ISSUER = "Clinicore"
RECOVERY_CODE_COUNT = 10


# --- Sign-up and email verification ---------------------------------------------------------


def _password_validate(password: str, user: User | None, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), fields={field: " ".join(exc.messages)}) from None


@transaction.atomic
def user_register(
    *, email: str, password: str, full_name: str, phone: str = "", preferred_language: str = "en"
) -> User:
    """A patient's own account. The email must be confirmed through the link we send."""
    email = (email or "").strip().lower()
    full_name = (full_name or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            _("Enter a valid email address."), fields={"email": _("Not an email address.")}
        ) from None
    if not full_name:
        raise InvalidInput(_("Your full name is required."), fields={"full_name": _("Required.")})
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            _("An account with this email already exists. Sign in or reset your password."),
            code="email_taken",
        )
    user = User(
        email=email,
        full_name=full_name,
        phone=(phone or "").strip(),
        preferred_language=preferred_language,
    )
    _password_validate(password, user, "password")
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(
            _("An account with this email already exists."), code="email_taken"
        ) from None
    audit_record(
        action="user.register",
        entity_type="user",
        entity_id=user.pk,
        actor=user,
        fields=["email", "full_name", "phone", "preferred_language"],
    )
    verification_email_queue(user=user)
    return user


def verification_email_queue(*, user: User) -> None:
    """The email is an outbox row of this transaction; the worker sends it after commit."""
    with transaction.atomic():
        emails.verification_email_send(user.pk)


@transaction.atomic
def email_verify(*, token: str) -> User:
    data = email_verification_read(token or "")
    user = None
    if data:
        user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email != data.get("e"):
        raise InvalidInput(
            _("This verification link is not valid or has expired. Ask for a new one."),
            code="invalid_token",
        )
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
        audit_record(
            action="user.email_verify",
            entity_type="user",
            entity_id=user.pk,
            actor=user,
            fields=["email_verified"],
        )
    return user


# --- Sign-in ----------------------------------------------------------------------------------


def _known_user_id(email: str):
    return (
        User.objects.filter(email__iexact=(email or "").strip())
        .values_list("pk", flat=True)
        .first()
    )


def credentials_check(*, email: str, password: str, ip: str) -> User:
    """The account for these credentials, or NotAuthenticated; locked-out callers get RateLimited.

    A failure counts towards the lockout of the email and of the address it came from.
    """
    email = (email or "").strip().lower()
    lockout.lockout_check(email=email, ip=ip)
    user = authenticate(None, email=email, password=password)
    if user is None:
        lockout.failure_record(email=email, ip=ip)
        audit_record(
            action="auth.sign_in_failed",
            entity_type="user",
            entity_id=_known_user_id(email) or "",
            actor=None,
        )
        lockout.lockout_check(email=email, ip=ip)  # the failure that reaches the limit says so
        raise NotAuthenticated(_("Email or password is wrong."), code="invalid_credentials")
    return user


def sign_in_record(*, user: User, via: str, two_factor: bool = False) -> None:
    lockout.success_record(email=user.email)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    audit_record(
        action="auth.sign_in",
        entity_type="user",
        entity_id=user.pk,
        actor=user,
        fields=[via, "otp"] if two_factor else [via],
    )


def sign_out_record(*, user: User, via: str) -> None:
    audit_record(
        action="auth.sign_out", entity_type="user", entity_id=user.pk, actor=user, fields=[via]
    )


# --- Passwords --------------------------------------------------------------------------------


def _tokens_invalidate(user: User) -> None:
    """Kills every refresh token and access token of the person (other devices sign in again)."""
    User.objects.filter(pk=user.pk).update(token_epoch=F("token_epoch") + 1)
    user.refresh_from_db(fields=["token_epoch"])
    RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str) -> User:
    if not user.check_password(current_password or ""):
        raise InvalidInput(
            _("Your current password is wrong."),
            code="wrong_password",
            fields={"current_password": _("This is not your current password.")},
        )
    return password_set(user=user, new_password=new_password, reason="change")


@transaction.atomic
def password_set(*, user: User, new_password: str, reason: str) -> User:
    """Sets a new password (after a change or a reset) and ends every API session."""
    _password_validate(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _tokens_invalidate(user)
    audit_record(
        action=f"auth.password_{reason}",
        entity_type="user",
        entity_id=user.pk,
        actor=user,
        fields=["password"],
    )
    emails.security_notice_send(user.pk, notice=gettext_lazy("Your password was changed."))
    return user


def password_reset_request(*, email: str) -> None:
    """Emails a reset link when the account exists; says nothing either way (no enumeration)."""
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    with transaction.atomic():
        audit_record(
            action="auth.password_reset_request", entity_type="user", entity_id=user.pk, actor=user
        )
        emails.password_reset_email_send(user.pk)


# --- Refresh tokens ---------------------------------------------------------------------------


@dataclass
class Rotation:
    user: User
    token: RefreshToken
    raw: str


def refresh_token_issue(
    *,
    user: User,
    clinic_id=None,
    otp_verified: bool = False,
    ip: str = "",
    user_agent: str = "",
    family: uuid.UUID | None = None,
) -> tuple[RefreshToken, str]:
    raw, digest = refresh_token_new()
    token = RefreshToken.objects.create(
        user=user,
        family=family or uuid.uuid4(),
        token_hash=digest,
        clinic_id=clinic_id,
        epoch=user.token_epoch,
        otp_verified=otp_verified,
        expires_at=timezone.now() + timedelta(seconds=settings.JWT_REFRESH_TTL_SECONDS),
        ip=ip or None,
        user_agent=(user_agent or "")[:300],
    )
    return token, raw


def _refused(message: str, code: str) -> NotAuthenticated:
    return NotAuthenticated(message, code=code)


def refresh_token_rotate(*, raw: str, ip: str = "", user_agent: str = "") -> Rotation:
    """Spends a refresh token and returns its successor in the same family.

    A token presented a second time was copied: the whole family is revoked (the thief and the
    owner both have to sign in again) and the caller gets 401.
    """
    now = timezone.now()
    refusal = None
    with transaction.atomic():
        token = (
            RefreshToken.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=refresh_token_hash(raw or ""))
            .first()
        )
        if token is None:
            raise _refused(_("This refresh token is not valid."), "invalid_refresh_token")
        if token.revoked_at is not None:
            raise _refused(
                _("This refresh token was revoked. Sign in again."), "refresh_token_revoked"
            )
        if token.used_at is not None:
            RefreshToken.objects.filter(family=token.family, revoked_at__isnull=True).update(
                revoked_at=now
            )
            audit_record(
                action="auth.refresh_reuse",
                entity_type="user",
                entity_id=token.user_id,
                actor=token.user,
                fields=["family"],
            )
            refusal = _refused(
                _(
                    "This refresh token was already used, so every session it started has been "
                    "ended. Sign in again."
                ),
                "refresh_token_reused",
            )
        elif token.expires_at <= now:
            raise _refused(
                _("This refresh token has expired. Sign in again."), "refresh_token_expired"
            )
        elif not token.user.is_active or token.epoch != token.user.token_epoch:
            raise _refused(
                _("This refresh token is no longer valid. Sign in again."), "refresh_token_revoked"
            )
        else:
            successor, new_raw = refresh_token_issue(
                user=token.user,
                clinic_id=token.clinic_id,
                otp_verified=token.otp_verified,
                ip=ip,
                user_agent=user_agent,
                family=token.family,
            )
            token.used_at = now
            token.replaced_by = successor
            token.save(update_fields=["used_at", "replaced_by"])
            return Rotation(user=token.user, token=successor, raw=new_raw)
    raise refusal


@transaction.atomic
def refresh_family_revoke(*, raw: str) -> User | None:
    """Signs out the device holding this refresh token (its whole family). Unknown tokens: no-op."""
    token = (
        RefreshToken.objects.select_related("user")
        .filter(token_hash=refresh_token_hash(raw or ""))
        .first()
    )
    if token is None:
        return None
    RefreshToken.objects.filter(family=token.family, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    sign_out_record(user=token.user, via="api")
    return token.user


# --- Two-factor (TOTP) -------------------------------------------------------------------------


def _totp(device: TwoFactorDevice) -> pyotp.TOTP:
    return pyotp.TOTP(device.secret)


def two_factor_device(user: User) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user).first()


def two_factor_enabled(user: User) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def two_factor_provisioning_uri(device: TwoFactorDevice) -> str:
    return _totp(device).provisioning_uri(name=device.user.email, issuer_name=TOTP_ISSUER)


@transaction.atomic
def two_factor_setup_begin(*, user: User) -> TwoFactorDevice:
    """A new, unconfirmed authenticator secret (kept until confirmed with a code from the app)."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.is_enabled:
        raise Conflict(_("Two-factor authentication is already on."), code="two_factor_enabled")
    if device is None:
        device = TwoFactorDevice.objects.create(user=user, secret=pyotp.random_base32())
    return device


def _recovery_hash(code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def _recovery_codes_new() -> list[str]:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _j in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def _totp_accept(device: TwoFactorDevice, code: str) -> bool:
    """Checks a 6-digit code (one step of clock drift allowed), never the same step twice."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return False
    totp = _totp(device)
    now = timezone.now()
    for drift in (0, -1, 1):
        at = now + timedelta(seconds=drift * totp.interval)
        step = totp.timecode(at)
        if device.last_step is not None and step <= device.last_step:
            continue
        if secrets.compare_digest(totp.at(at), code):
            device.last_step = step
            device.save(update_fields=["last_step"])
            return True
    return False


@transaction.atomic
def two_factor_confirm(*, user: User, code: str) -> list[str]:
    """Turns 2FA on once the app shows a right code; returns recovery codes (shown once)."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        raise Conflict(_("Start the two-factor set-up first."), code="two_factor_not_started")
    if device.is_enabled:
        raise Conflict(_("Two-factor authentication is already on."), code="two_factor_enabled")
    if not _totp_accept(device, code):
        message = _("That code is not right. Check the time on your phone and try again.")
        raise InvalidInput(message, code="otp_invalid", fields={"code": message})
    codes = _recovery_codes_new()
    device.confirmed_at = timezone.now()
    device.recovery_code_hashes = [_recovery_hash(c) for c in codes]
    device.save(update_fields=["confirmed_at", "recovery_code_hashes"])
    audit_record(
        action="auth.two_factor_enable",
        entity_type="user",
        entity_id=user.pk,
        actor=user,
        fields=["two_factor"],
    )
    return codes


@transaction.atomic
def two_factor_verify(*, user: User, code: str, ip: str = "") -> bool:
    """Checks a TOTP code or an unused recovery code at sign-in (a recovery code works once).

    Wrong codes count towards the sign-in lockout like wrong passwords.
    """
    lockout.lockout_check(email=user.email, ip=ip)
    device = (
        TwoFactorDevice.objects.select_for_update()
        .filter(user=user, confirmed_at__isnull=False)
        .first()
    )
    if device is None:
        return False
    if _totp_accept(device, code):
        return True
    digest = _recovery_hash(code or "")
    if len(code or "") >= 10 and digest in device.recovery_code_hashes:
        device.recovery_code_hashes = [h for h in device.recovery_code_hashes if h != digest]
        device.save(update_fields=["recovery_code_hashes"])
        audit_record(
            action="auth.recovery_code_use", entity_type="user", entity_id=user.pk, actor=user
        )
        return True
    lockout.failure_record(email=user.email, ip=ip)
    audit_record(
        action="auth.sign_in_failed",
        entity_type="user",
        entity_id=user.pk,
        actor=None,
        fields=["otp"],
    )
    return False


@transaction.atomic
def two_factor_disable(*, user: User, password: str) -> None:
    if not user.check_password(password or ""):
        raise InvalidInput(
            _("Your password is wrong."),
            code="wrong_password",
            fields={"password": _("This is not your password.")},
        )
    deleted, _detail = TwoFactorDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record(
            action="auth.two_factor_disable",
            entity_type="user",
            entity_id=user.pk,
            actor=user,
            fields=["two_factor"],
        )
        emails.security_notice_send(
            user.pk, notice=gettext_lazy("Two-factor sign-in was turned off for your account.")
        )
