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
            origin and origin in settings.CORS_ALLOWED_ORIGINS and request.path.startswith("/api/")
        )
        if (
            allowed
            and request.method == "OPTIONS"
            and "Access-Control-Request-Method" in request.headers
        ):
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


class RateLimitMiddleware:
    """Per-address limits: the whole API, and (much lower) the sign-in, sign-up, reset and
    refresh endpoints of pages and API. The per-caller API limit is applied at authentication.

    The API answers 429 problem+json with Retry-After; pages answer a friendly 429 page.
    """

    AUTH_PATHS = frozenset(
        {
            "/api/v1/auth/login",
            "/api/v1/auth/register",
            "/api/v1/auth/refresh",
            "/api/v1/auth/password/reset",
            "/api/v1/auth/password/reset/confirm",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/accounts/2fa/verify/",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from clinicore.core import ratelimit
        from clinicore.core.errors import RateLimited

        ip = client_ip(request) or "unknown"
        path = request.path
        try:
            if path.startswith("/api/"):
                ratelimit.hit(f"api-ip:{ip}", limit=settings.RATE_LIMIT_API_PER_MINUTE)
            if request.method == "POST" and path in self.AUTH_PATHS:
                ratelimit.hit(f"auth-ip:{ip}", limit=settings.RATE_LIMIT_AUTH_PER_MINUTE)
        except RateLimited as exc:
            return self._refuse(request, exc)
        return self.get_response(request)

    def _refuse(self, request, exc):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        if request.path.startswith("/api/"):
            response = JsonResponse(
                {
                    "type": "https://clinicore.app/problems/rate_limited",
                    "title": exc.title,
                    "status": 429,
                    "code": "rate_limited",
                    "detail": _("Too many requests; try again in %(seconds)s seconds.")
                    % {"seconds": exc.retry_after},
                    "request_id": getattr(request, "request_id", ""),
                },
                status=429,
                content_type="application/problem+json",
            )
        else:
            response = render(
                request,
                "web/error.html",
                {
                    "title": _("Slow down a little"),
                    "message": _(
                        "You tried that many times in a short while. Wait a minute, then try again."
                    ),
                },
                status=429,
            )
        response["Retry-After"] = str(exc.retry_after)
        return response
