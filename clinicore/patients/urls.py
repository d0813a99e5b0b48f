from django.urls import path

from clinicore.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list_page, name="list"),
    path("new/", views.patient_create_page, name="create"),
    path("<uuid:patient_id>/", views.patient_detail_page, name="detail"),
    path("<uuid:patient_id>/edit/", views.patient_edit_page, name="edit"),
    path("<uuid:patient_id>/deactivate/", views.patient_deactivate_page, name="deactivate"),
]
