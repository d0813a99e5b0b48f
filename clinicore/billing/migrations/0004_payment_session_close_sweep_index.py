from django.db import migrations, models


class Migration(migrations.Migration):
    """An index for the sweep that closes expired and cancelled checkouts at the gateways
    (`gateway.checkouts_close_at_gateways`): it reads sessions by status and provider, created
    within the gateway's own checkout lifetime."""

    dependencies = [
        ("billing", "0003_report_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="paymentsession",
            index=models.Index(
                fields=["status", "provider", "created_at"], name="paymentsession_close_sweep"
            ),
        ),
    ]
