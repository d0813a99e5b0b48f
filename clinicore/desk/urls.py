from django.urls import path

from clinicore.desk import views

app_name = "desk"

urlpatterns = [
    path("", views.board, name="board"),
    path("calendar/", views.calendar, name="calendar"),
    path("till/", views.billing, name="billing"),
    path("staff/", views.staff, name="staff"),
    path("settings/", views.settings_page, name="settings"),
    path("audit/", views.audit, name="audit"),
]
