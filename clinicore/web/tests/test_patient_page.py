"""The workspace patient page gathers what the clinic has with the patient: appointments,
invoices and conversations, each shown only to roles that may read it, never another clinic's."""

import pytest

from clinicore.billing.testing import make_invoice
from clinicore.clinics.permissions import Perm, Role, role_has
from clinicore.messaging.testing import make_conversation
from clinicore.scheduling.testing import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world):
    clinic, patient = world.clinic_a, world.patient_a
    appointment = book(clinic, patient=patient)
    invoice = make_invoice(clinic, patient)
    conversation = make_conversation(
        clinic, patient=patient, text="Can I bring my reports?", subject="Reports for the visit"
    )
    # The same patient's life at another clinic never shows here.
    elsewhere = book(world.clinic_b, patient=world.patient_b)
    return appointment, invoice, conversation, elsewhere


@pytest.mark.parametrize("role", list(Role))
def test_the_patient_page_lists_appointments_invoices_and_conversations_by_role(
    client, world, history, role
):
    appointment, invoice, conversation, elsewhere = history
    member = world.member("a", role)
    client.force_login(member.user)
    response = client.get(f"/c/{world.clinic_a.slug}/desk/patients/{world.patient_a.pk}/")
    if not role_has(role, Perm.PATIENTS_READ):
        assert response.status_code == 403
        return
    html = response.content.decode()
    shows = {
        Perm.SCHEDULE_READ: f'data-appointment="{appointment.pk}"',
        Perm.BILLING_READ: f'data-invoice="{invoice.pk}"',
        Perm.CHAT_READ: f'data-conversation="{conversation.pk}"',
    }
    for perm, marker in shows.items():
        assert (marker in html) == role_has(role, perm), (role, perm)
    if role_has(role, Perm.BILLING_READ):
        assert invoice.number in html
    if role_has(role, Perm.CHAT_READ):
        assert "Reports for the visit" in html
        assert "Can I bring my reports?" not in html  # message text stays in the conversation
    assert str(elsewhere.pk) not in html
