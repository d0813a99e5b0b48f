"""Receivers for Django's sign-in and sign-out signals: the person's list of signed-in browsers."""

from django.utils import timezone

from clinicore.portal.models import SignedInSession
from clinicore.portal.services import signed_in_session_record


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def session_started(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    signed_in_session_record(
        user=user,
        session_key=request.session.session_key,
        ip=_client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def session_ended(sender, request, user, **kwargs):
    if request is None or user is None or not hasattr(request, "session"):
        return
    key = request.session.session_key
    if key:
        SignedInSession.objects.filter(session_key=key, ended_at=None).update(
            ended_at=timezone.now()
        )
