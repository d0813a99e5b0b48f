from django.urls import path

from clinicore.messaging import views

app_name = "messaging-portal"

urlpatterns = [
    path("", views.portal_inbox, name="inbox"),
    path("new/", views.portal_new, name="new"),
    path("unread/", views.unread_badge, name="unread"),
    path("<uuid:conversation_id>/", views.portal_conversation, name="conversation"),
]
