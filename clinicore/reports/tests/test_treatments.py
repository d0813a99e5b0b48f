"""The treatments report against hand-computed expectations on a small seeded week
(Asia/Kolkata), over the API and on the reports page (files, and a real Chromium at phone and
desktop widths)."""

import datetime as dt
import os
import zoneinfo
from decimal import Decimal
from urllib.parse import quote

import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.testing import PASSWORD, make_patient
from clinicore.records.services import catalog_item_create, treatment_record_create
from clinicore.reports import selectors

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
RANGE = {"start": "2026-03-02", "end": "2026-03-08"}  # Monday to Sunday


def at(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=IST)


class Visits:
    """Four visits in the week (one just after local midnight, one still a draft), two outside it
    in the clinic's zone, one in clinic B; a treatment priced in another currency."""

    def __init__(self, world):
        clinic = self.clinic = world.clinic_a
        self.doctor = world.member("a", Role.DOCTOR)
        self.dentist = world.member("a", Role.DENTIST)

        def item(name, code, price, currency=None, on=clinic):
            return catalog_item_create(
                clinic=on,
                actor=None,
                name=name,
                code=code,
                default_price=price,
                currency=currency,
            )

        rct = item("Root canal treatment", "RCT", "6500")
        fil = item("Composite filling", "FIL", "1800")
        cons = item("Consultation", "CONS", "0")  # no price: counted, adds no value
        kit = item("Whitening kit", "KIT", "50", currency="USD")  # not in the clinic's currency
        x, y, z = (make_patient(clinic, first_name=n) for n in ("Xavier", "Yara", "Zoya"))

        def visit(when, practitioner, patient, items, *, sign=True, on=clinic):
            return treatment_record_create(
                clinic=on,
                actor=practitioner.user,
                patient=patient,
                practitioner=practitioner,
                performed_at=when,
                items=[{"catalog_item_id": i.pk, "quantity": q} for i, q in items],
                sign=sign,
            )

        visit(at(2, 10), self.doctor, x, [(rct, 1), (cons, 1)])
        visit(at(3, 0, 30), self.doctor, y, [(fil, 2)])  # 2 Mar 19:00 UTC: 3 Mar locally
        visit(at(5, 12), self.dentist, z, [(rct, 1), (fil, 1)], sign=False)
        visit(at(8, 23, 45), self.dentist, x, [(cons, 1), (kit, 1)])  # 8 Mar 18:15 UTC
        # Outside the week in the clinic's zone, or in another clinic:
        visit(at(9, 0, 15), self.doctor, y, [(fil, 1)])  # 8 Mar 18:45 UTC: 9 Mar locally
        visit(at(1, 23, 59), self.doctor, z, [(rct, 1)])
        b_item = item("Cleaning", "CLN", "120", on=world.clinic_b)
        visit(
            at(4, 12),
            world.member("b", Role.DOCTOR),
            world.patient_b,
            [(b_item, 3)],
            on=world.clinic_b,
        )


@pytest.fixture
def visits(world):
    return Visits(world)


def test_it_counts_treatments_and_their_value_by_treatment_and_practitioner(visits):
    data = selectors.report_build(clinic=visits.clinic, kind="treatments", **RANGE).data
    assert (data["treatments"], data["visits"], data["unsigned_visits"]) == (8, 4, 1)
    assert data["value"] == Decimal("18400.00")  # 6500 + 2×1800 + 6500 + 1800; USD kit left out
    assert [(b["code"], b["count"], b["visits"], b["amount"]) for b in data["by_treatment"]] == [
        ("FIL", 3, 2, Decimal("5400.00")),
        ("CONS", 2, 2, Decimal("0.00")),
        ("RCT", 2, 2, Decimal("13000.00")),
        ("KIT", 1, 1, Decimal("0.00")),
    ]
    by_prac = {b["key"]: (b["count"], b["visits"], b["amount"]) for b in data["by_practitioner"]}
    assert by_prac == {
        str(visits.doctor.pk): (4, 2, Decimal("10100.00")),
        str(visits.dentist.pk): (4, 2, Decimal("8300.00")),
    }
    assert [p["count"] for p in data["series"]] == [2, 2, 0, 2, 0, 0, 2]
    assert [p["value"] for p in data["series"]] == [
        Decimal(v) for v in ("6500", "3600", "0", "8300", "0", "0", "0")
    ]


def test_it_puts_treatments_on_the_clinics_day_and_week(visits):
    monday = selectors.report_build(
        clinic=visits.clinic, kind="treatments", start="2026-03-09", end="2026-03-09"
    ).data
    assert (monday["treatments"], monday["value"]) == (1, Decimal("1800.00"))
    weekly = selectors.report_build(
        clinic=visits.clinic, kind="treatments", group="week", **RANGE
    ).data
    assert weekly["series"] == [{"period": "2026-03-02", "count": 8, "value": Decimal("18400.00")}]


def test_it_serves_the_treatments_report_over_the_api_to_managers_only(visits, world, api):
    response = api.get(
        "/api/v1/reports/treatments", headers=world.headers("a", Role.MANAGER), **RANGE
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["treatments"], body["value"], body["currency"]) == (8, "18400.00", "INR")
    assert body["by_treatment"][0] == {
        "key": "FIL",
        "code": "FIL",
        "label": "Composite filling",
        "count": 3,
        "visits": 2,
        "amount": "5400.00",
    }
    refused = api.get(
        "/api/v1/reports/treatments", headers=world.headers("a", Role.DOCTOR), **RANGE
    )
    assert refused.status_code == 403
    other = api.get(
        "/api/v1/reports/treatments", headers=world.headers("b", Role.OWNER), **RANGE
    ).json()
    assert (other["treatments"], other["value"]) == (3, "360.00")  # clinic B's own visit only


def test_it_exports_the_treatments_report_as_csv_and_pdf(visits, world, client):
    client.force_login(world.member("a", Role.ADMIN).user)
    csv = client.get("/c/clinic-a/desk/reports/treatments.csv", RANGE)
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "Value (INR),18400.00" in text
    assert "Root canal treatment,RCT,2,2,13000.00" in text
    pdf = client.get("/c/clinic-a/desk/reports/treatments.pdf", RANGE)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.browser
def test_a_manager_reads_the_treatments_report_on_a_phone_and_a_desktop(
    page, asgi_server, visits, world, screenshot_dir
):
    manager = world.member("a", Role.MANAGER).user
    url = f"/c/{world.clinic_a.slug}/desk/reports/treatments/?start=2026-03-02&end=2026-03-08"
    page.goto(f"{asgi_server}/accounts/login/?next={quote(url)}")
    page.fill("#id_username", manager.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/reports/treatments/**")
    assert page.get_by_role("link", name="Treatments").get_attribute("aria-current") == "page"
    assert page.locator("svg[role=img]").count() == 3
    assert page.locator(".stat", has_text="Value (INR)").inner_text().endswith("18400.00")
    by_treatment = page.locator("table").nth(1)
    assert by_treatment.get_by_role("row", name="Root canal treatment RCT 2 2 13000.00").count()
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        # Nothing wider than the screen: tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(
            path=os.path.join(screenshot_dir, f"reports-treatments-{width}.png"), full_page=True
        )
