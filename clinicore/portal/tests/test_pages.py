"""Portal pages through Django's test client: what a patient sees and what the server keeps."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from clinicore.accounts.models import User
from clinicore.core.models import AuditEntry
from clinicore.core.testing import PASSWORD, make_clinic, make_member, make_patient, make_user
from clinicore.patients.models import Patient
from clinicore.portal import calendar
from clinicore.portal.links import clinic_join_token, clinic_join_url
from clinicore.portal.models import DeletionRequest, SignedInSession
from clinicore.portal.templatetags.localfmt import clinic_datetime, money_format
from clinicore.portal.tests.helpers import BookableClinic
from clinicore.scheduling.models import Appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def bc():
    return BookableClinic()


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_it_shows_a_clinics_landing_page_with_services_team_hours_and_booking(client, bc):
    r = client.get("/c/sunrise/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "Sunrise Clinic" in body
    assert "General check-up" in body and "Specialist consultation" in body
    assert "₹800.00" in body
    assert "Dr. Meera Rao" in body and "Paediatrician" in body
    assert "Monday" in body and "Opening hours" in body
    assert "openstreetmap.org/search?query=12+FC+Road" in body
    assert 'href="/c/sunrise/book/"' in body


def test_it_answers_404_for_an_unknown_clinic(client, db):
    r = client.get("/c/nowhere/")
    assert r.status_code == 404
    assert "No clinic at this address." in r.content.decode()


def test_it_gives_staff_a_qr_poster_pdf_bound_to_their_clinic(bc):
    r = signed_in(bc.owner.user).get("/c/sunrise/desk/qr-poster.pdf")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    import io

    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(r.content)).pages[0]
    image = next(iter(page.images)).image
    found = zxingcpp.read_barcodes(image.convert("L") if isinstance(image, Image.Image) else image)
    assert found and found[0].text.startswith("http://")
    assert f"/c/sunrise/join/{clinic_join_token(bc.clinic)}/" in found[0].text


def test_it_hides_the_poster_from_other_clinics_staff(bc):
    other = make_clinic("elsewhere")
    outsider = make_member(other, "owner")
    assert signed_in(outsider.user).get("/c/sunrise/desk/qr-poster.pdf").status_code == 404


def test_it_refuses_a_join_link_minted_for_another_clinic(client, bc):
    other = make_clinic("elsewhere")
    forged = f"/c/sunrise/join/{clinic_join_token(other)}/"
    assert client.get(forged).status_code == 404
    tampered = f"/c/sunrise/join/{clinic_join_token(bc.clinic)[:-2]}xx/"
    assert client.get(tampered).status_code == 404


def test_it_registers_a_patient_in_one_step_from_the_qr_link(client, bc):
    url = clinic_join_url(bc.clinic, absolute=False)
    r = client.post(
        url,
        {
            "full_name": "Kavya Menon",
            "email": "Kavya@Example.test",
            "phone": "+91 98000 11111",
            "password": "a long enough passphrase",
            "reminders_consent": "on",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/me/?joined=sunrise"
    user = User.objects.get(email="kavya@example.test")
    patient = Patient.objects.get(user=user, clinic=bc.clinic)
    assert (patient.first_name, patient.last_name, patient.phone) == (
        "Kavya",
        "Menon",
        "+91 98000 11111",
    )
    page = client.get("/me/?joined=sunrise").content.decode()
    assert "You are registered with Sunrise Clinic" in page
    assert SignedInSession.objects.filter(user=user, ended_at=None).count() == 1


def test_it_explains_a_taken_email_on_registration(client, bc):
    make_user("taken@example.test")
    r = client.post(
        clinic_join_url(bc.clinic, absolute=False),
        {
            "full_name": "X Y",
            "email": "taken@example.test",
            "phone": "1",
            "password": "a long enough passphrase",
        },
    )
    assert r.status_code == 422
    assert "already exists" in r.content.decode()


def test_it_lets_a_signed_in_person_join_another_clinic(bc):
    user = make_user("roaming@example.test", full_name="Roaming Person")
    c = signed_in(user)
    url = clinic_join_url(bc.clinic, absolute=False)
    assert "Join Sunrise Clinic" in c.get(url).content.decode()
    assert c.post(url).status_code == 302
    assert Patient.objects.filter(user=user, clinic=bc.clinic).count() == 1
    assert "already registered" in c.get(url).content.decode()


def test_it_shows_the_patient_card_with_scannable_codes(world):
    c = signed_in(world.patient_user)
    page = c.get("/me/card/").content.decode()
    assert world.patient_a.barcode in page
    assert 'class="code-bars"' in page and 'class="code-qr"' in page
    full = c.get(f"/me/card/{world.patient_a.pk}/")
    assert full.status_code == 200 and world.patient_a.barcode in full.content.decode()
    # Someone else's record is not found, even by id.
    assert c.get(f"/me/card/{world.other_patient_a.pk}/").status_code == 404


def test_it_reads_back_the_card_barcode_and_qr(world):
    import io

    import zxingcpp
    from PIL import Image

    from clinicore.portal.codes import barcode_svg, qr_png

    qr = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(world.patient_a.barcode))))
    assert qr[0].text == world.patient_a.barcode
    svg = str(barcode_svg(world.patient_a.barcode))
    # Rasterise the bars: each rect is one run of dark modules.
    import re

    width = int(re.search(r'viewBox="0 0 (\d+) 50"', svg).group(1))
    img = Image.new("L", (width * 3, 60), 255)
    for x, w in re.findall(r'<rect x="(\d+)" y="0" width="(\d+)" height="50"/>', svg):
        for dx in range(int(w) * 3):
            for y in range(5, 55):
                img.putpixel((int(x) * 3 + dx, y), 0)
    bars = zxingcpp.read_barcodes(img)
    assert bars[0].text == world.patient_a.barcode


def test_it_saves_the_profile_to_every_clinic_record(world):
    second = make_patient(world.clinic_b, user=world.patient_user, first_name="Asha")
    c = signed_in(world.patient_user)
    r = c.post(
        "/me/profile/",
        {
            "section": "profile",
            "full_name": "Asha Kulkarni",
            "phone": "+91 90000 00001",
            "address": "Baner, Pune",
            "emergency_contact_name": "Ravi",
            "emergency_contact_phone": "+91 90000 00002",
            "allergies": "Penicillin",
            "current_medications": "",
            "preferred_language": "hi",
        },
    )
    assert r.status_code == 302
    assert r.cookies["django_language"].value == "hi"
    for p in (world.patient_a, second):
        p.refresh_from_db()
        assert (p.first_name, p.last_name, p.allergies, p.emergency_contact_name) == (
            "Asha",
            "Kulkarni",
            "Penicillin",
            "Ravi",
        )
    entry = AuditEntry.objects.filter(
        action="patient.update", entity_id=str(world.patient_a.pk)
    ).first()
    assert "allergies" in entry.fields and "Penicillin" not in json.dumps(entry.fields)


def test_it_saves_contact_choices_as_notification_preferences_with_consent(world):
    from clinicore.notifications.models import ConsentRecord, Preference

    c = signed_in(world.patient_user)
    page = c.get("/me/profile/").content.decode()
    assert 'name="email" id="id_email" checked' in page
    r = c.post("/me/profile/", {"section": "contact", "email": "on", "whatsapp": "on"})
    assert r.status_code == 302
    key = f"user:{world.patient_user.pk}"
    prefs = dict(
        Preference.objects.filter(recipient_key=key, clinic=None).values_list("channel", "opted_in")
    )
    assert prefs == {"whatsapp": True, "sms": False, "telegram": False, "push": False}
    assert ConsentRecord.objects.filter(
        recipient_key=key, channel="whatsapp", granted=True, source="portal"
    ).exists()
    page = c.get("/me/profile/").content.decode()
    assert (
        'name="whatsapp" id="id_whatsapp" aria-describedby="id_whatsapp_helptext" checked' in page
        or ('id="id_whatsapp"' in page and "checked" in page.split('id="id_whatsapp"')[1][:80])
    )


def test_it_downloads_my_data_as_json(world):
    c = signed_in(world.patient_user)
    r = c.get("/me/account/my-data.json")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    assert "attachment" in r["Content-Disposition"]
    data = json.loads(r.content)
    assert data["account"]["email"] == "patient.a@example.test"
    assert [p["barcode"] for p in data["patient_records"]] == [world.patient_a.barcode]


def test_it_records_a_deletion_request_once_and_lets_it_be_withdrawn(world):
    c = signed_in(world.patient_user)
    c.post("/me/account/delete/", {"confirm": "1", "reason": "Moving away"})
    c.post("/me/account/delete/", {"confirm": "1"})
    assert DeletionRequest.objects.filter(user=world.patient_user, status="open").count() == 1
    assert "You asked for your account to be deleted" in c.get("/me/account/").content.decode()
    c.post("/me/account/delete/", {"withdraw": "1"})
    assert not DeletionRequest.objects.filter(user=world.patient_user, status="open").exists()


def test_it_lists_sessions_and_signs_another_device_out(world):
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile")
    assert (
        phone.post(
            "/accounts/login/", {"username": "patient.a@example.test", "password": PASSWORD}
        ).status_code
        == 302
    )
    laptop = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Firefox/130.0")
    laptop.post("/accounts/login/", {"username": "patient.a@example.test", "password": PASSWORD})
    page = laptop.get("/me/account/").content.decode()
    assert "Chrome · Android" in page and "Firefox · Windows" in page
    other = SignedInSession.objects.get(user=world.patient_user, user_agent__contains="Android")
    laptop.post(f"/me/account/sessions/{other.pk}/end/")
    assert phone.get("/me/").status_code == 302  # signed out: sent to sign in
    assert laptop.get("/me/").status_code == 200


def _change_password(c, new: str):
    return c.post(
        "/me/account/",
        {
            "section": "password",
            "old_password": PASSWORD,
            "new_password1": new,
            "new_password2": new,
        },
    )


def test_it_changes_the_password_and_keeps_this_session(world):
    c = signed_in(world.patient_user)
    r = _change_password(c, "another fine passphrase")
    assert r.status_code == 302
    world.patient_user.refresh_from_db()
    assert world.patient_user.check_password("another fine passphrase")
    assert world.patient_user.token_epoch == 1
    assert c.get("/me/account/").status_code == 200


def test_it_ends_the_patients_api_sessions_when_the_password_changes_in_the_portal(world, api):
    login = api.post(
        "/api/v1/auth/login", {"email": "patient.a@example.test", "password": PASSWORD}
    )
    assert login.status_code == 200
    refresh_token = login.json()["refresh_token"]
    r = _change_password(signed_in(world.patient_user), "another fine passphrase")
    assert r.status_code == 302
    renewed = api.post("/api/v1/auth/refresh", {"refresh_token": refresh_token})
    assert renewed.status_code == 401
    assert AuditEntry.objects.filter(
        action="auth.password_change", entity_id=str(world.patient_user.pk)
    ).exists()
    again = api.post(
        "/api/v1/auth/login",
        {"email": "patient.a@example.test", "password": "another fine passphrase"},
    )
    assert again.status_code == 200


def test_it_refuses_a_weak_new_password_in_the_portal_with_a_clear_error(world):
    r = _change_password(signed_in(world.patient_user), "patient.a@example.test")
    assert r.status_code == 422
    world.patient_user.refresh_from_db()
    assert world.patient_user.check_password(PASSWORD)


def test_it_sends_anonymous_visitors_of_me_to_sign_in(client, db):
    r = client.get("/me/profile/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=/me/profile/")


def test_it_serves_the_installable_app_shell(client, db):
    m = client.get("/manifest.webmanifest")
    assert m.status_code == 200 and m["Content-Type"] == "application/manifest+json"
    data = json.loads(m.content)
    assert data["start_url"].startswith("/me/") and {"192x192", "512x512"} <= {
        i["sizes"] for i in data["icons"]
    }
    sw = client.get("/sw.js")
    assert sw["Content-Type"].startswith("application/javascript")
    assert sw["Service-Worker-Allowed"] == "/"
    assert "/offline/" in sw.content.decode()
    assert "script-src" in sw["Content-Security-Policy"]
    assert client.get("/offline/").status_code == 200


def test_it_formats_money_for_each_language():
    assert money_format(Decimal("123456.5"), "INR", "hi") == "₹1,23,456.50"
    assert money_format(Decimal("123456.5"), "INR", "en") == "₹123,456.50"
    assert money_format(Decimal("1234.5"), "EUR", "es") == "1.234,50\u00a0€"
    assert money_format(Decimal("1200"), "JPY", "ja") == "¥1,200"
    with pytest.raises(TypeError):
        money_format(12.5, "USD", "en")


def test_it_formats_times_in_the_clinics_zone_and_language():
    from datetime import UTC, datetime

    clinic = make_clinic("tz-clinic", time_zone="Asia/Kolkata")
    moment = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
    with translation.override("en"):
        assert clinic_datetime(moment, clinic) == "Mon, March 2, 2026, 10 a.m."
    with translation.override("ja"):
        assert clinic_datetime(moment, clinic) == "月, 2026年3月2日, 10:00"
    with translation.override("es"):
        assert "10:00" in clinic_datetime(moment, "Asia/Kolkata") and "marzo" in clinic_datetime(
            moment, clinic
        )


# --- Booking ---------------------------------------------------------------------------------


def first_slot(bc, service, *, practitioner=None, mode="in_person"):
    now = timezone.now()
    cal = calendar.two_weeks(
        clinic=bc.clinic,
        service=service,
        practitioner_id=practitioner.pk if practitioner else None,
        mode=mode,
        first=calendar.clinic_today(bc.clinic, now),
        now=now,
    )
    for day in cal.days:
        if day.slots:
            return day.slots[0][:3]
    raise AssertionError("no slot")


def test_it_walks_the_booking_steps_without_javascript(client, bc):
    base = "/c/sunrise/book/"
    assert "General check-up" in client.get(base).content.decode()
    step = client.get(base, {"service": bc.free.pk}).content.decode()
    assert "In person or by video?" in step
    step = client.get(base, {"service": bc.free.pk, "mode": "video"}).content.decode()
    assert "First available" in step and "Dr. Arjun Iyer" in step
    step = client.get(
        base, {"service": bc.free.pk, "mode": "video", "practitioner": "any"}
    ).content.decode()
    assert "Choose a time" in step and 'class="slot"' in step
    periods = client.get(
        base, {"service": bc.free.pk, "mode": "video", "practitioner": "any", "view": "period"}
    )
    assert "Morning" in periods.content.decode() or "Afternoon" in periods.content.decode()
    partial = client.get(
        base,
        {"service": bc.free.pk, "mode": "video", "practitioner": "any"},
        headers={"HX-Request": "true", "HX-Target": "slots"},
    ).content.decode()
    assert partial.startswith('<div id="slots"') and "<html" not in partial


def test_it_books_a_free_service_registering_inline(client, bc):
    start, who, key = first_slot(bc, bc.free)
    r = client.post(
        "/c/sunrise/book/confirm/",
        {
            "service": bc.free.pk,
            "mode": "in_person",
            "practitioner": "any",
            "slot": key,
            "with": who,
            "booking_key": "k1",
            "reason_for_visit": "Fever",
            "symptoms": "Since Tuesday",
            "account": "new",
            "full_name": "Nisha Patel",
            "email": "nisha@example.test",
            "phone": "+91 98111 22222",
            "password": "a long enough passphrase",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    appointment = Appointment.objects.get(patient__user__email="nisha@example.test")
    assert appointment.start == start and appointment.status == "scheduled"
    assert appointment.reason_for_visit == "Fever" and appointment.source_channel == "portal"
    page = client.get(r["Location"]).content.decode()
    assert appointment.reservation_code in page and "What happens next" in page
    ics = client.get(f"/me/appointments/{appointment.pk}/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    assert "calendar.google.com/calendar/render" in page


def test_it_offers_the_nearest_times_when_the_slot_was_just_taken(bc):
    start, who, key = first_slot(bc, bc.free, practitioner=bc.doctor)
    rival = make_patient(bc.clinic)
    from clinicore.scheduling import services as scheduling

    scheduling.appointment_book(
        clinic=bc.clinic,
        actor=bc.owner.user,
        patient=rival,
        practitioner=bc.doctor,
        service=bc.free,
        start=start,
        mode="in_person",
    )
    user = make_user("late@example.test")
    r = signed_in(user).post(
        "/c/sunrise/book/confirm/",
        {
            "service": bc.free.pk,
            "mode": "in_person",
            "practitioner": bc.doctor.pk,
            "slot": key,
            "with": who,
            "booking_key": "k2",
            "reason_for_visit": "Cough",
        },
    )
    assert r.status_code == 409
    body = r.content.decode()
    assert "Someone booked this time a moment ago" in body
    assert body.count('class="slot"') >= 1
    assert not Appointment.objects.filter(patient__user=user).exists()


def test_it_cancels_and_reschedules_within_the_rules(bc):
    user = make_user("mover@example.test")
    from clinicore.portal.services import patient_join_clinic
    from clinicore.scheduling import services as scheduling

    patient = patient_join_clinic(clinic=bc.clinic, user=user)
    start, who, key = first_slot(bc, bc.free, practitioner=bc.doctor)
    appt, _ = scheduling.appointment_book(
        clinic=bc.clinic,
        actor=user,
        patient=patient,
        practitioner=bc.doctor,
        service=bc.free,
        start=start + timedelta(days=2),
        mode="in_person",
        as_patient=True,
    )
    c = signed_in(user)
    page = c.get(f"/me/appointments/{appt.pk}/reschedule/").content.decode()
    offered = __import__("re").findall(r'name="slot" value="([0-9TZ]+)"', page)
    # A time beyond the 2-hour cancellation cut-off, whatever the time of day the test runs.
    keys = [k for k in offered if calendar.slot_parse(k) > timezone.now() + timedelta(hours=3)]
    r = c.post(f"/me/appointments/{appt.pk}/reschedule/", {"slot": keys[0]})
    assert r.status_code == 302
    appt.refresh_from_db()
    assert appt.status == "rescheduled"
    new = appt.rescheduled_to
    assert calendar.slot_key(new.start) == keys[0]
    c.post(f"/me/appointments/{new.pk}/cancel/", {"reason": "Feeling better"})
    new.refresh_from_db()
    assert new.status == "cancelled"
    # Another patient's appointment cannot be touched.
    stranger = signed_in(make_user("stranger@example.test"))
    assert stranger.post(f"/me/appointments/{new.pk}/cancel/").status_code == 404


def test_it_offers_the_video_room_only_while_it_is_open(bc):
    from clinicore.portal.services import patient_join_clinic
    from clinicore.scheduling import services as scheduling

    user = make_user("video@example.test")
    patient = patient_join_clinic(clinic=bc.clinic, user=user)
    start, who, key = first_slot(bc, bc.free, practitioner=bc.doctor, mode="video")
    appt, _ = scheduling.appointment_book(
        clinic=bc.clinic,
        actor=user,
        patient=patient,
        practitioner=bc.doctor,
        service=bc.free,
        start=start,
        mode="video",
        as_patient=True,
    )
    c = signed_in(user)
    assert "Join video visit" not in c.get(f"/me/appointments/{appt.pk}/").content.decode()
    import time_machine

    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        page = c.get(f"/me/appointments/{appt.pk}/").content.decode()
    assert "Join video visit" in page and f"/me/visits/{appt.pk}/video/" in page
    data = json.loads(c.get("/me/account/my-data.json").content)
    assert data["appointments"][0]["reservation"] == appt.reservation_code
