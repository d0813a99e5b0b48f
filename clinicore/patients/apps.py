from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "clinicore.patients"
    label = "patients"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from clinicore.patients.sections import sections_load

        sections_load()
