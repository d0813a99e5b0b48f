from django.db import migrations, models


class Migration(migrations.Migration):
    """Patients by clinic and registration time (patient growth reports)."""

    dependencies = [
        ("patients", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                fields=["clinic", "created_at", "is_active", "merged_into", "id"],
                name="patient_clinic_created",
            ),
        ),
    ]
