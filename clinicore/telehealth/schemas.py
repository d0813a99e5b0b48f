"""API shapes of video rooms."""

import uuid
from datetime import datetime

from ninja import Schema
from pydantic import Field


class IceServerOut(Schema):
    urls: list[str] = Field(..., examples=[["turn:turn.example.org:3478?transport=udp"]])
    username: str | None = Field(None, examples=["1767225600:2f1c…"])
    credential: str | None = Field(
        None, description="Short-lived TURN password (HMAC of the username)."
    )


class VideoRoomOut(Schema):
    appointment_id: uuid.UUID
    status: str = Field(..., examples=["waiting"], description="waiting, live or ended")
    appointment_status: str = Field(..., examples=["confirmed"])
    is_video: bool
    opens_at: datetime
    closes_at: datetime
    role: str | None = Field(
        None, examples=["patient"], description="Your part in the call, if any."
    )
    can_join: bool
    reason: str = Field("", examples=["The video room opens 10 minutes before the visit."])
    websocket_path: str = Field(..., examples=["/ws/telehealth/6f1c…/"])
    ice_servers: list[IceServerOut] = Field(
        default_factory=list, description="Only when you can join."
    )
    ice_transport_policy: str = Field(
        ..., examples=["all"], description='"relay" when relay-only is enforced.'
    )
