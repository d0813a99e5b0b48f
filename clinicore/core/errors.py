"""One exception hierarchy for domain rules; the API and pages map each to one error shape."""

from http import HTTPStatus


class DomainError(Exception):
    status = HTTPStatus.BAD_REQUEST
    code = "bad_request"
    title = "Bad request"

    def __init__(self, message: str = "", *, code: str | None = None, fields: dict | None = None):
        super().__init__(message or self.title)
        self.message = message or self.title
        if code:
            self.code = code
        self.fields = fields or {}


class InvalidInput(DomainError):
    status = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "invalid_input"
    title = "The request has invalid fields"


class NotAuthenticated(DomainError):
    status = HTTPStatus.UNAUTHORIZED
    code = "not_authenticated"
    title = "Sign in to continue"


class Forbidden(DomainError):
    status = HTTPStatus.FORBIDDEN
    code = "forbidden"
    title = "You do not have permission to do this"


class NotFound(DomainError):
    status = HTTPStatus.NOT_FOUND
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    status = HTTPStatus.CONFLICT
    code = "conflict"
    title = "This conflicts with the current state"


class RateLimited(DomainError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "rate_limited"
    title = "Too many requests; try again in a minute"

    def __init__(self, message: str = "", *, retry_after: int = 60, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ProviderUnavailable(DomainError):
    """An outside provider failed; `retryable` says whether trying again can help."""

    status = HTTPStatus.BAD_GATEWAY
    code = "provider_unavailable"
    title = "An outside service did not answer"

    def __init__(self, message: str = "", *, retryable: bool = True, **kwargs):
        super().__init__(message, **kwargs)
        self.retryable = retryable
