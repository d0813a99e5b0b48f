"""Model fields shared by every app."""

from django.db import models

from clinicore.core.crypto import PREFIX, decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):
    """Text stored encrypted; reads give plain text. Not searchable or orderable in SQL."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if value.startswith(PREFIX):
            return value
        return encrypt_text(value)
