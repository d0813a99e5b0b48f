"""Pages of notifications outside the workspace: the operators' outbox and a person's list."""

from django.urls import include, path

from clinicore.notifications import views

app_name = "notifications"

urlpatterns = [
    path("c/<slug:clinic_slug>/desk/outbox/", include("clinicore.notifications.urls_desk")),
    path("ops/outbox/", views.ops_outbox_page, name="ops-outbox"),
    path(
        "ops/outbox/<uuid:outbox_message_id>/",
        views.ops_outbox_message_page,
        name="ops-outbox-message",
    ),
    path(
        "ops/outbox/<uuid:outbox_message_id>/html",
        views.ops_outbox_message_html,
        name="ops-outbox-html",
    ),
    path("me/notifications/", views.my_notifications_page, name="mine"),
]
