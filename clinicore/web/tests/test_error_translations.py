"""What a service refuses is said in the reader's language: API problem bodies (title, detail and
per-field messages) follow Accept-Language, pages follow the language the person chose."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings

from clinicore.billing.testing import make_invoice
from clinicore.clinics.permissions import Role
from clinicore.scheduling.models import Appointment
from clinicore.scheduling.services import appointment_book
from clinicore.scheduling.testing import local_start, make_practitioner, make_service

pytestmark = pytest.mark.django_db


def _in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


# --- API ---------------------------------------------------------------------------------------


def test_it_answers_an_invalid_clinic_profile_in_spanish_field_by_field(api, world):
    headers = {**world.headers("a", Role.OWNER), "Accept-Language": "es"}
    response = api.put(
        "/api/v1/clinics/current", {"time_zone": "Mars/Olympus", "country": "I1"}, headers
    )
    body = response.json()
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert body["code"] == "invalid_input"
    assert body["title"] == "La solicitud tiene campos no válidos"
    assert body["fields"] == {
        "time_zone": "Usa un nombre de zona horaria IANA, como Asia/Kolkata o America/New_York.",
        "country": "Usa un código de país de dos letras, como IN o US.",
    }
    assert body["detail"] == "; ".join(body["fields"].values())


def test_it_keeps_the_same_refusal_in_english_for_a_client_that_asks_for_no_language(api, world):
    response = api.put("/api/v1/clinics/current", {"country": "I1"}, world.headers("a", Role.OWNER))
    body = response.json()
    assert response.status_code == 422
    assert body["title"] == "The request has invalid fields"
    assert body["detail"] == "Use a two-letter country code, such as IN or US."


def test_it_explains_a_conflict_in_spanish_with_the_title_of_its_kind(api, world):
    owner = world.members_a[Role.OWNER]
    headers = {**world.headers("a", Role.OWNER), "Accept-Language": "es"}
    response = api.put(f"/api/v1/clinics/current/staff/{owner.pk}", {"role": "admin"}, headers)
    body = response.json()
    assert response.status_code == 409
    assert body["code"] == "last_owner"
    assert body["title"] == "Esto choca con el estado actual"
    assert body["detail"] == (
        "Al último propietario de la clínica no se le puede dar otro rol; "
        "nombra antes a otra persona propietaria."
    )


def test_it_puts_the_values_into_a_translated_message(api, world):
    headers = {**world.headers("a", Role.OWNER), "Accept-Language": "zh-Hant"}
    treatment = {"name": "Root canal", "code": "rct-1", "default_price": "1500.00"}
    assert api.post("/api/v1/records/catalog", treatment, headers).status_code == 201
    response = api.post("/api/v1/records/catalog", {**treatment, "name": "Again"}, headers)
    body = response.json()
    assert response.status_code == 409
    assert body["code"] == "catalog_code_taken"
    assert body["detail"] == "目錄中已有代碼為 RCT-1 的治療項目。"


def test_it_asks_an_unauthenticated_client_to_sign_in_in_its_language(api, world):
    response = api.get("/api/v1/clinics/current", headers={"Accept-Language": "ja"})
    body = response.json()
    assert response.status_code == 401
    assert body["title"] == "続けるにはログインしてください"
    assert body["detail"] == "有効な bearer トークンまたは X-Clinic-API-Key を送信してください。"


def test_it_refuses_a_taken_slot_in_spanish_with_the_same_code(api, world):
    clinic = world.clinic_a
    service = make_service(clinic, name="Consultation", duration_minutes=30)
    doctor = make_practitioner(clinic, services_=[service])
    body = {
        "patient_id": str(world.patient_a.pk),
        "practitioner_id": str(doctor.pk),
        "service_id": str(service.pk),
        "start": local_start(clinic).isoformat(),
    }
    headers = {**world.headers("a", Role.RECEPTIONIST), "Accept-Language": "es"}
    assert api.post("/api/v1/appointments", body, headers).status_code == 201
    taken = {**body, "patient_id": str(world.other_patient_a.pk)}
    response = api.post("/api/v1/appointments", taken, headers)
    problem = response.json()
    assert response.status_code == 409
    assert problem["code"] == "slot_unavailable"
    assert problem["title"] == "Esto choca con el estado actual"
    assert problem["detail"] == "Esta hora ya no está disponible; elige otra."


def test_it_refuses_to_issue_an_issued_invoice_in_hindi_naming_its_status(api, world):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    headers = {**world.headers("a", Role.RECEPTIONIST), "Accept-Language": "hi"}
    response = api.post(f"/api/v1/billing/invoices/{invoice.pk}/issue", headers=headers)
    problem = response.json()
    assert response.status_code == 409
    assert problem["code"] == "invoice_not_draft"
    assert problem["title"] == "यह मौजूदा स्थिति से मेल नहीं खाता"
    assert problem["detail"] == "केवल ड्राफ़्ट जारी किया जा सकता है; यह बिल जारी स्थिति में है।"


def test_it_explains_an_invoice_line_it_cannot_total_in_hindi_field_by_field(api, world):
    line = {"description": "Dressing", "quantity": "1", "unit_price": "100.00", "discount": "150"}
    headers = {**world.headers("a", Role.RECEPTIONIST), "Accept-Language": "hi"}
    body = {"patient_id": str(world.patient_a.pk), "lines": [line]}
    response = api.post("/api/v1/billing/invoices", body, headers)
    problem = response.json()
    assert response.status_code == 422
    assert problem["code"] == "invalid_input"
    assert problem["fields"] == {"lines": "किसी पंक्ति की छूट उस पंक्ति की राशि से ज़्यादा नहीं हो सकती।"}
    assert problem["detail"] == problem["fields"]["lines"]


# --- Pages -------------------------------------------------------------------------------------


def test_it_shows_a_refused_staff_change_on_the_desk_in_hindi(world, client):
    owner = world.members_a[Role.OWNER]
    client.force_login(owner.user)
    response = _in_language(client, "hi").post(
        f"/c/{world.clinic_a.slug}/desk/staff/",
        {"action": "role", "membership_id": str(owner.pk), "role": Role.ADMIN},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "क्लिनिक के आख़िरी मालिक को दूसरी भूमिका नहीं दी जा सकती; पहले किसी और को मालिक बनाएँ।" in page
    assert "last owner" not in page
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_it_tells_a_role_that_may_not_change_staff_why_in_simplified_chinese(world, client):
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    response = _in_language(client, "zh-hans").post(
        f"/c/{world.clinic_a.slug}/desk/staff/", {"action": "invite", "email": "new@example.test"}
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "您的角色无法更改员工。" in page
    assert "Your role cannot change staff." not in page


def test_it_shows_a_broken_registration_link_on_the_portal_in_japanese(world, client):
    response = _in_language(client, "ja").get(f"/c/{world.clinic_a.slug}/join/not-a-real-link/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "この登録リンクは無効です。" in page
    assert "This registration link is not valid." not in page


def test_it_shows_why_the_calendar_refused_a_move_in_japanese(world, client, settings):
    settings.TWO_FACTOR_ENFORCED = False
    ist = zoneinfo.ZoneInfo("Asia/Kolkata")
    clinic = world.clinic_a
    service = make_service(clinic, name="Consultation", duration_minutes=30)
    doctor = make_practitioner(clinic, services_=[service])
    calendar = f"/c/{clinic.slug}/desk/calendar/?view=day&date=2026-03-10&practitioner={doctor.pk}"
    with time_machine.travel(dt.datetime(2026, 3, 10, 7, 30, tzinfo=ist), tick=False):
        asha, bela = (
            appointment_book(
                clinic=clinic,
                actor=None,
                patient=patient,
                practitioner=doctor,
                service=service,
                start=dt.datetime(2026, 3, 10, hour, tzinfo=ist),
            )[0]
            for patient, hour in ((world.patient_a, 10), (world.other_patient_a, 11))
        )
        client.force_login(world.member("a", Role.RECEPTIONIST).user)
        response = _in_language(client, "ja").post(
            f"/c/{clinic.slug}/desk/appointments/{asha.pk}/act/",
            {"action": "move", "date": "2026-03-10", "time": "11:00", "next": calendar},
            follow=True,
        )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == calendar
    assert "この時間はすでに埋まりました。別の枠を選んでください。" in page
    assert "This time is no longer available" not in page
    asha.refresh_from_db()
    assert asha.status == Appointment.Status.SCHEDULED
    assert asha.start == dt.datetime(2026, 3, 10, 10, tzinfo=ist)
    assert not Appointment.objects.filter(rescheduled_from=asha).exists()
    assert Appointment.objects.filter(pk=bela.pk, status=Appointment.Status.SCHEDULED).exists()
