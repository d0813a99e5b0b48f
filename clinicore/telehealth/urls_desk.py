from django.urls import path

from clinicore.telehealth import views

app_name = "telehealth-desk"

urlpatterns = [
    path("<uuid:appointment_id>/", views.desk_video, name="video"),
]
