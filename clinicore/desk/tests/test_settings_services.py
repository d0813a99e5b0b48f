"""The settings page's service editor: every field a clinic sets, and who offers the service."""

from decimal import Decimal

import pytest

from clinicore.clinics.permissions import Role
from clinicore.scheduling.models import Service
from clinicore.scheduling.testing import make_service

from .html_forms import as_post, form_fields

URL = "/c/clinic-a/desk/settings/"


@pytest.fixture
def owner(world, client, settings):
    settings.TWO_FACTOR_ENFORCED = False
    client.force_login(world.member("a", Role.OWNER).user)
    return client


def _new_service_form(client):
    return as_post(form_fields(client.get(URL).content.decode(), data_service="new"))


def test_a_new_service_is_offered_by_nobody_until_someone_is_ticked(world, owner):
    page = owner.get(URL).content.decode()
    fields = dict(form_fields(page, data_service="new"))
    assert "practitioner_ids" not in fields
    assert "with nobody ticked it cannot be booked" in page
    assert world.member("a", Role.DOCTOR).display_name in page


def test_an_owner_adds_a_service_with_every_field_and_who_offers_it(world, owner):
    doctor, dentist = world.member("a", Role.DOCTOR), world.member("a", Role.DENTIST)
    body = _new_service_form(owner)
    body.update(
        name=["Video follow-up"],
        mode=["video"],
        price=["450.50"],
        currency=["USD"],
        duration_minutes=["20"],
        buffer_before_minutes=["5"],
        buffer_after_minutes=["10"],
        colour=["#7c3aed"],
        description=["A short call to review results."],
        practitioner_ids=[str(doctor.pk)],
    )
    response = owner.post(URL, body, follow=True)
    assert "Settings saved." in response.content.decode()
    service = Service.objects.get(clinic=world.clinic_a, name="Video follow-up")
    assert (service.mode, service.price, service.currency) == ("video", Decimal("450.50"), "USD")
    assert (service.buffer_before_minutes, service.buffer_after_minutes) == (5, 10)
    assert service.colour == "#7c3aed" and service.description == "A short call to review results."
    assert list(service.practitioners.all()) == [doctor]
    assert dentist not in service.practitioners.all()


def test_an_existing_service_survives_a_round_trip_and_changes_who_offers_it(world, owner):
    doctor, dentist = world.member("a", Role.DOCTOR), world.member("a", Role.DENTIST)
    service = make_service(
        world.clinic_a,
        name="Dental cleaning",
        price=Decimal("1500"),
        currency="INR",
        mode="in_person",
        buffer_before_minutes=5,
        buffer_after_minutes=15,
        colour="#059669",
        description="Scaling and polishing.",
    )
    service.practitioners.set([doctor, dentist])
    before = Service.objects.values().get(pk=service.pk)
    body = as_post(form_fields(owner.get(URL).content.decode(), data_service=str(service.pk)))
    assert sorted(body["practitioner_ids"]) == sorted([str(doctor.pk), str(dentist.pk)])
    owner.post(URL, body)
    after = Service.objects.values().get(pk=service.pk)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    body["practitioner_ids"] = [str(dentist.pk)]
    body["buffer_after_minutes"] = ["20"]
    owner.post(URL, body)
    service.refresh_from_db()
    assert list(service.practitioners.all()) == [dentist] and service.buffer_after_minutes == 20
    page = owner.get(URL).content.decode()
    assert dict(form_fields(page, data_service=str(service.pk)))["buffer_after_minutes"] == "20"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("colour", "blue", "Choose a colour such as #2563eb."),
        ("buffer_before_minutes", "500", "buffer_before_minutes must be between 0 and 120."),
        ("practitioner_ids", "not-a-person", "not practitioners of this clinic"),
        ("mode", "teleport", "Some service fields are invalid."),
    ],
)
def test_invalid_service_fields_are_refused_and_nothing_is_added(
    world, owner, field, value, message
):
    body = _new_service_form(owner)
    body.update(name=["Refused"], **{field: [value]})
    response = owner.post(URL, body, follow=True)
    assert message in response.content.decode()
    assert not Service.objects.filter(clinic=world.clinic_a, name="Refused").exists()


def test_another_clinics_practitioner_cannot_be_ticked(world, owner):
    body = _new_service_form(owner)
    body.update(name=["Borrowed"], practitioner_ids=[str(world.member("b", Role.DOCTOR).pk)])
    response = owner.post(URL, body, follow=True)
    assert "not practitioners of this clinic" in response.content.decode()
    assert not Service.objects.filter(name="Borrowed").exists()
