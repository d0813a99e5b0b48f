"""REST operations of chat under /api/v1/chat: the same features as the websocket, without one."""

import base64
import binascii
import json
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Query
from pydantic import ValidationError

from clinicore.api.pagination import PageParams, page_of, paginate
from clinicore.api.policy import ClinicRouter, policy
from clinicore.clinics.access import clinic_get_by_id
from clinicore.clinics.permissions import Perm
from clinicore.core.audit import audit_record
from clinicore.core.errors import InvalidInput, NotFound
from clinicore.messaging import selectors, services
from clinicore.messaging.access import (
    actor_from_principal,
    attachment_get,
    conversation_get,
    conversations_visible,
    message_get,
)
from clinicore.messaging.files import attachment_path
from clinicore.messaging.models import Department
from clinicore.messaging.schemas import (
    AttachmentOut,
    ConversationIn,
    ConversationOut,
    ConversationUpdate,
    DepartmentOut,
    MessageEdit,
    MessageIn,
    MessageOut,
    ReadReceiptOut,
    UploadJson,
)
from clinicore.patients.access import patient_get_for_clinic
from clinicore.patients.models import Patient

router = ClinicRouter(tags=["chat"])


def _conversation_out(c) -> dict:
    return {
        "id": c.pk,
        "code": c.code,
        "clinic_id": c.clinic_id,
        "patient_id": c.patient_id,
        "patient_name": c.patient.full_name,
        "department": c.department,
        "subject": c.subject,
        "priority": c.priority,
        "status": c.status,
        "assigned_to_id": c.assigned_to_id,
        "assigned_to_name": c.assigned_to.display_name if c.assigned_to_id else None,
        "appointment_id": c.appointment_id,
        "last_message_at": c.last_message_at,
        "created_at": c.created_at,
        "unread": getattr(c, "unread", 0),
    }


def _annotated(actor, conversation):
    return selectors.with_unread(
        conversations_visible(actor).filter(pk=conversation.pk), actor=actor
    ).get()


def _attachment_out(a) -> dict:
    return {
        "id": a.pk,
        "conversation_id": a.conversation_id,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "url": selectors.attachment_url(a),
        "api_url": reverse("api:chat_attachment_download", kwargs={"attachment_id": a.pk}),
    }


@router.get(
    "/departments",
    response=list[DepartmentOut],
    summary="List chat departments",
    description="The departments a patient can write to: General, Billing, Medical, Appointment.",
    openapi_extra=policy(Perm.CHAT_READ, patient=True),
)
def list_departments(request):
    return [{"code": code, "name": str(name)} for code, name in Department.choices]


@router.get(
    "/conversations",
    response=page_of(ConversationOut),
    summary="List conversations",
    description=(
        "Staff: the clinic's conversations, filtered by `assigned` (`me`, `unassigned`), `department`, "
        "`status` or `patient_id`. Patients: their own conversations. Each carries its `unread` count."
    ),
    openapi_extra=policy(Perm.CHAT_READ, patient=True),
)
def list_conversations(
    request,
    page: Query[PageParams],
    assigned: str | None = None,
    department: str | None = None,
    status: str | None = None,
    patient_id: uuid.UUID | None = None,
):
    actor = actor_from_principal(request.auth)
    qs = selectors.conversation_list(
        actor=actor,
        status=status,
        department=department,
        assigned=assigned,
        patient_id=patient_id,
    )
    result = paginate(qs, page)
    result["items"] = [_conversation_out(c) for c in result["items"]]
    return result


