"""REST operations of notifications: a person's in-app list and preferences, appointment
messages through chosen channels, and the outbox with its dead letters for staff."""

import json
import uuid

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Query, Status

from clinicore.api.pagination import PageParams, page_of, paginate
from clinicore.api.policy import AUTHENTICATED, PUBLIC, ClinicRouter, policy
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import Forbidden, InvalidInput, NotFound
from clinicore.notifications import hooks, selectors, services
from clinicore.notifications.access import notification_get_for_user, outbox_message_get_for_clinic
from clinicore.notifications.models import ChannelAccount, Preference
from clinicore.notifications.schemas import (
    AppointmentNotifyIn,
    AppointmentNotifyOut,
    ChannelAccountIn,
    ChannelAccountOut,
    NotificationOut,
    NotificationPage,
    OutboxMessageDetail,
    OutboxMessageOut,
    PreferenceIn,
    PreferenceOut,
    PushKeyOut,
    PushSubscriptionIn,
    TelegramLinkOut,
)

router = ClinicRouter(tags=["notifications"])


def _person(request):
    user = request.auth.user
    if user is None:
        raise Forbidden(_("This needs a person's sign-in, not an API key."))
    return user


def _notification_out(n) -> dict:
    read = n.read_at is not None if n.user_id else bool(getattr(n, "shared_read", False))
    return {
        "id": n.id,
        "event": n.event,
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "clinic_id": n.clinic_id,
        "created_at": n.created_at,
        "read": read,
    }


@router.get(
    "",
    response=NotificationPage,
    summary="List my notifications",
    description="Your in-app notifications (and, for staff, the clinic's staff alerts), newest first, "
    "with the unread count. `unread_only=true` leaves out what you have read.",
    openapi_extra=policy(AUTHENTICATED),
)
def list_notifications(request, page: Query[PageParams], unread_only: bool = False):
    user = _person(request)
    clinic = request.auth.clinic
    qs = selectors.notifications_for(user=user, clinic=clinic)
    if unread_only:
        from django.db.models import Q

        qs = qs.filter(Q(user=user, read_at__isnull=True) | Q(user__isnull=True, shared_read=False))
    result = paginate(qs, page)
    result["items"] = [_notification_out(n) for n in result["items"]]
    result["unread"] = selectors.unread_count(user=user, clinic=clinic)
    return result


@router.put(
    "/{notification_id}/read",
    response=NotificationOut,
    summary="Mark a notification read",
    openapi_extra=policy(AUTHENTICATED, obj="notification"),
)
def read_notification(request, notification_id: uuid.UUID):
    user = _person(request)
    notification = notification_get_for_user(
        user=user, clinic=request.auth.clinic, notification_id=notification_id
    )
    services.notification_mark_read(notification=notification, user=user)
    notification = selectors.notifications_for(user=user, clinic=request.auth.clinic).get(
        pk=notification.pk
    )
    return _notification_out(notification)


def _preference_out(p: Preference) -> dict:
    return {
        "channel": p.channel,
        "opted_in": p.opted_in,
        "quiet_hours_start": p.quiet_start,
        "quiet_hours_end": p.quiet_end,
        "updated_at": p.updated_at,
    }


@router.post(
    "/preferences",
    response=PreferenceOut,
    summary="Set my preference for a channel",
    description="Opt in or out of a channel and set quiet hours (your clinic's local time). Applies to "
    "messages from every clinic; the change of consent is recorded.",
    openapi_extra=policy(AUTHENTICATED),
)
def set_preference(request, payload: PreferenceIn):
    user = _person(request)
    pref = services.preference_set(
        clinic=None,
        recipient_key=f"user:{user.pk}",
        channel=payload.channel,
        opted_in=payload.opted_in,
        quiet_start=payload.quiet_hours_start,
        quiet_end=payload.quiet_hours_end,
        source="api",
        actor=user,
    )
    return _preference_out(pref)


@router.get(
    "/preferences",
    response=list[PreferenceOut],
    summary="My channel preferences",
    openapi_extra=policy(AUTHENTICATED),
)
def list_preferences(request):
    user = _person(request)
    return [
        _preference_out(p)
        for p in Preference.objects.filter(clinic__isnull=True, recipient_key=f"user:{user.pk}")
    ]


_KIND_EVENTS = {
    "confirmation": "appointment_confirmed",
    "reminder": "appointment_reminder",
    "cancellation": "appointment_cancelled",
    "reschedule": "appointment_rescheduled",
}


@router.post(
    "/appointment",
    response={202: AppointmentNotifyOut},
    summary="Send an appointment message",
    description="Queues a confirmation, reminder, cancellation or reschedule message about one of the "
    "clinic's appointments through the chosen channels (or the patient's usual ones). Answers with the "
    "queued outbox rows; channels the patient opted out of come back as `suppressed` with the reason.",
    openapi_extra=policy(Perm.NOTIFICATIONS_SEND),
)
def send_appointment_message(request, payload: AppointmentNotifyIn):
    hooks.load()
    resolver = hooks.SUBJECT_RESOLVERS.get("appointment")
    if resolver is None:
        raise NotFound(_("Appointments are not available."), code="appointment_not_found")
    clinic = request.auth.clinic
    with transaction.atomic():
        subject = resolver(clinic=clinic, subject_id=payload.appointment_id)
        context = dict(subject.context)
        if payload.kind == "reminder":
            context["reply_options"] = True
        messages = services.notify(
            clinic=clinic,
            event=_KIND_EVENTS[payload.kind],
            recipient=subject.recipient,
            context=context,
            channels=payload.channels,
            ref=subject.ref or f"appointment:{payload.appointment_id}",
            actor=request.auth.user,
        )
    return Status(202, {"messages": messages})


