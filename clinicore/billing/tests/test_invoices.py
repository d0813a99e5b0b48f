"""Invoices: totals from lines, numbers without gaps, the status machine, who sees what."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from clinicore.billing import services
from clinicore.billing.models import Invoice
from clinicore.billing.testing import LINES, make_invoice
from clinicore.core.errors import Conflict
from clinicore.core.testing import bearer

pytestmark = pytest.mark.django_db


def test_it_computes_totals_from_lines_with_tax_and_discounts(api, world, staff_a):
    body = {"patient_id": str(world.patient_a.pk), "lines": LINES, "discount": "20.00"}
    response = api.post("/api/v1/billing/invoices", body, headers=staff_a)
    assert response.status_code == 201, response.content
    data = response.json()
    # 800 + 18% tax = 944; 2 × 150 − 50 = 250; minus the invoice discount 20.
    assert data["subtotal"] == "1100.00"
    assert data["tax_total"] == "144.00"
    assert data["discount_total"] == "70.00"
    assert data["total"] == "1174.00"
    assert data["status"] == "draft" and data["number"] == ""
    assert [line["total"] for line in data["lines"]] == ["944.00", "250.00"]


def test_it_numbers_invoices_per_clinic_and_year_without_gaps(world):
    numbers = [make_invoice(world.clinic_a, world.patient_a).number for _ in range(3)]
    year = numbers[0].split("-")[1]
    assert numbers == [f"INV-{year}-000001", f"INV-{year}-000002", f"INV-{year}-000003"]
    assert make_invoice(world.clinic_b, world.patient_b).number == f"INV-{year}-000001"
    draft = make_invoice(world.clinic_a, world.patient_a, issue=False)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.invoice_issue(invoice=draft, actor=None)
        raise RuntimeError("the issuing transaction rolls back")
    assert services.invoice_issue(invoice=draft, actor=None).number == f"INV-{year}-000004"


def test_it_answers_409_to_a_wrong_status_change(api, world, staff_a):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    response = api.post(f"/api/v1/billing/invoices/{invoice.pk}/issue", headers=staff_a)
    assert response.status_code == 409
    assert response.json()["code"] == "invoice_not_draft"
    response = api.put(f"/api/v1/billing/invoices/{invoice.pk}", {"lines": LINES}, headers=staff_a)
    assert response.status_code == 409
    assert (
        api.post(
            f"/api/v1/billing/invoices/{invoice.pk}/void", {"reason": "duplicate"}, headers=staff_a
        ).json()["status"]
        == "void"
    )
    response = api.put(
        f"/api/v1/billing/invoices/{invoice.pk}", {"status": "issued"}, headers=staff_a
    )
    assert response.status_code == 409


def test_it_refuses_to_void_an_invoice_with_payments(world):
    from clinicore.billing.testing import make_desk_payment

    invoice = make_invoice(world.clinic_a, world.patient_a)
    make_desk_payment(world.clinic_a, invoice, amount=Decimal("100"))
    with pytest.raises(Conflict):
        services.invoice_void(invoice=invoice, actor=None)


def test_it_shows_patients_only_their_own_issued_invoices(api, world):
    mine = make_invoice(world.clinic_a, world.patient_a)
    make_invoice(world.clinic_a, world.patient_a, issue=False)
    other = make_invoice(world.clinic_a, world.other_patient_a)
    headers = bearer(world.patient_user, world.clinic_a)
    listed = api.get("/api/v1/billing/invoices", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [str(mine.pk)]
    assert api.get(f"/api/v1/billing/invoices/{other.pk}", headers=headers).status_code == 404
    assert api.get(f"/api/v1/billing/invoices/{mine.pk}", headers=headers).status_code == 200
    pdf = api.get(f"/api/v1/billing/invoices/{mine.pk}/pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_it_marks_invoices_overdue_after_the_due_date_in_the_clinic_time_zone(world):
    invoice = make_invoice(world.clinic_a, world.patient_a, due_date=datetime.date(2026, 3, 1))
    # 23:00 UTC on 1 March is already 2 March in Kolkata: past due there.
    assert (
        services.invoices_mark_overdue(
            now=datetime.datetime(2026, 3, 1, 17, 0, tzinfo=datetime.UTC)
        )
        == 0
    )
    assert (
        services.invoices_mark_overdue(
            now=datetime.datetime(2026, 3, 1, 23, 0, tzinfo=datetime.UTC)
        )
        == 1
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OVERDUE


def test_it_lists_outstanding_and_overdue_invoices_for_staff(api, world, staff_a):
    open_one = make_invoice(world.clinic_a, world.patient_a)
    late = make_invoice(world.clinic_a, world.patient_a, due_date=datetime.date(2020, 1, 1))
    services.invoices_mark_overdue()
    items = api.get("/api/v1/billing/reports/outstanding", headers=staff_a).json()["items"]
    assert {i["id"] for i in items} == {str(open_one.pk), str(late.pk)}
    items = api.get("/api/v1/billing/reports/outstanding", headers=staff_a, overdue="true").json()[
        "items"
    ]
    assert [i["id"] for i in items] == [str(late.pk)]
