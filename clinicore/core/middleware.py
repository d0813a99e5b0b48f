"""Request id and actor context, CORS allow-list."""

import re
import uuid

from django.conf import settings

from clinicore.core import context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def client_ip(request) -> str:
    # Behind the production proxy the first X-Forwarded-For hop is the client.
    if settings.BEHIND_HTTPS:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = context.set_context(
            request_id=request_id,
            user_id="",
            clinic_id="",
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:300],
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestUserContextMiddleware:
    """After authentication: puts the signed-in user's id in the context for audit and logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context.update(user_id=str(user.pk))
        return self.get_response(request)


class CorsMiddleware:
    """Answers CORS for the API only, and only for origins in CORS_ALLOWED_ORIGINS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        origin = request.headers.get("Origin")
        allowed = (
            origin
            and origin in settings.CORS_ALLOWED_ORIGINS
            and request.path.startswith("/api/")
        )
        if allowed and request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            from django.http import HttpResponse

            response = HttpResponse(status=204)
        else:
            response = self.get_response(request)
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
            response["Vary"] = "Origin"
            response["Access-Control-Allow-Headers"] = (
                "Authorization, Content-Type, Idempotency-Key, X-Clinic-API-Key, X-Clinic, X-Request-ID"
            )
            response["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            response["Access-Control-Max-Age"] = "600"
        return response