@router.post(
    "/conversations",
    response={201: ConversationOut},
    summary="Start a conversation",
    description=(
        "Staff start one with a patient (`patient_id`); a patient starts one with a department of their "
        "clinic. An optional first message goes in `text`."
    ),
    openapi_extra=policy(Perm.CHAT_WRITE, patient=True),
)
def start_conversation(request, payload: ConversationIn):
    actor = actor_from_principal(request.auth)
    if actor.is_staff:
        if payload.patient_id is None:
            raise InvalidInput(_("Choose the patient."), fields={"patient_id": _("Required.")})
        clinic = request.auth.clinic
        patient = patient_get_for_clinic(clinic=clinic, patient_id=payload.patient_id)
    else:
        clinic = actor.clinic
        if clinic is None:
            if payload.clinic_id is None:
                raise InvalidInput(_("Choose the clinic."), fields={"clinic_id": _("Required.")})
            clinic = clinic_get_by_id(payload.clinic_id)
        patient = Patient.objects.filter(clinic=clinic, user=actor.user, is_active=True).first()
        if patient is None or (payload.patient_id and payload.patient_id != patient.pk):
            raise NotFound(_("Patient not found."), code="patient_not_found")
    conversation = services.conversation_start(
        clinic=clinic,
        actor=actor,
        patient=patient,
        department=payload.department,
        subject=payload.subject,
        priority=payload.priority,
        appointment_id=payload.appointment_id,
        text=payload.text,
    )
    return 201, _conversation_out(_annotated(actor, conversation))


@router.put(
    "/conversations/{conversation_id}",
    response=ConversationOut,
    summary="Assign, prioritise or close a conversation",
    description="Only the fields sent change. `assigned_to_id: null` unassigns.",
    openapi_extra=policy(Perm.CHAT_WRITE, obj="conversation"),
)
def update_conversation(request, conversation_id: uuid.UUID, payload: ConversationUpdate):
    actor = actor_from_principal(request.auth)
    conversation = conversation_get(actor=actor, conversation_id=conversation_id)
    data = payload.dict(exclude_unset=True)
    services.conversation_update(
        conversation=conversation,
        actor=actor,
        assigned_to_id=data.get("assigned_to_id"),
        unassign="assigned_to_id" in data and data["assigned_to_id"] is None,
        priority=data.get("priority"),
        status=data.get("status"),
        department=data.get("department"),
    )
    return _conversation_out(_annotated(actor, conversation))


@router.get(
    "/conversations/{conversation_id}/messages",
    response=page_of(MessageOut),
    summary="List a conversation's messages",
    description="Newest first; page back with `offset`. `read` says the other side has seen a message.",
    openapi_extra=policy(Perm.CHAT_READ, obj="conversation", patient=True),
)
def list_messages(request, conversation_id: uuid.UUID, page: Query[PageParams]):
    actor = actor_from_principal(request.auth)
    conversation = conversation_get(actor=actor, conversation_id=conversation_id)
    audit_record(
        action="conversation.read",
        entity_type="conversation",
        entity_id=conversation.pk,
        clinic_id=conversation.clinic_id,
        actor=actor.user,
    )
    read_until = selectors.other_side_read_at(conversation=conversation, side=actor.side)
    result = paginate(selectors.message_list(conversation=conversation), page)
    items = []
    for m in result["items"]:
        m.conversation = conversation
        read_at = read_until if m.sender_side == actor.side else None
        items.append(selectors.message_payload(m, read_until=read_at))
    result["items"] = items
    return result


@router.post(
    "/messages",
    response={201: MessageOut},
    summary="Send a message",
    description="Text, a file uploaded with `POST /chat/upload`, or both. Delivered live to open chats.",
    openapi_extra=policy(Perm.CHAT_WRITE, patient=True),
)
def send_message(request, payload: MessageIn):
    actor = actor_from_principal(request.auth)
    conversation = conversation_get(actor=actor, conversation_id=payload.conversation_id)
    message = services.message_send(
        conversation=conversation,
        actor=actor,
        text=payload.text,
        attachment_id=payload.attachment_id,
    )
    return 201, selectors.message_payload(message)


@router.put(
    "/messages/{message_id}",
    response=MessageOut,
    summary="Edit a message",
    description="Within the edit window (15 minutes by default), by its sender or, on the clinic side, a colleague.",
    openapi_extra=policy(Perm.CHAT_WRITE, obj="message", patient=True),
)
def edit_message(request, message_id: uuid.UUID, payload: MessageEdit):
    actor = actor_from_principal(request.auth)
    message = message_get(actor=actor, message_id=message_id)
    message = services.message_edit(message=message, actor=actor, text=payload.text)
    return selectors.message_payload(message)


