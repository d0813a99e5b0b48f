"""Guards for workspace pages under /c/<clinic_slug>/desk/: membership and permission."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseNotAllowed

from clinicore.accounts.twofactor import workspace_redirect
from clinicore.clinics.access import clinic_get_by_slug, membership_require
from clinicore.clinics.permissions import TWO_FACTOR_REQUIRED
from clinicore.core import context


def workspace_view(perm: str | None = None, *, methods: tuple[str, ...] = ("GET", "POST")):
    """The view gets `request.clinic` and `request.membership`; 404 for outsiders, 403 for
    members whose role lacks `perm`, 405 for other HTTP methods.

    The permission and the methods are kept on the view (`workspace_permission`,
    `workspace_methods`) for the route walkers; a page that cannot be opened with GET (an action
    such as "deactivate") passes `methods=("POST",)`.
    """

    allowed = tuple(m.upper() for m in methods)
    permitted = (*allowed, "HEAD") if "GET" in allowed else allowed

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, clinic_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            clinic = clinic_get_by_slug(clinic_slug)
            request.membership = membership_require(request.user, clinic, perm)
            detour = workspace_redirect(
                request, required=request.membership.role in TWO_FACTOR_REQUIRED
            )
            if detour is not None:
                return detour
            request.clinic = clinic
            context.update(clinic_id=str(clinic.pk))
            if request.method not in permitted:
                return HttpResponseNotAllowed(allowed)
            return view(request, *args, **kwargs)

        wrapper.workspace_permission = perm
        # The walkers open GET pages with GET, and action pages with their first method.
        wrapper.workspace_methods = ("GET",) if "GET" in allowed else allowed[:1]
        return wrapper

    return decorate
