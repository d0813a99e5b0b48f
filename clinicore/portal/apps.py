from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "clinicore.portal"
    label = "portal"
    verbose_name = "Patient portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from clinicore.portal import signals

        # Django's own auth signals (not a domain event): they keep the "where am I signed in"
        # list true for every way of signing in.
        user_logged_in.connect(signals.session_started, dispatch_uid="portal.session_started")
        user_logged_out.connect(signals.session_ended, dispatch_uid="portal.session_ended")
