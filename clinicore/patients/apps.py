from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "clinicore.patients"
    label = "patients"
    default_auto_field = "django.db.models.BigAutoField"
