from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "clinicore.clinics"
    label = "clinics"
    default_auto_field = "django.db.models.BigAutoField"
