"""Every write the patient portal makes: registration, profile, contact choices, account requests."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.accounts.models import User
from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.patients.models import Patient
from clinicore.patients.services import patient_create, patient_update
from clinicore.portal.models import DeletionRequest, SignedInSession

LANGUAGE_CODES = ("en", "hi", "zh-hans", "zh-hant", "ja", "es")


def _split_name(full_name: str) -> tuple[str, str]:
    parts = full_name.strip().split(None, 1)
    return (parts[0], parts[1] if len(parts) > 1 else "")


@transaction.atomic
def patient_account_register(
    *,
    clinic,
    full_name: str,
    email: str,
    phone: str,
    password: str,
    language: str = "en",
    reminders_consent: bool = True,
) -> tuple[User, Patient]:
    """A new person signs up and becomes a patient of `clinic` in one step."""
    full_name = (full_name or "").strip()
    email = (email or "").strip().lower()
    phone = (phone or "").strip()
    errors = {}
    if not full_name:
        errors["full_name"] = _("Enter your name.")
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address.")
    if not phone:
        errors["phone"] = _("Enter a phone number the clinic can reach you on.")
    if not errors.get("email") and User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            _("An account with this email already exists. Sign in to continue."),
            code="account_exists",
            fields={"email": _("Already registered.")},
        )
    try:
        password_validation.validate_password(password, User(email=email, full_name=full_name))
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), fields=errors)
    language = language if language in LANGUAGE_CODES else "en"
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                full_name=full_name,
                phone=phone,
                preferred_language=language,
            )
    except IntegrityError:
        raise Conflict(
            _("An account with this email already exists. Sign in to continue."),
            code="account_exists",
        ) from None
    audit_record(
        action="user.register",
        entity_type="user",
        entity_id=user.pk,
        clinic_id=clinic.pk,
        actor=user,
        fields=["email", "full_name", "phone", "preferred_language"],
    )
    if not reminders_consent:
        contact_channels_update(
            user=user, wanted=dict.fromkeys(("sms", "whatsapp", "telegram", "push"), False)
        )
    patient = patient_join_clinic(clinic=clinic, user=user)
    return user, patient


@transaction.atomic
def patient_join_clinic(*, clinic, user) -> Patient:
    """The signed-in person's record at `clinic`, created from their account when missing."""
    existing = Patient.objects.filter(clinic=clinic, user=user).first()
    if existing is not None:
        if not existing.is_active:
            raise Conflict(
                _("Your record at this clinic is closed. Please contact the clinic."),
                code="patient_inactive",
            )
        return existing
    first, last = _split_name(user.full_name or user.email.split("@")[0])
    return patient_create(
        clinic=clinic,
        actor=user,
        user=user,
        first_name=first,
        last_name=last,
        phone=user.phone,
        email=user.email,
        preferred_language=user.preferred_language,
    )


PROFILE_USER_FIELDS = ("full_name", "phone", "preferred_language")
PROFILE_PATIENT_FIELDS = (
    "phone",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "allergies",
    "current_medications",
    "preferred_language",
)


@transaction.atomic
def patient_profile_update(*, user, data: dict) -> User:
    """The person's own details, copied to every clinic where they are a patient.

    Allergies and medications the person declares go into each clinic's record, so the
    clinic sees them at the next visit (the audit log names the patient as the author).
    """
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    unknown = set(data) - set(PROFILE_USER_FIELDS) - set(PROFILE_PATIENT_FIELDS)
    if unknown:
        raise InvalidInput(fields={name: _("Unknown field.") for name in sorted(unknown)})
    if "full_name" in data and not data["full_name"]:
        raise InvalidInput(_("Enter your name."), fields={"full_name": _("Required.")})
    if "preferred_language" in data and data["preferred_language"] not in LANGUAGE_CODES:
        raise InvalidInput(
            _("Choose one of the languages offered."), fields={"preferred_language": _("Unknown.")}
        )
    user_changes = [f for f in PROFILE_USER_FIELDS if f in data and getattr(user, f) != data[f]]
    for name in user_changes:
        setattr(user, name, data[name])
    if user_changes:
        user.save(update_fields=user_changes)
        audit_record(
            action="user.update",
            entity_type="user",
            entity_id=user.pk,
            actor=user,
            fields=user_changes,
        )
    patient_data = {f: data[f] for f in PROFILE_PATIENT_FIELDS if f in data}
    if "full_name" in data:
        patient_data["first_name"], patient_data["last_name"] = _split_name(data["full_name"])
    for patient in Patient.objects.select_for_update().filter(user=user, is_active=True):
        patient_update(patient=patient, actor=user, **patient_data)
    return user