@router.delete(
    "/messages/{message_id}",
    response=MessageOut,
    summary="Delete a message",
    description="Within the edit window. The message stays as 'deleted' so the thread still makes sense.",
    openapi_extra=policy(Perm.CHAT_WRITE, obj="message", patient=True),
)
def delete_message(request, message_id: uuid.UUID):
    actor = actor_from_principal(request.auth)
    message = message_get(actor=actor, message_id=message_id)
    message = services.message_delete(message=message, actor=actor)
    return selectors.message_payload(message)


@router.put(
    "/messages/{message_id}/read",
    response=ReadReceiptOut,
    summary="Mark read up to a message",
    description="A read receipt: the conversation is read up to this message; the other side sees it live.",
    openapi_extra=policy(Perm.CHAT_READ, obj="message", patient=True),
)
def mark_read(request, message_id: uuid.UUID):
    actor = actor_from_principal(request.auth)
    message = message_get(actor=actor, message_id=message_id)
    state = services.message_mark_read(message=message, actor=actor)
    annotated = _annotated(actor, message.conversation)
    return {
        "conversation_id": message.conversation_id,
        "message_id": state.last_read_message_id,
        "read_at": state.last_read_at,
        "unread": annotated.unread,
    }


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["conversation_id", "file"],
                    "properties": {
                        "conversation_id": {"type": "string", "format": "uuid"},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            },
            "application/json": {"schema": UploadJson.model_json_schema()},
        },
    }
}


def _upload_source(request):
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("Attach a file."), fields={"file": _("Required.")})
        return request.POST.get("conversation_id", ""), upload, upload.name
    try:
        data = UploadJson.model_validate(json.loads(request.body or b"{}"))
    except (ValueError, ValidationError) as exc:
        raise InvalidInput(
            _("Send multipart form data with a file, or JSON with data_base64.")
        ) from exc
    try:
        raw = base64.b64decode(data.data_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(
            _("data_base64 is not base64."), fields={"data_base64": _("Not base64.")}
        ) from exc
    return data.conversation_id, SimpleUploadedFile(data.filename, raw), data.filename


@router.post(
    "/upload",
    response={201: AttachmentOut},
    summary="Upload a file to a conversation",
    description=(
        "Images (JPEG, PNG, GIF, WebP) or PDF, checked by content, up to the size limit (10 MB by default). "
        "Send multipart form data (`conversation_id`, `file`) or JSON with `data_base64`. Then send a "
        "message with its `attachment_id`."
    ),
    openapi_extra={**policy(Perm.CHAT_WRITE, patient=True), **UPLOAD_BODY},
)
def upload(request):
    actor = actor_from_principal(request.auth)
    conversation_id, upload_file, filename = _upload_source(request)
    conversation = conversation_get(actor=actor, conversation_id=conversation_id)
    attachment = services.attachment_upload(
        conversation=conversation, actor=actor, upload=upload_file, filename=filename
    )
    return 201, _attachment_out(attachment)


@router.get(
    "/attachments/{attachment_id}",
    summary="Download a file",
    description="Only members of the file's conversation; anyone else gets 404.",
    url_name="chat_attachment_download",
    openapi_extra=policy(Perm.CHAT_READ, obj="attachment", patient=True),
)
def download_attachment(request, attachment_id: uuid.UUID):
    actor = actor_from_principal(request.auth)
    attachment = attachment_get(actor=actor, attachment_id=attachment_id)
    return attachment_response(attachment)


def attachment_response(attachment) -> HttpResponse:
    """The file, to members only. Files are small (size-limited), so they are sent whole."""
    try:
        with open(attachment_path(attachment.storage_name), "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise NotFound(_("File not found."), code="attachment_not_found") from None
    response = HttpResponse(data, content_type=attachment.content_type)
    disposition = "inline" if attachment.is_image else "attachment"
    response["Content-Disposition"] = content_disposition_header(
        disposition == "attachment", attachment.filename
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
