"""Websockets of chat (`/ws/chat/<conversation_id>/`) and of live updates (`/ws/live/?topic=…`).

Authorization happens on connect with the same access functions as the API; a refused client
never gets past the handshake (it sees HTTP 403). Every write goes through the services, which
announce it after commit; the consumers only relay those announcements and ephemeral typing.
"""

import uuid
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from clinicore.core.errors import DomainError
from clinicore.core.live import TOPICS, Subscriber, live_group
from clinicore.messaging import presence, services
from clinicore.messaging.access import conversation_actor_for_user, conversation_get, message_get
from clinicore.messaging.realtime import CLOSE_NOT_SIGNED_IN, CLOSE_REFUSED, scope_user
from clinicore.messaging.selectors import chat_group, message_payload

MAX_TOPICS = 20
_discovered = False


def _discover_topics() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("live")
        _discovered = True


class RelayMixin:
    """Sends announcements from the channel layer (`live.event`) to the client as they are."""

    async def live_event(self, event):
        payload = dict(event["payload"])
        topic = getattr(self, "topics_by_group", {}).get(event.get("group"))
        if topic:
            payload.setdefault("topic", topic)
        await self.send_json(payload)

    async def _heartbeat(self):
        await database_sync_to_async(presence.presence_mark)(self.user.pk)
        await self.send_json({"event": "pong"})


class ChatConsumer(RelayMixin, AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.user = scope_user(self.scope)
        self.group = None
        if self.user is None:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        conversation_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        try:
            self.conversation, self.actor = await database_sync_to_async(
                conversation_actor_for_user
            )(
                user=self.user,
                conversation_id=conversation_id,
                token_clinic_id=self.scope.get("token_clinic_id"),
            )
        except DomainError:
            await self.close(code=CLOSE_REFUSED)
            return
        self.group = chat_group(self.conversation.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept(subprotocol=self.scope.get("accept_subprotocol"))
        await database_sync_to_async(presence.presence_mark)(self.user.pk)
        await self.send_json(
            {
                "event": "ready",
                "conversation_id": str(self.conversation.pk),
                "side": self.actor.side,
                "user_id": str(self.user.pk),
            }
        )

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await database_sync_to_async(presence.presence_clear)(self.user.pk)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            if kind == "typing":
                await self.channel_layer.group_send(
                    self.group,
                    {
                        "type": "chat.typing",
                        "sender_channel": self.channel_name,
                        "payload": {
                            "event": "typing",
                            "conversation_id": str(self.conversation.pk),
                            "user_id": str(self.user.pk),
                            "side": self.actor.side,
                            "name": self.actor.label,
                        },
                    },
                )
            elif kind == "read":
                await database_sync_to_async(self._read)(content.get("message_id"))
            elif kind == "send":
                payload = await database_sync_to_async(self._send)(
                    content.get("text"), content.get("attachment_id")
                )
                await self.send_json(
                    {"event": "sent", "client_id": content.get("client_id"), "message": payload}
                )
            elif kind == "ping":
                await self._heartbeat()
            else:
                await self.send_json(
                    {"event": "error", "code": "unknown_type", "detail": _("Unknown message type.")}
                )
        except DomainError as exc:
            await self.send_json({"event": "error", "code": exc.code, "detail": exc.message})

    def _read(self, message_id):
        message = message_get(actor=self.actor, message_id=message_id)
        if message.conversation_id != self.conversation.pk:
            raise DomainError(
                _("That message is in another conversation."), code="wrong_conversation"
            )
        services.message_mark_read(message=message, actor=self.actor)

    def _send(self, text, attachment_id):
        # Look the conversation up again: access may have changed since connect.
        conversation = conversation_get(actor=self.actor, conversation_id=self.conversation.pk)
        try:
            attachment = uuid.UUID(str(attachment_id)) if attachment_id else None
        except ValueError:
            attachment = None
        message = services.message_send(
            conversation=conversation,
            actor=self.actor,
            text=str(text or ""),
            attachment_id=attachment,
        )
        return message_payload(message)

    async def chat_typing(self, event):
        if event.get("sender_channel") != self.channel_name:
            await self.send_json(event["payload"])


class LiveConsumer(RelayMixin, AsyncJsonWebsocketConsumer):
    """`/ws/live/?topic=board:<clinic_id>&topic=appointment:<id>`; more with {"type": "subscribe"}."""

    async def connect(self):
        self.user = scope_user(self.scope)
        self.topics_by_group = {}
        if self.user is None:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        wanted = query.get("topic", [])[:MAX_TOPICS]
        for topic in wanted:
            group = await database_sync_to_async(self._authorize)(topic)
            if group is None:
                await self.close(code=CLOSE_REFUSED)
                return
            self.topics_by_group[group] = topic
        for group in self.topics_by_group:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept(subprotocol=self.scope.get("accept_subprotocol"))
        await database_sync_to_async(presence.presence_mark)(self.user.pk)
        await self.send_json({"event": "ready", "topics": sorted(self.topics_by_group.values())})

    def _authorize(self, topic: str) -> str | None:
        _discover_topics()
        kind, _, key = str(topic).partition(":")
        authorizer = TOPICS.get(kind)
        if authorizer is None or not key:
            return None
        try:
            key = str(uuid.UUID(key))
        except ValueError:
            return None
        subscriber = Subscriber(user=self.user, token_clinic_id=self.scope.get("token_clinic_id"))
        try:
            allowed = authorizer(subscriber=subscriber, key=key)
        except DomainError:
            allowed = False
        return live_group(kind, key) if allowed else None

    async def disconnect(self, code):
        for group in getattr(self, "topics_by_group", {}):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        if content.get("type") == "ping":
            await self._heartbeat()
        elif content.get("type") == "subscribe":
            topic = str(content.get("topic", ""))
            if len(self.topics_by_group) >= MAX_TOPICS:
                await self.send_json({"event": "refused", "topic": topic})
                return
            group = await database_sync_to_async(self._authorize)(topic)
            if group is None:
                await self.send_json({"event": "refused", "topic": topic})
                return
            self.topics_by_group[group] = topic
            await self.channel_layer.group_add(group, self.channel_name)
            await self.send_json({"event": "subscribed", "topic": topic})
