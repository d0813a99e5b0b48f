"""The patient's live appointment status: `/ws/me/appointments/` (every appointment of the signed-in
person) or `/ws/me/appointments/?appointment=<id>` (one appointment's page).

The clinic's services announce each appointment change once, to the clinic's board topic, with ids
and states only. This consumer listens there on the patient's behalf and passes on only the
announcements about the person's own appointments (and, for one appointment, the one that replaced
it when it was moved), so a patient never sees another patient's traffic. The person may watch only
their own appointments, at the clinic their token names when it names one: anything else is
refused before the handshake (HTTP 403). Pages fetch the new state themselves, which checks access
again.
"""

import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from clinicore.core.live import live_group
from clinicore.messaging.realtime import CLOSE_NOT_SIGNED_IN, CLOSE_REFUSED, scope_user
from clinicore.portal import selectors

# Ids of the person's own appointments remembered per connection (the rest are looked up).
KNOWN_LIMIT = 500


@dataclass
class Watch:
    """What one connection follows: the person's appointments at some clinics, or just one."""

    user: object
    clinic_ids: list
    appointment_id: uuid.UUID | None = None
    known: set = field(default_factory=set)

    @property
    def groups(self) -> list[str]:
        groups = [live_group("board", clinic_id) for clinic_id in self.clinic_ids]
        if self.appointment_id:
            groups.append(live_group("appointment", self.appointment_id))
        return groups

    def _mine(self):
        return selectors.my_appointments(user=self.user).filter(clinic_id__in=self.clinic_ids)

    def concerns(self, appointment_id) -> bool:
        """Whether an announcement about `appointment_id` is for this connection."""
        try:
            pk = uuid.UUID(str(appointment_id))
        except ValueError:
            return False
        if pk in self.known:
            return True
        mine = self._mine().filter(pk=pk)
        if self.appointment_id:
            # The page of a moved appointment follows the one that replaced it.
            mine = mine.filter(rescheduled_from_id=self.appointment_id)
        if not mine.exists():
            return False
        if len(self.known) < KNOWN_LIMIT:
            self.known.add(pk)
        return True


def watch_for(*, user, token_clinic_id=None, appointment_id=None) -> Watch | None:
    """The person's watch, or None when they may not have it (not their appointment, or one at
    another clinic than their token's)."""
    appointments = selectors.my_appointments(user=user)
    if token_clinic_id:
        appointments = appointments.filter(clinic_id=token_clinic_id)
    if appointment_id is None:
        clinic_ids = sorted({str(c) for c in appointments.values_list("clinic_id", flat=True)})
        return Watch(user=user, clinic_ids=clinic_ids)
    try:
        pk = uuid.UUID(str(appointment_id))
    except ValueError:
        return None
    appointment = appointments.filter(pk=pk).first()
    if appointment is None:
        return None
    return Watch(user=user, clinic_ids=[str(appointment.clinic_id)], appointment_id=pk, known={pk})


class MyAppointmentsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.watch = None
        user = scope_user(self.scope)
        if user is None:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        wanted = (query.get("appointment") or [None])[-1]
        self.watch = await database_sync_to_async(watch_for)(
            user=user, token_clinic_id=self.scope.get("token_clinic_id"), appointment_id=wanted
        )
        if self.watch is None:
            await self.close(code=CLOSE_REFUSED)
            return
        for group in self.watch.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept(subprotocol=self.scope.get("accept_subprotocol"))
        ready = {"event": "ready"}
        if self.watch.appointment_id:
            ready["appointment_id"] = str(self.watch.appointment_id)
        await self.send_json(ready)

    async def disconnect(self, code):
        if self.watch is not None:
            for group in self.watch.groups:
                await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"event": "pong"})

    async def live_event(self, event):
        payload = event.get("payload") or {}
        appointment_id = payload.get("appointment_id")
        kind = str(payload.get("event", ""))
        if not appointment_id or not kind.startswith("appointment."):
            return
        if not await database_sync_to_async(self.watch.concerns)(appointment_id):
            return
        await self.send_json(
            {"event": "appointment.changed", "appointment_id": str(appointment_id)}
        )
