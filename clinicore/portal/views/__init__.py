"""Portal pages. A domain error raised while serving one becomes a page with a human sentence."""

import functools

from django.shortcuts import render

from clinicore.core.errors import DomainError


def portal_page(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render(
                request,
                "portal/error.html",
                {"title": exc.title, "message": exc.message},
                status=int(exc.status),
            )

    for attr in ("workspace_permission",):
        if hasattr(view, attr):
            setattr(wrapper, attr, getattr(view, attr))
    return wrapper
