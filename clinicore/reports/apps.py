from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "clinicore.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"