CHANNELS = ("email", "sms", "whatsapp", "telegram", "push")


@transaction.atomic
def contact_channels_update(*, user, wanted: dict[str, bool]) -> list[str]:
    """The person's own choice per channel at every clinic (notifications keeps the consent log)."""
    from clinicore.notifications.services import preference_set

    current = contact_channels(user=user)
    changed = [c for c in CHANNELS if c in wanted and bool(wanted[c]) != current[c]]
    for channel in changed:
        preference_set(
            clinic=None,
            recipient_key=f"user:{user.pk}",
            channel=channel,
            opted_in=bool(wanted[channel]),
            source="portal",
            actor=user,
        )
    return changed


def contact_channels(*, user) -> dict[str, bool]:
    """On unless opted out, except WhatsApp, which needs an explicit opt-in (notifications' rule)."""
    from clinicore.notifications.models import Preference

    state = {c: c != "whatsapp" for c in CHANNELS}
    for channel, opted_in in Preference.objects.filter(
        clinic__isnull=True, recipient_key=f"user:{user.pk}", channel__in=CHANNELS
    ).values_list("channel", "opted_in"):
        state[channel] = opted_in
    return state


def telegram_link_url(*, user) -> str:
    """A one-time deep link to the platform's Telegram bot, or "" when no bot is set up."""
    from clinicore.notifications.models import ChannelAccount
    from clinicore.notifications.services import telegram_link_start

    account = ChannelAccount.objects.filter(
        clinic__isnull=True, channel="telegram", is_active=True
    ).first()
    bot = (account.config or {}).get("bot_username", "") if account else ""
    if not bot:
        return ""
    link = telegram_link_start(clinic=None, recipient_key=f"user:{user.pk}", user=user)
    return f"https://t.me/{bot}?start={link.token}"


def signed_in_session_record(*, user, session_key: str, ip: str | None, user_agent: str) -> None:
    if not session_key:
        return
    SignedInSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "ip": ip or None,
            "user_agent": (user_agent or "")[:300],
            "last_seen_at": timezone.now(),
            "ended_at": None,
        },
    )


@transaction.atomic
def signed_in_session_end(*, user, session_id) -> None:
    """Signs one of the person's own browser sessions out."""
    from importlib import import_module

    from django.conf import settings

    session = SignedInSession.objects.filter(user=user, pk=session_id, ended_at=None).first()
    if session is None:
        raise InvalidInput(_("That session has already ended."), code="session_ended")
    store = import_module(settings.SESSION_ENGINE).SessionStore
    store(session_key=session.session_key).delete()
    session.ended_at = timezone.now()
    session.save(update_fields=["ended_at", "updated_at"])
    audit_record(action="session.end", entity_type="session", entity_id=session.pk, actor=user)


@transaction.atomic
def deletion_request_create(*, user, reason: str = "") -> DeletionRequest:
    if DeletionRequest.objects.filter(user=user, status=DeletionRequest.Status.OPEN).exists():
        raise Conflict(
            _("You have already asked for your account to be deleted."), code="deletion_requested"
        )
    request = DeletionRequest.objects.create(
        user=user, email=user.email, reason=(reason or "")[:2000]
    )
    audit_record(
        action="account.deletion_request",
        entity_type="deletion_request",
        entity_id=request.pk,
        actor=user,
        fields=["reason"] if reason else [],
    )
    return request


@transaction.atomic
def deletion_request_withdraw(*, user) -> None:
    updated = DeletionRequest.objects.filter(user=user, status=DeletionRequest.Status.OPEN).update(
        status=DeletionRequest.Status.WITHDRAWN, updated_at=timezone.now()
    )
    if updated:
        audit_record(action="account.deletion_withdraw", entity_type="deletion_request", actor=user)
