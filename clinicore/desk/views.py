"""Front desk pages."""

from django.shortcuts import render

from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm


@workspace_view(Perm.SCHEDULE_READ)
def board(request):
    return render(request, "desk/board.html", {"nav": "board"})


@workspace_view(Perm.SCHEDULE_READ)
def calendar(request):
    return render(request, "desk/board.html", {"nav": "calendar"})


@workspace_view(Perm.BILLING_READ)
def billing(request):
    return render(request, "desk/board.html", {"nav": "billing"})


@workspace_view(Perm.STAFF_READ)
def staff(request):
    return render(request, "desk/board.html", {"nav": "staff"})


@workspace_view(Perm.CLINIC_MANAGE)
def settings_page(request):
    return render(request, "desk/board.html", {"nav": "settings"})


@workspace_view(Perm.AUDIT_READ)
def audit(request):
    return render(request, "desk/board.html", {"nav": "audit"})
