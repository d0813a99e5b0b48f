"""Pages: the clinic's outbox (staff), the platform outbox (operators), a person's notifications.

The outbox shows each message exactly as it left or would have left: recipient, subject, the
plain and HTML bodies (the HTML in a sandboxed frame), the provider request, attempts and errors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import Conflict
from clinicore.notifications import selectors, services
from clinicore.notifications.access import outbox_message_get_for_clinic
from clinicore.notifications.models import Channel, InboundMessage, OutboxMessage

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


# --- Platform console ------------------------------------------------------------------------------


def _operator(request):
    if not request.user.is_authenticated:
        return False
    if not request.user.is_staff:
        raise PermissionDenied
    return True


def ops_outbox_page(request):
    if not _operator(request):
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    filters = _filters(request)
    ctx = _list_context(request, selectors.outbox_list(clinic=None, **filters), filters)
    ctx["ops"] = True
    return render(request, "notifications/pages/ops_outbox.html", ctx)


def ops_outbox_message_page(request, outbox_message_id):
    if not _operator(request):
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    message = OutboxMessage.objects.select_related("clinic").filter(pk=outbox_message_id).first()
    if message is None:
        raise Http404
    return render(
        request,
        "notifications/pages/ops_outbox_message.html",
        {"m": message, "attempts": message.attempt_log.all(), "ops": True},
    )


def ops_outbox_message_html(request, outbox_message_id):
    if not _operator(request):
        raise Http404
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
