"""Who is on the other end of a websocket: the session cookie (pages) or a bearer JWT (apps).

Apps send the access token as `?token=<jwt>` or as the subprotocols `["bearer", "<jwt>"]` (browsers
cannot set headers on a websocket). A token bound to a clinic is only good for that clinic, as in
the API. Origins are checked before this by AllowedHostsOriginValidator in clinicore/asgi.py.
"""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from clinicore.accounts.tokens import access_token_decode

# Close codes sent when a connection is refused after the handshake (before it, the client sees 403).
CLOSE_REFUSED = 4403
CLOSE_NOT_SIGNED_IN = 4401


def _token_from_scope(scope) -> tuple[str, str | None]:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    token = (query.get("token") or [""])[-1]
    if token:
        return token, None
    protocols = scope.get("subprotocols") or []
    if len(protocols) >= 2 and protocols[0].lower() == "bearer":
        return protocols[1], "bearer"
    return "", None


def _user_for_token(token: str):
    from clinicore.accounts.models import User

    claims = access_token_decode(token)
    if not claims:
        return None, None
    user = User.objects.filter(pk=claims["sub"], is_active=True).first()
    if user is None or claims.get("ep", 0) != user.token_epoch:
        return None, None
    return user, claims.get("clinic")


class TokenAuthMiddleware:
    """Runs inside AuthMiddlewareStack: a token, when sent, decides who the user is."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        token, subprotocol = _token_from_scope(scope)
        scope = dict(scope)
        scope["token_clinic_id"] = None
        scope["accept_subprotocol"] = subprotocol
        if token:
            from django.contrib.auth.models import AnonymousUser

            user, clinic_id = await database_sync_to_async(_user_for_token)(token)
            scope["user"] = user or AnonymousUser()
            scope["token_clinic_id"] = clinic_id
            scope["auth_via"] = "token"
        else:
            scope["auth_via"] = "session"
        return await self.inner(scope, receive, send)


def scope_user(scope):
    user = scope.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user