@router.get(
    "/outbox",
    response=page_of(OutboxMessageOut),
    summary="List the clinic's outbox",
    description="Every message the clinic sent or will send, newest first. `status=failed` is the "
    "dead-letter list.",
    openapi_extra=policy(Perm.NOTIFICATIONS_MANAGE),
)
def list_outbox(request, page: Query[PageParams], status: str = "", channel: str = ""):
    return paginate(
        selectors.outbox_list(clinic=request.auth.clinic, status=status[:12], channel=channel[:12]),
        page,
    )


def _detail(message) -> dict:
    data = OutboxMessageOut.from_orm(message).dict()
    data.update(
        body_text=message.body_text,
        body_html=message.body_html,
        payload=message.payload or {},
        has_calendar_file=bool(message.attachment_ics),
        attempt_log=list(message.attempt_log.all()),
    )
    return data


@router.get(
    "/outbox/{message_id}",
    response=OutboxMessageDetail,
    summary="Get an outbox message",
    description="The message exactly as it left (or would have): subject, bodies, provider request, attempts.",
    openapi_extra=policy(Perm.NOTIFICATIONS_MANAGE, obj="outbox_message"),
)
def get_outbox_message(request, message_id: uuid.UUID):
    return _detail(outbox_message_get_for_clinic(clinic=request.auth.clinic, message_id=message_id))


@router.post(
    "/outbox/{message_id}/retry",
    response=OutboxMessageDetail,
    summary="Retry a failed message",
    description="Puts a dead-lettered message back in the queue with fresh attempts (409 if it has not failed).",
    openapi_extra=policy(Perm.NOTIFICATIONS_MANAGE, obj="outbox_message"),
)
def retry_outbox_message(request, message_id: uuid.UUID):
    message = outbox_message_get_for_clinic(clinic=request.auth.clinic, message_id=message_id)
    return _detail(services.outbox_retry(message=message, actor=request.auth.user))


def _account_out(a: ChannelAccount) -> dict:
    stored = json.loads(a.secrets) if a.secrets else {}
    return {
        "id": a.id,
        "channel": a.channel,
        "provider": a.provider,
        "config": a.config,
        "secrets_set": sorted(stored),
        "is_active": a.is_active,
    }


@router.get(
    "/channels",
    response=list[ChannelAccountOut],
    summary="The clinic's channel accounts",
    description="Which provider each channel uses (secrets are never returned). Channels not listed use the sandbox.",
    openapi_extra=policy(Perm.NOTIFICATIONS_MANAGE),
)
def list_channel_accounts(request):
    return [
        _account_out(a)
        for a in ChannelAccount.objects.filter(clinic=request.auth.clinic).order_by("channel")
    ]


@router.post(
    "/channels",
    response=ChannelAccountOut,
    summary="Set a channel's provider",
    description="Credentials are stored encrypted. Provider `sandbox` keeps messages on the outbox page only.",
    openapi_extra=policy(Perm.NOTIFICATIONS_MANAGE),
)
def set_channel_account(request, payload: ChannelAccountIn):
    if payload.provider == "sandbox" and (payload.config or payload.secrets):
        raise InvalidInput(_("The sandbox takes no settings."))
    account = services.channel_account_set(
        clinic=request.auth.clinic,
        channel=payload.channel,
        provider=payload.provider,
        config=payload.config,
        secrets_=payload.secrets,
        actor=request.auth.user,
    )
    return _account_out(account)


@router.post(
    "/telegram-link",
    response={201: TelegramLinkOut},
    summary="Link Telegram",
    description="A one-time deep link: open it, press Start in the clinic's bot, and messages arrive in Telegram.",
    openapi_extra=policy(AUTHENTICATED),
)
def start_telegram_link(request):
    user = _person(request)
    clinic = request.auth.clinic
    account = services.channel_account_for(clinic=clinic, channel="telegram")
    bot = (account.config.get("bot_username") if account else "") or "clinicore_sandbox_bot"
    link = services.telegram_link_start(clinic=clinic, recipient_key=f"user:{user.pk}", user=user)
    return Status(
        201,
        {
            "token": link.token,
            "url": f"https://t.me/{bot}?start={link.token}",
            "expires_at": link.expires_at,
        },
    )


@router.post(
    "/push-subscriptions",
    response={201: PushKeyOut},
    summary="Subscribe this browser to web push",
    description="Send the browser's PushSubscription (endpoint and keys).",
    openapi_extra=policy(AUTHENTICATED),
)
def subscribe_push(request, payload: PushSubscriptionIn):
    from clinicore.notifications.vapid import vapid_public_key

    user = _person(request)
    if (
        not payload.endpoint.startswith(("https://", "http://127.0.0.1"))
        or settings.ENVIRONMENT == "production"
        and not payload.endpoint.startswith("https://")
    ):
        raise InvalidInput(
            _("The push endpoint must be an https URL."), fields={"endpoint": _("Use https.")}
        )
    services.push_subscribe(
        user=user,
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
        user_agent=request.headers.get("User-Agent", ""),
    )
    return Status(201, {"public_key": vapid_public_key()})


@router.get(
    "/push-key",
    response=PushKeyOut,
    summary="The web push public key",
    description="The VAPID application server key browsers subscribe with.",
    openapi_extra=policy(PUBLIC),
)
def push_key(request):
    from clinicore.notifications.vapid import vapid_public_key

    return {"public_key": vapid_public_key()}
