from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinicore.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
