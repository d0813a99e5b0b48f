"""Pages refuse NUL characters in query strings and form fields with a 400 page.

PostgreSQL cannot store or compare text containing NUL, so a `?q=%00` reaching a search would be
a 500 there (and work on SQLite). The REST API checks the same per field (clinicore.api.validation)
and answers 422 naming it; this covers every page at once.
"""

from django.core.exceptions import SuspiciousOperation

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulCharacterInRequest(SuspiciousOperation):
    """Django answers it with the 400 page (handler400) and logs it to django.security."""


def _has_nul(querydict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in querydict.lists())


class RejectNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            if _has_nul(request.GET) or NUL in request.path:
                raise NulCharacterInRequest("NUL character in the address")
            if request.method == "POST" and request.content_type in FORM_TYPES:
                if _has_nul(request.POST):
                    raise NulCharacterInRequest("NUL character in a form field")
        return self.get_response(request)
