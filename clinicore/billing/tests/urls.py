"""The routes billing's tests need (API, hooks, pages and the layout's links), so a neighbour's
half-finished app cannot stop them; the walkers and the browser test use the full URL map."""

from django.urls import include, path

from clinicore.api.core import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("clinicore.accounts.urls")),
    path("c/<slug:clinic_slug>/desk/patients/", include("clinicore.patients.urls")),
    path("c/<slug:clinic_slug>/desk/billing/", include("clinicore.billing.urls_desk")),
    path("hooks/", include("clinicore.billing.urls_hooks")),
    path("pay/", include("clinicore.billing.urls_pay")),
    path("me/invoices/", include("clinicore.billing.urls_portal")),
    path("", include("clinicore.web.urls")),
]
