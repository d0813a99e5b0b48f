from django.apps import AppConfig


class TelehealthConfig(AppConfig):
    name = "clinicore.telehealth"
    label = "telehealth"
    default_auto_field = "django.db.models.BigAutoField"
