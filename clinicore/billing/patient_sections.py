"""The patient's invoices on the workspace patient page."""

from clinicore.billing.models import Invoice
from clinicore.clinics.permissions import Perm
from clinicore.patients.sections import patient_section


@patient_section(
    "invoices", template="billing/_patient_invoices.html", perm=Perm.BILLING_READ, order=20
)
def patient_invoices(*, clinic, patient) -> list:
    return list(
        Invoice.objects.filter(clinic=clinic, patient=patient)
        .exclude(status=Invoice.Status.DRAFT)
        .order_by("-issued_at", "-created_at")[:10]
    )
