from django.urls import path

from clinicore.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list_page, name="list"),
]
