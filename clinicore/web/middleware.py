"""Pages answer domain errors (404 outsider, 403 wrong role, 409…) with a human page, never a traceback."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicore.core.errors import DomainError

TITLES = {
    400: gettext_lazy("Bad request"),
    401: gettext_lazy("Sign in to continue"),
    403: gettext_lazy("Not allowed"),
    404: gettext_lazy("Page not found"),
    409: gettext_lazy("That cannot be done now"),
    422: gettext_lazy("Please check what you entered"),
    429: gettext_lazy("Too many requests"),
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
            message = _("There is nothing at this address.")
        else:
            message = exception.message
        return render(
            request,
            "web/error.html",
            {"title": TITLES.get(status, _("Something went wrong")), "message": message},
            status=status,
        )
