from django.urls import path

from clinicore.web import ops, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("after-login/", views.after_login, name="after-login"),
    path("ops/", ops.console_home, name="ops"),
    path("ops/clinics/new/", ops.console_clinic_create, name="ops-clinic-create"),
    path(
        "ops/clinics/<uuid:clinic_id>/status/", ops.console_clinic_status, name="ops-clinic-status"
    ),
    path("ops/clinics/<uuid:clinic_id>/tier/", ops.console_clinic_tier, name="ops-clinic-tier"),
]
