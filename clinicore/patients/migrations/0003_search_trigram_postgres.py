"""Patient search on PostgreSQL: one GIN index over the clinic and the searched expressions with
trigram operator classes, so name and email prefixes and phone digits anywhere in the number are
found without reading the clinic's whole patient list.

The expressions are exactly those patients.selectors.patient_search compares (upper-cased names,
lower-cased email, the phone number without punctuation), or the planner would not use the index.
The clinic column (btree_gin) keeps each lookup inside one clinic. SQLite has neither extension:
there the same queries run over the (clinic, name) and (clinic, phone) indexes. The index lives
only in the database (not in model state), so `makemigrations` stays clean on both engines.
"""

from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations

PHONE_DIGITS = "phone"
for _char in "+()- ":
    PHONE_DIGITS = f"replace({PHONE_DIGITS}, '{_char}', '')"

CREATE = [
    f"""CREATE INDEX IF NOT EXISTS patient_search_trgm ON patients_patient USING gin (
        clinic_id,
        upper(first_name) gin_trgm_ops,
        upper(last_name) gin_trgm_ops,
        lower(email) gin_trgm_ops,
        ({PHONE_DIGITS}) gin_trgm_ops
    )""",
]
DROP = ["DROP INDEX IF EXISTS patient_search_trgm"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_clinic_created_index")]

    operations = [
        TrigramExtension(),
        BtreeGinExtension(),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
