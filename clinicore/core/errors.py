"""One exception hierarchy for domain rules; the API and pages map each to one error shape."""

from http import HTTPStatus

from django.utils.translation import gettext_lazy


class DomainError(Exception):
    status = HTTPStatus.BAD_REQUEST
    code = "bad_request"
    title = gettext_lazy("Bad request")

    def __init__(self, message: str = "", *, code: str | None = None, fields: dict | None = None):
        # Raised at request time with the reader's language active: the message (and the
        # class title it falls back to) is translated now and stays a plain string.
        self.message = str(message or self.title)
        super().__init__(self.message)
        if code:
            self.code = code
        self.fields = fields or {}


class InvalidInput(DomainError):
    status = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "invalid_input"
    title = gettext_lazy("The request has invalid fields")


class NotAuthenticated(DomainError):
    status = HTTPStatus.UNAUTHORIZED
    code = "not_authenticated"
    title = gettext_lazy("Sign in to continue")


class Forbidden(DomainError):
    status = HTTPStatus.FORBIDDEN
    code = "forbidden"
    title = gettext_lazy("You do not have permission to do this")


class NotFound(DomainError):
    status = HTTPStatus.NOT_FOUND
    code = "not_found"
    title = gettext_lazy("Not found")


class Conflict(DomainError):
    status = HTTPStatus.CONFLICT
    code = "conflict"
    title = gettext_lazy("This conflicts with the current state")


class RateLimited(DomainError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "rate_limited"
    title = gettext_lazy("Too many requests; try again in a minute")

    def __init__(self, message: str = "", *, retry_after: int = 60, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ProviderUnavailable(DomainError):
    """An outside provider failed; `retryable` says whether trying again can help."""

    status = HTTPStatus.BAD_GATEWAY
    code = "provider_unavailable"
    title = gettext_lazy("An outside service did not answer")

    def __init__(self, message: str = "", *, retryable: bool = True, **kwargs):
        super().__init__(message, **kwargs)
        self.retryable = retryable
