"""URL map of the four faces: portal, clinic workspace, platform console, REST API."""

from django.contrib import admin
from django.urls import include, path

from clinicore.api.core import api
from clinicore.core import views as core_views
from clinicore.desk.views import admin as desk_admin

urlpatterns = [
    path("health", core_views.health, name="health"),
    path("ready", core_views.ready, name="ready"),
    path("api/v1/", api.urls),
    path("ops/admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("clinicore.accounts.urls")),
    path("cal/", include("clinicore.scheduling.urls")),
    path(
        "c/<slug:clinic_slug>/desk/patients/<uuid:patient_id>/records/",
        include("clinicore.records.urls_desk"),
    ),
    path("c/<slug:clinic_slug>/desk/patients/", include("clinicore.patients.urls")),
    path("c/<slug:clinic_slug>/desk/records/", include("clinicore.records.urls_items")),
    path("me/records/", include("clinicore.records.urls_portal")),
    path("c/<slug:clinic_slug>/desk/billing/", include("clinicore.billing.urls_desk")),
    path("hooks/", include("clinicore.billing.urls_hooks")),
    path("hooks/", include("clinicore.notifications.webhook_urls")),
    path("", include("clinicore.notifications.urls")),
    path("pay/", include("clinicore.billing.urls_pay")),
    path("me/invoices/", include("clinicore.billing.urls_portal")),
    path("c/<slug:clinic_slug>/desk/reports/", include("clinicore.reports.urls")),
    path("c/<slug:clinic_slug>/desk/inbox/", include("clinicore.messaging.urls_desk")),
    path("me/messages/", include("clinicore.messaging.urls_portal")),
    path("chat/files/", include("clinicore.messaging.urls_files")),
    path("c/<slug:clinic_slug>/desk/video/", include("clinicore.telehealth.urls_desk")),
    path("me/visits/", include("clinicore.telehealth.urls_portal")),
    path("c/<slug:clinic_slug>/desk/", include("clinicore.desk.urls")),
    path("join/<str:token>/", desk_admin.join, name="join"),
    path("", include("clinicore.portal.urls")),
    path("", include("clinicore.web.urls")),
]

handler400 = "clinicore.web.views.bad_request"
handler403 = "clinicore.web.views.forbidden"
handler404 = "clinicore.web.views.not_found"
handler500 = "clinicore.web.views.server_error"
