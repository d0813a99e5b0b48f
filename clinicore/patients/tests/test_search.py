"""Patient search as the desk uses it: a scanned card or a reservation code finds that patient
alone, phone numbers match whatever their punctuation, best name matches come first, and
another clinic's patients are never found."""

import pytest
from django.db import connection

from clinicore.core.testing import make_patient
from clinicore.patients.selectors import patient_search
from clinicore.scheduling.testing import book


def names(clinic, q, **kwargs):
    return [p.full_name for p in patient_search(clinic=clinic, q=q, **kwargs)]


def test_it_finds_a_patient_by_card_barcode_or_reservation_code_alone(world):
    clinic = world.clinic_a
    patient = make_patient(clinic, first_name="Ravi", last_name="Menon")
    make_patient(clinic, first_name=patient.barcode, last_name="Lookalike")  # a name is no card
    assert names(clinic, patient.barcode.lower()) == ["Ravi Menon"]
    appointment = book(clinic, patient=patient)
    assert names(clinic, f"  {appointment.reservation_code.lower()} ") == ["Ravi Menon"]


def test_it_finds_phone_numbers_whatever_their_punctuation(world):
    clinic = world.clinic_a
    make_patient(clinic, first_name="Meera", last_name="Iyer", phone="+91 (98100) 123-45")
    make_patient(clinic, first_name="Kiran", last_name="Rao", phone="+91 9810012345")
    make_patient(clinic, first_name="Anil", last_name="Shah", phone="022 2345 6789")
    for typed in ("9810012345", "98100 12345", "+91-98100-12345", "919810012345"):
        assert names(clinic, typed) == ["Meera Iyer", "Kiran Rao"], typed
    mine = {"Meera Iyer", "Kiran Rao", "Anil Shah"}  # other patients' numbers may hold 2345 too
    assert [n for n in names(clinic, "2345") if n in mine] == [
        "Meera Iyer",
        "Kiran Rao",
        "Anil Shah",
    ]
    assert names(clinic, "Anil2345") == []  # letters make it a name search, not a phone search


def test_it_puts_exact_and_in_order_name_matches_first(world):
    clinic = world.clinic_a
    make_patient(clinic, first_name="Verma", last_name="Ashani")
    make_patient(clinic, first_name="Ashalata", last_name="Vermani")
    make_patient(clinic, first_name="Asha", last_name="Verma")
    make_patient(clinic, first_name="Bela", last_name="Verma")
    assert names(clinic, "asha verma") == ["Asha Verma", "Ashalata Vermani", "Verma Ashani"]
    assert names(clinic, "VERM") == ["Verma Ashani", "Asha Verma", "Bela Verma", "Ashalata Vermani"]
    # The shared world's "Asha Tester" is an exact first name too.
    assert names(clinic, "asha") == [
        "Asha Tester",
        "Asha Verma",
        "Verma Ashani",
        "Ashalata Vermani",
    ]


def test_it_finds_email_prefixes_and_puts_the_exact_address_first(world):
    clinic = world.clinic_a
    make_patient(clinic, first_name="Tara", last_name="Nair", email="tara.nair@example.test")
    make_patient(clinic, first_name="Zubin", last_name="Das", email="tara@example.test")
    assert names(clinic, "Tara@Example.test") == ["Zubin Das"]
    assert names(clinic, "tara") == ["Tara Nair", "Zubin Das"]


def test_it_leaves_out_deactivated_patients_unless_asked(world):
    from clinicore.patients.services import patient_deactivate

    clinic = world.clinic_a
    gone = make_patient(clinic, first_name="Omkar", last_name="Pillai")
    patient_deactivate(patient=gone, actor=None)
    assert names(clinic, "omkar") == []
    assert names(clinic, gone.barcode) == []
    assert names(clinic, "omkar", include_inactive=True) == ["Omkar Pillai"]


def test_it_never_finds_another_clinics_patients(world):
    theirs = make_patient(
        world.clinic_b, first_name="Farah", last_name="Qureshi", phone="+1 212 555 0199"
    )
    appointment = book(world.clinic_b, patient=theirs)
    for q in (
        "Farah",
        theirs.barcode,
        appointment.reservation_code,
        "2125550199",
        theirs.email or "x@y.z",
    ):
        assert names(world.clinic_a, q) == [], q
    assert names(world.clinic_b, "farah q") == ["Farah Qureshi"]


@pytest.mark.parametrize("q", ["Asha", "Asha Tester", "asha@example.test", "98100 12345"])
def test_it_searches_through_the_trigram_index_on_postgresql(world, q):
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist only on PostgreSQL")
    sql, params = patient_search(clinic=world.clinic_a, q=q)[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        # A test's few rows are cheapest to read whole, or through the plain clinic indexes:
        # rule both out (inside the test's transaction, rolled back after) so the plan shows
        # whether the trigram index matches the expressions the search compares.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'patients_patient' "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%%' AND indexname <> 'patient_search_trgm'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "patient_search_trgm" in plan, plan
