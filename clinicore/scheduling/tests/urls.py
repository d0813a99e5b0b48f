"""The API and the calendar feed only: scheduling's tests do not depend on other faces' pages."""

from django.urls import include, path

from clinicore.api.core import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("cal/", include("clinicore.scheduling.urls")),
]
