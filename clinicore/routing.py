"""Websocket routes of every app (chat, live boards, video signalling)."""

from django.urls import path

from clinicore.messaging.consumers import ChatConsumer, LiveConsumer
from clinicore.messaging.realtime import TokenAuthMiddleware
from clinicore.portal.consumers import MyAppointmentsConsumer
from clinicore.telehealth.consumers import VideoConsumer

websocket_urlpatterns: list = [
    path("ws/chat/<uuid:conversation_id>/", TokenAuthMiddleware(ChatConsumer.as_asgi())),
    path("ws/live/", TokenAuthMiddleware(LiveConsumer.as_asgi())),
    path("ws/telehealth/<uuid:appointment_id>/", TokenAuthMiddleware(VideoConsumer.as_asgi())),
    path("ws/me/appointments/", TokenAuthMiddleware(MyAppointmentsConsumer.as_asgi())),
]
