"""Pages answer domain errors (404 outsider, 403 wrong role, 409…) with a human page, never a traceback."""

from django.shortcuts import render

from clinicore.core.errors import DomainError

TITLES = {
    400: "Bad request",
    401: "Sign in to continue",
    403: "Not allowed",
    404: "Page not found",
    409: "That cannot be done now",
    422: "Please check what you entered",
    429: "Too many requests",
}


class DomainErrorPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        status = int(exception.status)
        if status == 404:
            # Never say whether the thing exists elsewhere.
            message = "There is nothing at this address."
        else:
            message = exception.message
        return render(
            request,
            "web/error.html",
            {"title": TITLES.get(status, "Something went wrong"), "message": message},
            status=status,
        )
