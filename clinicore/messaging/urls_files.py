from django.urls import path

from clinicore.messaging import views

app_name = "messaging-files"

urlpatterns = [
    path("<uuid:attachment_id>/", views.attachment_download, name="download"),
]
