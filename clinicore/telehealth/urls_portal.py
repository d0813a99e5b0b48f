from django.urls import path

from clinicore.telehealth import views

app_name = "telehealth-portal"

urlpatterns = [
    path("<uuid:appointment_id>/video/", views.patient_video, name="video"),
]
