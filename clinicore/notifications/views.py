"""Pages: the clinic's outbox (staff), the platform outbox (operators), a person's notifications.

The outbox shows each message exactly as it left or would have left: recipient, subject, the
plain and HTML bodies (the HTML in a sandboxed frame), the provider request, attempts and errors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.notifications import selectors, services
from clinicore.notifications.access import outbox_message_get_for_clinic
from clinicore.notifications.models import (
    Channel,
    ChannelAccount,
    InboundMessage,
    OutboxMessage,
)

# The email's own HTML (inline styles, as email needs) shown in a frame that may run nothing.
EMAIL_FRAME_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; sandbox; frame-ancestors 'self'"


def _filters(request) -> dict:
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    return {
        "status": status if status in OutboxMessage.Status.values else "",
        "channel": channel if channel in Channel.values else "",
        "q": request.GET.get("q", "").strip()[:100],
    }


def _list_context(request, qs, filters) -> dict:
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return {
        "page": page,
        "filters": filters,
        "statuses": OutboxMessage.Status.choices,
        "channels": Channel.choices,
    }


@workspace_view(Perm.NOTIFICATIONS_MANAGE)
def outbox_page(request):
    filters = _filters(request)
    ctx = _list_context(request, selectors.outbox_list(clinic=request.clinic, **filters), filters)
    ctx["inbound"] = InboundMessage.objects.filter(clinic=request.clinic).order_by("-created_at")[
        :20
    ]
    ctx["nav"] = "outbox"
    return render(request, "notifications/pages/outbox.html", ctx)


@workspace_view(Perm.NOTIFICATIONS_MANAGE)
def outbox_message_page(request, outbox_message_id):
    message = outbox_message_get_for_clinic(clinic=request.clinic, message_id=outbox_message_id)
    return render(
        request,
        "notifications/pages/outbox_message.html",
        {"m": message, "attempts": message.attempt_log.all(), "nav": "outbox"},
    )


@workspace_view(Perm.NOTIFICATIONS_MANAGE)
def outbox_message_html(request, outbox_message_id):
    message = outbox_message_get_for_clinic(clinic=request.clinic, message_id=outbox_message_id)
    return _email_frame(message)


def _email_frame(message) -> HttpResponse:
    response = HttpResponse(
        message.body_html or "<p>(no HTML part)</p>", content_type="text/html; charset=utf-8"
    )
    response["Content-Security-Policy"] = EMAIL_FRAME_CSP
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@workspace_view(Perm.NOTIFICATIONS_MANAGE)
@require_POST
def outbox_message_retry(request, outbox_message_id):
    message = outbox_message_get_for_clinic(clinic=request.clinic, message_id=outbox_message_id)
    try:
        services.outbox_retry(message=message, actor=request.user)
        messages.success(request, _("The message is queued again."))
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect(
        "notifications:outbox-message",
        clinic_slug=request.clinic.slug,
        outbox_message_id=message.pk,
    )


outbox_message_retry.workspace_methods = ("POST",)


# --- The clinic's channel credentials --------------------------------------------------------------

# The provider each channel can use besides the offline sandbox (push uses the platform's keys).
CHANNEL_PROVIDERS = {
    Channel.EMAIL: "smtp",
    Channel.SMS: "twilio",
    Channel.WHATSAPP: "whatsapp_cloud",
    Channel.TELEGRAM: "telegram_bot",
}
_FIELD_LABELS = {
    "host": _lazy("SMTP host"),
    "port": _lazy("Port"),
    "username": _lazy("User name"),
    "use_tls": _lazy("Use STARTTLS"),
    "use_ssl": _lazy("Use SSL/TLS"),
    "from_email": _lazy("From address"),
    "password": _lazy("Password"),
    "account_sid": _lazy("Account SID"),
    "from_number": _lazy("From number"),
    "messaging_service_sid": _lazy("Messaging service SID"),
    "auth_token": _lazy("Auth token"),
    "phone_number_id": _lazy("Phone number ID"),
    "business_account_id": _lazy("Business account ID"),
    "access_token": _lazy("Access token"),
    "app_secret": _lazy("App secret"),
    "bot_username": _lazy("Bot user name"),
    "bot_token": _lazy("Bot token"),
}
_BOOLEAN_FIELDS = {"use_tls", "use_ssl"}
_INTEGER_FIELDS = {"port"}


def _channel_rows(clinic, errors: dict | None = None, posted=None) -> list[dict]:
    """One row per channel: the clinic's own account (if any), and the form's fields."""
    import json

    accounts = {a.channel: a for a in ChannelAccount.objects.filter(clinic=clinic)}
    rows = []
    for channel, provider in CHANNEL_PROVIDERS.items():
        account = accounts.get(channel)
        _expected, config_fields, secret_fields = services.PROVIDER_FIELDS[provider]
        stored_secrets = set(json.loads(account.secrets)) if account and account.secrets else set()
        config = (account.config if account and account.provider == provider else {}) or {}
        if posted is not None and posted.get("channel") == channel:
            config = {f: posted.get(f"{channel}-{f}", "") for f in config_fields}
        rows.append(
            {
                "channel": channel,
                "label": Channel(channel).label,
                "provider": provider,
                "account": account,
                "current": account.provider if account and account.is_active else "sandbox",
                "config_fields": [
                    {
                        "name": f,
                        "label": _FIELD_LABELS.get(f, f),
                        "value": config.get(f, ""),
                        "boolean": f in _BOOLEAN_FIELDS,
                        "input": "number" if f in _INTEGER_FIELDS else "text",
                    }
                    for f in config_fields
                ],
                "secret_fields": [
                    {
                        "name": f,
                        "label": _FIELD_LABELS.get(f, f),
                        "is_set": account is not None
                        and account.provider == provider
                        and f in stored_secrets,
                    }
                    for f in secret_fields
                ],
                "errors": (errors or {})
                if posted is not None and posted.get("channel") == channel
                else {},
                "message": (errors or {}).get("message", "")
                if posted is not None and posted.get("channel") == channel
                else "",
            }
        )
    return rows


def _posted_account(post) -> tuple[str, str, dict, dict]:
    channel = post.get("channel", "")
    provider = post.get("provider", "")
    if channel not in CHANNEL_PROVIDERS or provider not in ("sandbox", CHANNEL_PROVIDERS[channel]):
        raise InvalidInput(
            _("Choose a channel and its provider."), fields={"provider": _("Unknown provider.")}
        )
    if provider == "sandbox":
        return channel, provider, {}, {}
    _expected, config_fields, secret_fields = services.PROVIDER_FIELDS[provider]
    config: dict = {}
    for name in config_fields:
        raw = post.get(f"{channel}-{name}", "").strip()
        if name in _BOOLEAN_FIELDS:
            config[name] = raw in ("on", "1", "true")
        elif name in _INTEGER_FIELDS and raw:
            if not raw.isdigit() or not 0 < int(raw) < 65536:
                raise InvalidInput(
                    _("Enter a port number."), fields={name: _("Enter a port number.")}
                )
            config[name] = int(raw)
        elif raw:
            config[name] = raw[:300]
    secrets_ = {name: post.get(f"{channel}-{name}", "") for name in secret_fields}
    return channel, provider, config, secrets_


@workspace_view(Perm.NOTIFICATIONS_MANAGE)
def channels_page(request):
    """The clinic's own provider accounts per channel; secrets are write-only on this page."""
    errors, posted = {}, None
    if request.method == "POST":
        posted = request.POST
        try:
            channel, provider, config, secrets_ = _posted_account(request.POST)
            services.channel_account_set(
                clinic=request.clinic,
                channel=channel,
                provider=provider,
                config=config,
                secrets_=secrets_,
                actor=request.user,
            )
        except InvalidInput as exc:
            errors = {**exc.fields, "message": exc.message}
        else:
            messages.success(
                request,
                _("%(channel)s now goes through %(provider)s.")
                % {"channel": Channel(channel).label, "provider": provider},
            )
            return redirect("notifications:channels", clinic_slug=request.clinic.slug)
    return render(
        request,
        "notifications/pages/channels.html",
        {"rows": _channel_rows(request.clinic, errors, posted), "nav": "outbox"},
        status=422 if errors else 200,
    )


