"""Public pages of the platform, and the error pages (a human sentence, never a traceback)."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinicore.clinics.access import memberships_for
from clinicore.clinics.models import Clinic
from clinicore.clinics.selectors import clinic_directory, clinic_specialties


@require_GET
def home(request):
    q = request.GET.get("q", "").strip()[:100]
    clinics = list(clinic_directory(q=q)[:48])
    specialties = clinic_specialties(c.pk for c in clinics)
    for clinic in clinics:
        clinic.specialties = specialties.get(clinic.pk, [])
    return render(
        request, "web/home.html", {"clinics": clinics, "q": q, "kinds": Clinic.Kind.choices}
    )


def after_login(request):
    """Staff land on their clinic's workspace; patients on their own area."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    memberships = list(memberships_for(request.user)[:2])
    if memberships:
        return redirect("patients:list", clinic_slug=memberships[0].clinic.slug)
    if request.user.is_staff:
        return redirect("web:ops")
    return redirect("web:home")


def _error(request, status, title, message):
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, _("Bad request"), _("We could not understand that request."))


def forbidden(request, exception=None):
    return _error(request, 403, _("Not allowed"), _("Your role does not let you open this page."))


def not_found(request, exception=None):
    return _error(request, 404, _("Page not found"), _("There is nothing at this address."))


def server_error(request):
    return _error(
        request, 500, _("Something went wrong"), _("The problem was logged. Please try again.")
    )
