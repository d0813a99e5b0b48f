from django.urls import path

from clinicore.messaging import views

app_name = "messaging-desk"

urlpatterns = [
    path("", views.desk_inbox, name="inbox"),
    path("<uuid:conversation_id>/", views.desk_conversation, name="conversation"),
    path("<uuid:conversation_id>/update/", views.desk_conversation_update, name="update"),
]