# --- Platform console ------------------------------------------------------------------------------


def _operator(request) -> None:
    """The platform outbox is the console's: like every /ops/ page it does not exist for anyone
    but an active platform operator (404, not 403 or a sign-in prompt)."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise Http404


def ops_outbox_page(request):
    _operator(request)
    filters = _filters(request)
    ctx = _list_context(request, selectors.outbox_list(clinic=None, **filters), filters)
    ctx["ops"] = True
    return render(request, "notifications/pages/ops_outbox.html", ctx)


def ops_outbox_message_page(request, outbox_message_id):
    _operator(request)
    message = OutboxMessage.objects.select_related("clinic").filter(pk=outbox_message_id).first()
    if message is None:
        raise Http404
    return render(
        request,
        "notifications/pages/ops_outbox_message.html",
        {"m": message, "attempts": message.attempt_log.all(), "ops": True},
    )


def ops_outbox_message_html(request, outbox_message_id):
    _operator(request)
    message = OutboxMessage.objects.filter(pk=outbox_message_id).first()
    if message is None:
        raise Http404
    return _email_frame(message)


# --- A person's notifications ----------------------------------------------------------------------


@login_required
def my_notifications_page(request):
    clinic = None
    slug = request.GET.get("clinic", "")
    if slug:
        from clinicore.clinics.models import Clinic

        clinic = Clinic.objects.filter(slug=slug).first()
    if request.method == "POST":
        services.notifications_mark_all_read(user=request.user, clinic=clinic)
        return redirect(request.get_full_path())
    items = selectors.notifications_for(user=request.user, clinic=clinic)[:100]
    return render(request, "notifications/pages/mine.html", {"items": items})
