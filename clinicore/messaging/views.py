"""Chat pages: the patient's messages in the portal, the clinic's inbox in the workspace, and the
authorized download of attachments. Pages render the thread; static/messaging/chat.js makes it live."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.models import Membership
from clinicore.clinics.permissions import Perm, role_has
from clinicore.core.audit import audit_record
from clinicore.core.errors import DomainError, NotFound
from clinicore.messaging import selectors, services
from clinicore.messaging.access import (
    ChatActor,
    attachment_get_for_user,
    conversation_actor_for_user,
    conversation_get,
)
from clinicore.messaging.api import attachment_response
from clinicore.messaging.models import Conversation, Department, Message, Priority
from clinicore.patients.access import patient_records_for_user

THREAD_LENGTH = 100


def _patient_actor(user) -> ChatActor:
    return ChatActor(user=user, side=Message.Side.PATIENT)


def _staff_actor(request) -> ChatActor:
    return ChatActor(
        user=request.user,
        side=Message.Side.STAFF,
        clinic=request.clinic,
        membership=request.membership,
    )


def _thread_context(conversation, actor) -> dict:
    latest = list(selectors.message_list(conversation=conversation)[:THREAD_LENGTH])
    latest.reverse()
    read_until = selectors.other_side_read_at(conversation=conversation, side=actor.side)
    messages = []
    for m in latest:
        m.conversation = conversation
        payload = selectors.message_payload(
            m, read_until=read_until if m.sender_side == actor.side else None
        )
        payload["mine"] = m.sender_side == actor.side
        messages.append(payload)
    audit_record(
        action="conversation.read",
        entity_type="conversation",
        entity_id=conversation.pk,
        clinic_id=conversation.clinic_id,
        actor=actor.user,
    )
    return {
        "conversation": conversation,
        "messages": messages,
        "side": actor.side,
        "can_write": actor.can_write,
    }


def _post_message(request, conversation, actor):
    """The no-JavaScript path of the composer (chat.js sends over the websocket instead)."""
    try:
        services.message_send(
            conversation=conversation, actor=actor, text=request.POST.get("text", "")
        )
    except DomainError as exc:
        from django.contrib import messages as flash

        flash.error(request, exc.message)


# --- Attachments --------------------------------------------------------------------------------


@login_required
@require_GET
def attachment_download(request, attachment_id):
    try:
        attachment = attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    except NotFound:
        raise Http404 from None
    return attachment_response(attachment)


# --- Patient portal -----------------------------------------------------------------------------


@login_required
def portal_inbox(request):
    actor = _patient_actor(request.user)
    conversations = selectors.conversation_list(actor=actor)
    records = list(patient_records_for_user(request.user))
    return render(
        request,
        "messaging/portal_inbox.html",
        {
            "conversations": conversations[:100],
            "records": records,
            "departments": Department.choices,
        },
    )


@login_required
def portal_new(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    records = {str(p.pk): p for p in patient_records_for_user(request.user)}
    patient = records.get(request.POST.get("patient_id", ""))
    if patient is None:
        raise Http404
    actor = ChatActor(user=request.user, side=Message.Side.PATIENT, clinic=patient.clinic)
    try:
        conversation = services.conversation_start(
            clinic=patient.clinic,
            actor=actor,
            patient=patient,
            department=request.POST.get("department", Department.GENERAL),
            subject=request.POST.get("subject", ""),
            text=request.POST.get("text", ""),
        )
    except DomainError as exc:
        from django.contrib import messages as flash

        flash.error(request, exc.message)
        return redirect("messaging-portal:inbox")
    return redirect("messaging-portal:conversation", conversation_id=conversation.pk)


@login_required
def portal_conversation(request, conversation_id):
    actor = _patient_actor(request.user)
    try:
        conversation = conversation_get(actor=actor, conversation_id=conversation_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        _post_message(request, conversation, actor)
        return redirect("messaging-portal:conversation", conversation_id=conversation.pk)
    return render(
        request, "messaging/portal_conversation.html", _thread_context(conversation, actor)
    )


@login_required
@require_GET
def unread_badge(request):
    """The header badge: total unread for the signed-in person (staff: at `?clinic=<slug>`)."""
    slug = request.GET.get("clinic", "")
    membership = None
    if slug:
        membership = (
            Membership.objects.select_related("clinic")
            .filter(user=request.user, clinic__slug=slug, is_active=True)
            .first()
        )
    if membership is not None and role_has(membership.role, Perm.CHAT_READ):
        actor = ChatActor(
            user=request.user,
            side=Message.Side.STAFF,
            clinic=membership.clinic,
            membership=membership,
        )
    else:
        actor = _patient_actor(request.user)
    return JsonResponse({"unread": selectors.unread_total(actor=actor)})


# --- Clinic workspace ---------------------------------------------------------------------------

FILTERS = (
    ("open", _("Open")),
    ("mine", _("Mine")),
    ("unassigned", _("Unassigned")),
    ("closed", _("Closed")),
)


@workspace_view(Perm.CHAT_READ)
def desk_inbox(request):
    actor = _staff_actor(request)
    show = request.GET.get("show", "open")
    department = request.GET.get("department", "")
    if department not in Department.values:
        department = ""
    status = Conversation.Status.CLOSED if show == "closed" else Conversation.Status.OPEN
    assigned = {"mine": "me", "unassigned": "unassigned"}.get(show)
    qs = selectors.conversation_list(
        actor=actor, status=status, department=department or None, assigned=assigned
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/desk_inbox.html",
        {
            "nav": "inbox",
            "page": page,
            "show": show,
            "department": department,
            "filters": [(key, str(label)) for key, label in FILTERS],
            "departments": Department.choices,
        },
    )


@workspace_view(Perm.CHAT_READ)
def desk_conversation(request, conversation_id):
    actor = _staff_actor(request)
    try:
        conversation = conversation_get(actor=actor, conversation_id=conversation_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        _post_message(request, conversation, actor)
        return redirect(
            "messaging-desk:conversation",
            clinic_slug=request.clinic.slug,
            conversation_id=conversation.pk,
        )
    context = _thread_context(conversation, actor)
    staff = [
        m
        for m in Membership.objects.filter(clinic=request.clinic, is_active=True).select_related(
            "user"
        )
        if role_has(m.role, Perm.CHAT_READ)
    ]
    context.update(
        {
            "nav": "inbox",
            "staff": staff,
            "priorities": Priority.choices,
            "departments": Department.choices,
            "statuses": Conversation.Status.choices,
        }
    )
    return render(request, "messaging/desk_conversation.html", context)


@workspace_view(Perm.CHAT_WRITE)
def desk_conversation_update(request, conversation_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    actor = _staff_actor(request)
    try:
        conversation = conversation_get(actor=actor, conversation_id=conversation_id)
    except NotFound:
        raise Http404 from None
    assigned = request.POST.get("assigned_to_id")
    try:
        services.conversation_update(
            conversation=conversation,
            actor=actor,
            assigned_to_id=assigned or None,
            unassign=assigned == "",
            priority=request.POST.get("priority") or None,
            status=request.POST.get("status") or None,
            department=request.POST.get("department") or None,
        )
    except DomainError as exc:
        from django.contrib import messages as flash

        flash.error(request, exc.message)
    return redirect(
        "messaging-desk:conversation",
        clinic_slug=request.clinic.slug,
        conversation_id=conversation.pk,
    )


desk_conversation_update.workspace_methods = ("POST",)


def conversation_page_url_for(user, conversation_id) -> str:
    """Where a person reads a conversation: the inbox for staff, the portal for patients."""
    conversation, actor = conversation_actor_for_user(user=user, conversation_id=conversation_id)
    if actor.is_staff:
        from django.urls import reverse

        return reverse(
            "messaging-desk:conversation",
            kwargs={"clinic_slug": conversation.clinic.slug, "conversation_id": conversation.pk},
        )
    from django.urls import reverse

    return reverse("messaging-portal:conversation", kwargs={"conversation_id": conversation.pk})
