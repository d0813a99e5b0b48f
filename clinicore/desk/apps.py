from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "clinicore.desk"
    label = "desk"
    verbose_name = "Clinic workspace"
    default_auto_field = "django.db.models.BigAutoField"
