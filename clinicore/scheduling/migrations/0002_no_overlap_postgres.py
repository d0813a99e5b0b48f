"""The overlap guarantee on PostgreSQL: exclusion constraints over the occupied time range.

One practitioner's live rows (appointments and unexpired-or-not-yet-cleared holds) never
overlap, buffers included; one patient's live visits never overlap. SQLite has no exclusion
constraints: there the booking service's check runs inside IMMEDIATE (serialized) transactions.
The constraints live only in the database (not in model state), so `makemigrations` stays clean
on both engines.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

BLOCKING = "('held','requested','scheduled','confirmed','checked_in','in_progress','completed')"

CREATE = [
    f"""ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_practitioner_no_overlap
        EXCLUDE USING gist (practitioner_id WITH =, tstzrange(occupied_start, occupied_end, '[)') WITH &&)
        WHERE (status IN {BLOCKING})""",
    f"""ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_patient_no_overlap
        EXCLUDE USING gist (patient_id WITH =, tstzrange(start, "end", '[)') WITH &&)
        WHERE (status IN {BLOCKING})""",
]
DROP = [
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appointment_patient_no_overlap",
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appointment_practitioner_no_overlap",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
