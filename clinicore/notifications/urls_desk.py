from django.urls import path

from clinicore.notifications import views

urlpatterns = [
    path("", views.outbox_page, name="outbox"),
    path("channels/", views.channels_page, name="channels"),
    path("<uuid:outbox_message_id>/", views.outbox_message_page, name="outbox-message"),
    path("<uuid:outbox_message_id>/html", views.outbox_message_html, name="outbox-html"),
    path("<uuid:outbox_message_id>/retry", views.outbox_message_retry, name="outbox-retry"),
]
