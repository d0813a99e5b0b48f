"""The patient's conversations with the clinic on the workspace patient page (no message text:
staff open the conversation, which checks access again)."""

from clinicore.clinics.permissions import Perm
from clinicore.messaging.models import Conversation
from clinicore.patients.sections import patient_section


@patient_section(
    "conversations",
    template="messaging/_patient_conversations.html",
    perm=Perm.CHAT_READ,
    order=30,
)
def patient_conversations(*, clinic, patient) -> list:
    return list(Conversation.objects.filter(clinic=clinic, patient=patient)[:10])
