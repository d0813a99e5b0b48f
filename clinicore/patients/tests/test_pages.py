"""Workspace patient pages: find, open (audited), register, edit, deactivate — per role."""

import pytest

from clinicore.clinics.permissions import Role
from clinicore.core.models import AuditEntry
from clinicore.patients.models import Patient
from clinicore.patients.services import patient_update

pytestmark = pytest.mark.django_db


def _login(client, world, role):
    client.force_login(world.member("a", role).user)


def _url(world, suffix=""):
    return f"/c/{world.clinic_a.slug}/desk/patients/{suffix}"


def test_it_finds_patients_by_name_phone_and_card(client, world):
    _login(client, world, Role.RECEPTIONIST)
    by_name = client.get(_url(world), {"q": "ash"})
    assert "Asha" in by_name.content.decode() and "Bela" not in by_name.content.decode()
    by_card = client.get(_url(world), {"q": world.other_patient_a.barcode})
    assert "Bela" in by_card.content.decode() and "Asha" not in by_card.content.decode()
    digits = world.other_patient_a.phone.replace(" ", "")[-6:]
    assert "Bela" in client.get(_url(world), {"q": digits}).content.decode()


def test_live_search_returns_only_the_results_fragment(client, world):
    _login(client, world, Role.RECEPTIONIST)
    response = client.get(_url(world), {"q": "Bela"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Bela" in html and "<html" not in html and "Asha" not in html


def test_it_never_lists_another_clinics_patients(client, world):
    _login(client, world, Role.OWNER)
    html = client.get(_url(world), {"q": "Chloe"}).content.decode()
    assert "No patient matches" in html and str(world.patient_b.pk) not in html
    assert client.get(_url(world, f"{world.patient_b.pk}/")).status_code == 404


def test_opening_a_record_is_recorded_with_who_opened_it(client, world):
    _login(client, world, Role.DOCTOR)
    assert client.get(_url(world, f"{world.patient_a.pk}/")).status_code == 200
    entry = AuditEntry.objects.get(
        entity_id=str(world.patient_a.pk), action="patient.read_clinical"
    )
    assert entry.actor_id == world.member("a", Role.DOCTOR).user_id
    _login(client, world, Role.ADMIN)
    html = client.get(_url(world, f"{world.patient_a.pk}/")).content.decode()
    assert "Who opened this record" in html
    assert world.member("a", Role.DOCTOR).user.email in html


def test_a_doctor_sees_clinical_fields_and_a_receptionist_does_not(client, world):
    patient_update(
        patient=world.patient_a,
        allergies="Penicillin",
        current_medications="Metformin 500 mg",
        medical_history="Type 2 diabetes",
    )
    _login(client, world, Role.DOCTOR)
    html = client.get(_url(world, f"{world.patient_a.pk}/")).content.decode()
    assert 'class="alert-allergy"' in html and "Penicillin" in html
    assert "Metformin 500 mg" in html and "Type 2 diabetes" in html
    _login(client, world, Role.RECEPTIONIST)
    html = client.get(_url(world, f"{world.patient_a.pk}/")).content.decode()
    assert "Penicillin" not in html and "Metformin" not in html and "diabetes" not in html
    assert "visible to clinicians only" in html
    assert "Who opened this record" not in html


def test_it_registers_a_patient_and_shows_errors_next_to_fields(client, world):
    _login(client, world, Role.RECEPTIONIST)
    bad = client.post(
        _url(world, "new/"),
        {
            "first_name": " ",
            "gender": "female",
            "preferred_language": "en",
            "phone": "call me",
            "date_of_birth": "2999-01-01",
        },
    )
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "Enter the patient&#x27;s first name." in html
    assert "Use digits, spaces, +, - and brackets only." in html
    assert "cannot be in the future" in html
    assert 'name="allergies"' not in html  # receptionists do not record clinical details
    good = client.post(
        _url(world, "new/"),
        {
            "first_name": "Meera",
            "last_name": "Nair",
            "gender": "female",
            "preferred_language": "hi",
            "phone": "+91 98200 00001",
        },
    )
    patient = Patient.objects.get(clinic=world.clinic_a, first_name="Meera")
    assert good.status_code == 302 and good["Location"].endswith(f"/patients/{patient.pk}/")
    assert AuditEntry.objects.filter(action="patient.create", entity_id=str(patient.pk)).exists()


def test_an_edit_by_a_receptionist_keeps_clinical_fields(client, world):
    patient_update(patient=world.patient_a, allergies="Latex")
    _login(client, world, Role.RECEPTIONIST)
    response = client.post(
        _url(world, f"{world.patient_a.pk}/edit/"),
        {
            "first_name": "Asha",
            "last_name": "Verma",
            "gender": "female",
            "preferred_language": "en",
            "phone": "+91 98111 00000",
            "allergies": "none",
        },
    )
    assert response.status_code == 302
    world.patient_a.refresh_from_db()
    assert world.patient_a.last_name == "Verma" and world.patient_a.allergies == "Latex"
    entry = AuditEntry.objects.filter(
        action="patient.update", entity_id=str(world.patient_a.pk)
    ).latest("id")
    assert "allergies" not in entry.fields and "last_name" in entry.fields


def test_deactivate_is_post_only_and_for_managers(client, world):
    url = _url(world, f"{world.other_patient_a.pk}/deactivate/")
    _login(client, world, Role.RECEPTIONIST)
    assert client.post(url).status_code == 403
    _login(client, world, Role.MANAGER)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    world.other_patient_a.refresh_from_db()
    assert world.other_patient_a.is_active is False
    link = f"/patients/{world.other_patient_a.pk}/"
    assert link not in client.get(_url(world)).content.decode()
    assert link in client.get(_url(world), {"inactive": "1"}).content.decode()


def test_it_links_a_patients_page_to_their_records_card_and_merge_as_the_role_allows(client, world):
    patient = world.patient_a
    base = f"/c/{world.clinic_a.slug}/desk"
    _login(client, world, Role.OWNER)
    html = client.get(_url(world, f"{patient.pk}/")).content.decode()
    links = {
        "records": f'href="{base}/patients/{patient.pk}/records/"',
        "card": f'href="{base}/cards/{patient.pk}/"',
        "merge": f'href="{base}/merge/?keep={patient.pk}"',
    }
    assert all(link in html for link in links.values())
    assert client.get(f"{base}/cards/{patient.pk}/").status_code == 200
    _login(client, world, Role.RECEPTIONIST)
    html = client.get(_url(world, f"{patient.pk}/")).content.decode()
    assert links["card"] in html
    assert links["records"] not in html and links["merge"] not in html
