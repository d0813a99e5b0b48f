from django.apps import AppConfig
from django.core import checks


class NotificationsConfig(AppConfig):
    name = "clinicore.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from clinicore.core.messages import backend_register
        from clinicore.notifications.services import transactional_email_queue

        checks.register(check_delivery_settings)
        # Apps above notifications (accounts) send their emails through core.messages.
        backend_register(transactional_email_queue)


def check_delivery_settings(app_configs=None, **kwargs):
    """A worker's hold on a message must outlast a provider call, or a slow call could be
    taken over by a second worker and the message sent twice."""
    from django.conf import settings

    errors = []
    if settings.NOTIFY_LEASE_SECONDS < 2 * settings.NOTIFY_PROVIDER_TIMEOUT_SECONDS:
        errors.append(
            checks.Error(
                "NOTIFY_LEASE_SECONDS must be at least twice NOTIFY_PROVIDER_TIMEOUT_SECONDS.",
                id="notifications.E001",
            )
        )
    if settings.NOTIFY_MAX_ATTEMPTS < 1:
        errors.append(
            checks.Error("NOTIFY_MAX_ATTEMPTS must be at least 1.", id="notifications.E002")
        )
    if settings.ENVIRONMENT == "production" and settings.EMAIL_URL.startswith("outbox:"):
        errors.append(
            checks.Warning(
                "EMAIL_URL is the sandbox (outbox://): no email leaves in production.",
                id="notifications.W001",
            )
        )
    return errors
