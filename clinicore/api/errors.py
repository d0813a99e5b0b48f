"""Every API error is application/problem+json with a stable `code`; never a traceback."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from clinicore.core.errors import DomainError, RateLimited

logger = logging.getLogger("clinicore.api")

PROBLEM = "application/problem+json"


def problem(
    request, *, status: int, code: str, title: str, detail: str = "", fields=None, headers=None
):
    body = {
        "type": f"https://clinicore.app/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail or title,
        "request_id": getattr(request, "request_id", ""),
    }
    if fields:
        body["fields"] = fields
    response = JsonResponse(body, status=status, content_type=PROBLEM)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _loc_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form", "payload")]
    return ".".join(parts) or "request"


def install(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return problem(
            request,
            status=int(exc.status),
            code=exc.code,
            title=exc.title,
            detail=exc.message,
            fields=exc.fields or None,
            headers=headers,
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        fields = {}
        for err in exc.errors:
            fields.setdefault(_loc_name(err.get("loc", ())), err.get("msg", _("Invalid value.")))
        return problem(
            request,
            status=422,
            code="invalid_input",
            title=_("The request has invalid fields"),
            detail="; ".join(f"{k}: {v}" for k, v in fields.items()),
            fields=fields,
        )

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request, exc: DjangoValidationError):
        fields = getattr(exc, "message_dict", None) or {"request": exc.messages}
        fields = {k: " ".join(v) if isinstance(v, list) else str(v) for k, v in fields.items()}
        return problem(
            request,
            status=422,
            code="invalid_input",
            title=_("The request has invalid fields"),
            detail="; ".join(fields.values()),
            fields=fields,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return problem(
            request,
            status=401,
            code="not_authenticated",
            title=_("Sign in to continue"),
            detail=_("Send a valid bearer token or X-Clinic-API-Key."),
            headers={"WWW-Authenticate": 'Bearer realm="clinicore"'},
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(request, status=404, code="not_found", title=_("Not found"))

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request, exc):
        return problem(
            request, status=403, code="forbidden", title=_("You do not have permission to do this")
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        codes = {
            400: "bad_request",
            401: "not_authenticated",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            413: "too_large",
            415: "unsupported_media_type",
            422: "invalid_input",
            429: "rate_limited",
        }
        return problem(
            request,
            status=exc.status_code,
            code=codes.get(exc.status_code, "error"),
            title=str(exc.message),
        )

    @api.exception_handler(DataError)
    def data_error(request, exc):
        # The database refused a value the schema let through (too long, out of range, a
        # character it cannot store): the client's input, not our failure. Logged so the
        # schema that should have caught it gets its limit.
        logger.warning("database refused a value", extra={"path": request.path})
        return problem(
            request,
            status=422,
            code="invalid_input",
            title=_("The request has invalid fields"),
            detail=_(
                "A value is too long, out of range, or contains characters that cannot be stored."
            ),
        )

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("unhandled API error", extra={"path": request.path})
        return problem(
            request,
            status=500,
            code="internal_error",
            title=_("Something went wrong on our side"),
            detail=_("The error was logged; try again or contact support with the request id."),
        )
