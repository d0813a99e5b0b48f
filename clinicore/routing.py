"""Websocket routes of every app (chat, live boards, video signalling)."""

websocket_urlpatterns: list = []
