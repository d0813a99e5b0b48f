"""Values every page layout needs: the clinic in view, the person's clinics, languages."""

from django.conf import settings


def shell(request):
    clinic = getattr(request, "clinic", None)
    membership = getattr(request, "membership", None)
    data = {
        "current_clinic": clinic,
        "current_membership": membership,
        "LANGUAGES": settings.LANGUAGES,
    }
    return data
