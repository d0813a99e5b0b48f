"""Video signalling at `/ws/telehealth/<appointment_id>/`: waiting room, admission, offer/answer/ICE.

The media flows peer to peer (or through TURN); this server only relays signalling between the
appointment's two participants, and drops ICE candidates the candidate filter refuses.

Protocol (JSON). Server → client: `hello` (role, ICE servers, policy, room state), `peer.joined`,
`peer.left`, `waiting` (a patient is in the waiting room), `admitted`, `signal`, `ended`, `error`.
Client → server: `admit` and `end` (practitioner), `signal` ({kind: offer|answer|candidate, …}),
`present` (answer to a peer who just joined), `ping`.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

from clinicore.core.errors import DomainError
from clinicore.messaging.realtime import CLOSE_NOT_SIGNED_IN, CLOSE_REFUSED, scope_user
from clinicore.telehealth import ice, services
from clinicore.telehealth.access import PATIENT, PRACTITIONER, appointment_for_room
from clinicore.telehealth.models import VideoRoom

MAX_SDP = 20_000
MAX_CANDIDATE = 1_000


def _display_name(appointment, role) -> str:
    if role == PRACTITIONER:
        return appointment.practitioner.display_name
    return appointment.patient.full_name


class VideoConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.user = scope_user(self.scope)
        self.group = None
        if self.user is None:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        try:
            self.appointment, self.role = await database_sync_to_async(appointment_for_room)(
                user=self.user,
                appointment_id=self.scope["url_route"]["kwargs"]["appointment_id"],
                token_clinic_id=self.scope.get("token_clinic_id"),
            )
        except DomainError:
            await self.close(code=CLOSE_REFUSED)
            return
        self.group = services.video_group(self.appointment.pk)
        self.name = _display_name(self.appointment, self.role)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept(subprotocol=self.scope.get("accept_subprotocol"))
        room = await database_sync_to_async(services.room_get_or_create)(
            appointment=self.appointment
        )
        await self.send_json(
            {
                "event": "hello",
                "role": self.role,
                "name": self.name,
                "room": room.status,
                "ice_servers": ice.ice_servers(user_id=self.user.pk),
                "ice_transport_policy": ice.ice_transport_policy(),
            }
        )
        await self._to_others({"event": "peer.joined", "role": self.role, "name": self.name})
        if self.role == PATIENT and room.status == VideoRoom.Status.WAITING:
            await self._to_others({"event": "waiting", "name": self.name})

    async def disconnect(self, code):
        if self.group:
            await self._to_others({"event": "peer.left", "role": self.role})
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def _to_others(self, payload: dict) -> None:
        await self.channel_layer.group_send(
            self.group,
            {"type": "video.relay", "sender_channel": self.channel_name, "payload": payload},
        )

    async def _to_all(self, payload: dict) -> None:
        await self.channel_layer.group_send(
            self.group, {"type": "video.relay", "sender_channel": "", "payload": payload}
        )

    async def video_relay(self, event):
        if event.get("sender_channel") != self.channel_name:
            await self.send_json(event["payload"])

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            if kind == "signal":
                await self._signal(content.get("data") or {})
            elif kind == "present":
                room = await self._room_status()
                await self._to_others(
                    {"event": "peer.joined", "role": self.role, "name": self.name, "reply": True}
                )
                if self.role == PATIENT and room == VideoRoom.Status.WAITING:
                    await self._to_others({"event": "waiting", "name": self.name})
            elif kind == "admit":
                await database_sync_to_async(services.room_admit)(
                    appointment=self.appointment, actor=self.user, role=self.role
                )
                await self._to_all({"event": "admitted"})
            elif kind == "end":
                await database_sync_to_async(services.room_end)(
                    appointment=self.appointment, actor=self.user, role=self.role
                )
                await self._to_all({"event": "ended"})
            elif kind == "ping":
                await self.send_json({"event": "pong"})
            else:
                await self.send_json(
                    {"event": "error", "code": "unknown_type", "detail": _("Unknown message type.")}
                )
        except DomainError as exc:
            await self.send_json({"event": "error", "code": exc.code, "detail": exc.message})

    async def _room_status(self) -> str:
        room = await database_sync_to_async(services.room_get_or_create)(
            appointment=self.appointment
        )
        return room.status

    async def _signal(self, data: dict) -> None:
        # Nothing reaches the practitioner from a patient still in the waiting room, and back.
        if await self._room_status() != VideoRoom.Status.LIVE:
            await self.send_json(
                {"event": "error", "code": "not_admitted", "detail": _("The call has not started.")}
            )
            return
        kind = data.get("kind")
        if kind in ("offer", "answer"):
            sdp = str(data.get("sdp", ""))[:MAX_SDP]
            await self._to_others(
                {"event": "signal", "data": {"kind": kind, "sdp": ice.sdp_filtered(sdp)}}
            )
        elif kind == "candidate":
            candidate = data.get("candidate") or {}
            line = str(candidate.get("candidate", ""))[:MAX_CANDIDATE]
            if not ice.candidate_allowed(line):
                return
            await self._to_others(
                {
                    "event": "signal",
                    "data": {
                        "kind": "candidate",
                        "candidate": {
                            "candidate": line,
                            "sdpMid": candidate.get("sdpMid"),
                            "sdpMLineIndex": candidate.get("sdpMLineIndex"),
                        },
                    },
                }
            )
