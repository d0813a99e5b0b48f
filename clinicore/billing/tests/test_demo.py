"""The demo data shows invoices in every status and payments of every kind."""

import random

import pytest

from clinicore.billing import demo
from clinicore.billing.models import Invoice, Payment
from clinicore.clinics.permissions import Role

pytestmark = pytest.mark.django_db


def test_it_seeds_invoices_in_every_status_and_payments(world):
    members = {role: [world.member("a", role)] for role in Role.values}
    demo.seed(
        world.clinic_a,
        members=members,
        patients=[world.patient_a, world.other_patient_a],
        rng=random.Random(7),
    )
    statuses = set(Invoice.objects.filter(clinic=world.clinic_a).values_list("status", flat=True))
    assert statuses == set(Invoice.Status.values)
    payments = Payment.objects.filter(clinic=world.clinic_a)
    assert {"desk", "sandbox", "upi"} <= set(payments.values_list("provider", flat=True))
    assert payments.filter(provider="upi", status="pending").count() == 1
    for invoice in Invoice.objects.filter(clinic=world.clinic_a):
        assert invoice.amount_paid <= invoice.total
