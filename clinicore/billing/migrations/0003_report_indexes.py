from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes for the revenue reports, carrying the columns the reports read so PostgreSQL and
    SQLite answer from the index alone: invoices by issue date, a clinic's invoice lines, refunds
    by processing date, and settled payments by paid date (built before the old payment index
    goes, so the desk's reads keep an index throughout)."""

    dependencies = [
        ("billing", "0002_invoice_appointment"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["clinic", "issued_at", "status", "practitioner", "id"],
                name="invoice_clinic_issued",
            ),
        ),
        migrations.AddIndex(
            model_name="invoiceline",
            index=models.Index(
                fields=["clinic", "invoice", "description", "total"],
                name="invoiceline_clinic_report",
            ),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                fields=["clinic", "status", "paid_at", "method", "amount", "invoice"],
                name="payment_clinic_paid_report",
            ),
        ),
        migrations.RemoveIndex(
            model_name="payment",
            name="payment_clinic_status_paid",
        ),
        migrations.AddIndex(
            model_name="refund",
            index=models.Index(fields=["clinic", "processed_at"], name="refund_clinic_processed"),
        ),
    ]
