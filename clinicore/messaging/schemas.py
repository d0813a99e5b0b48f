"""API shapes of chat."""

import uuid
from datetime import datetime

from ninja import Schema
from pydantic import Field

from clinicore.messaging.models import Conversation, Department, Priority

DEPARTMENTS = "^(" + "|".join(Department.values) + ")$"
PRIORITIES = "^(" + "|".join(Priority.values) + ")$"
STATUSES = "^(" + "|".join(Conversation.Status.values) + ")$"


class DepartmentOut(Schema):
    code: str = Field(..., examples=["billing"])
    name: str = Field(..., examples=["Billing"])


class ConversationIn(Schema):
    patient_id: uuid.UUID | None = Field(
        None,
        description="Staff: the patient to write to. Patients: omit (their own record is used).",
    )
    clinic_id: uuid.UUID | None = Field(
        None, description="Patients whose token names no clinic: the clinic to write to."
    )
    department: str = Field("general", pattern=DEPARTMENTS, examples=["billing"])
    subject: str = Field("", max_length=200, examples=["Question about my invoice"])
    priority: str = Field("normal", pattern=PRIORITIES, examples=["normal"])
    appointment_id: uuid.UUID | None = Field(
        None, description="The visit this conversation is about."
    )
    text: str = Field(
        "", max_length=4000, examples=["Hello, I was charged twice for my last visit."]
    )


class ConversationUpdate(Schema):
    assigned_to_id: uuid.UUID | None = Field(
        None, description="Membership id of the colleague to assign; null to unassign."
    )
    priority: str | None = Field(None, pattern=PRIORITIES, examples=["high"])
    status: str | None = Field(None, pattern=STATUSES, examples=["closed"])
    department: str | None = Field(None, pattern=DEPARTMENTS, examples=["medical"])


class ConversationOut(Schema):
    id: uuid.UUID
    code: str = Field(..., examples=["C-7K3M9Q"])
    clinic_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    department: str
    subject: str
    priority: str
    status: str
    assigned_to_id: uuid.UUID | None
    assigned_to_name: str | None
    appointment_id: uuid.UUID | None
    last_message_at: datetime | None
    created_at: datetime
    unread: int = Field(..., description="Messages from the other side you have not read.")


class AttachmentOut(Schema):
    id: uuid.UUID
    conversation_id: uuid.UUID
    filename: str = Field(..., examples=["lab-report.pdf"])
    content_type: str = Field(..., examples=["application/pdf"])
    size: int
    url: str = Field(..., description="Where members download it (session sign-in).")
    api_url: str = Field(..., description="Where apps download it with their bearer token.")


class AttachmentRef(Schema):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    url: str


class MessageIn(Schema):
    conversation_id: uuid.UUID
    text: str = Field("", max_length=4000, examples=["Your refund was issued today."])
    attachment_id: uuid.UUID | None = Field(
        None, description="A file uploaded with POST /chat/upload."
    )


class MessageEdit(Schema):
    text: str = Field(..., max_length=4000, examples=["Your refund was issued this morning."])


class MessageOut(Schema):
    id: uuid.UUID
    conversation_id: uuid.UUID
    sender_id: uuid.UUID | None
    sender_side: str = Field(..., examples=["staff"])
    sender_name: str = Field(..., examples=["Dr. Meera Rao"])
    text: str
    attachment: AttachmentRef | None
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    read: bool = Field(..., description="The other side has read this message.")


class ReadReceiptOut(Schema):
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    read_at: datetime
    unread: int = Field(..., description="Messages in the conversation you still have not read.")


class UploadJson(Schema):
    conversation_id: uuid.UUID
    filename: str = Field(..., max_length=200, examples=["x-ray.png"])
    data_base64: str = Field(..., description="The file's bytes, base64-encoded.")
