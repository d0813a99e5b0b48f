from django.urls import path

from clinicore.notifications import webhooks

app_name = "notification_hooks"

urlpatterns = [
    path("twilio/status/<uuid:account_id>", webhooks.twilio_status, name="twilio-status"),
    path("whatsapp", webhooks.whatsapp, name="whatsapp"),
    path("telegram/<uuid:account_id>", webhooks.telegram, name="telegram"),
]
