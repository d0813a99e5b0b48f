"""Demo chat for the demo clinics: a handful of conversations across departments, some answered,
some waiting, one urgent, with read receipts. Deterministic for a given `rng`."""

import random
from datetime import timedelta

from django.utils import timezone

from clinicore.clinics.permissions import Perm, Role, role_has
from clinicore.messaging.access import ChatActor
from clinicore.messaging.models import Conversation, Message, ReadState
from clinicore.messaging.services import conversation_start, message_send

THREADS = [
    (
        "billing",
        "Charged twice?",
        "normal",
        [
            "I think I was charged twice for my last visit.",
            "Sorry about that — the second charge is a hold and drops off in 3 days.",
        ],
    ),
    (
        "appointment",
        "Running late",
        "normal",
        ["I'm running 10 minutes late for my appointment.", "No problem, we'll keep your slot."],
    ),
    (
        "medical",
        "Rash after new cream",
        "high",
        ["The new cream is making my skin red. Should I stop using it?"],
    ),
    (
        "general",
        "Parking",
        "low",
        ["Is there parking near the clinic?", "Yes, behind the building; the first hour is free."],
    ),
    (
        "medical",
        "Prescription refill",
        "normal",
        ["Can I get a refill of my blood pressure tablets?"],
    ),
    (
        "medical",
        "Chest pain since morning",
        "urgent",
        ["I have had chest pain since this morning."],
    ),
]


def _backdate(conversation, messages, start):
    for i, message in enumerate(messages):
        Message.objects.filter(pk=message.pk).update(created_at=start + timedelta(minutes=7 * i))
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=start + timedelta(minutes=7 * (len(messages) - 1))
    )


def seed(clinic, *, members, patients, rng: random.Random) -> None:
    staff = [m for role, ms in members.items() for m in ms if role_has(role, Perm.CHAT_WRITE)]
    front = members.get(Role.RECEPTIONIST) or staff
    with_login = [p for p in patients if p.user_id] or patients
    if not staff or not with_login:
        return
    now = timezone.now()
    for n, (department, subject, priority, lines) in enumerate(THREADS):
        patient = with_login[n % len(with_login)]
        if patient.user_id:
            patient_actor = ChatActor(user=patient.user, side=Message.Side.PATIENT, clinic=clinic)
        else:
            patient_actor = None
        answerer = rng.choice(front)
        staff_actor = ChatActor(
            user=answerer.user, side=Message.Side.STAFF, clinic=clinic, membership=answerer
        )
        opener = patient_actor or staff_actor
        conversation = conversation_start(
            clinic=clinic,
            actor=opener,
            patient=patient,
            department=department,
            subject=subject,
            priority=priority,
        )
        if priority == "urgent" and patient_actor is not None:
            conversation.priority = priority
            conversation.save(update_fields=["priority"])
        sent = [message_send(conversation=conversation, actor=opener, text=lines[0])]
        if len(lines) > 1:
            sent.append(message_send(conversation=conversation, actor=staff_actor, text=lines[1]))
        if rng.random() < 0.5:
            conversation.assigned_to = answerer
            conversation.save(update_fields=["assigned_to"])
        _backdate(conversation, sent, now - timedelta(hours=rng.randint(1, 72)))
        ReadState.objects.filter(conversation=conversation).update(
            last_read_at=now - timedelta(days=5)
        )
        for message in sent:
            message.refresh_from_db()
        # The sender has read their own message; answered threads were read by the patient too.
        for message in sent:
            if message.sender_id:
                ReadState.objects.filter(
                    conversation=conversation, user_id=message.sender_id
                ).update(last_read_at=message.created_at, last_read_message=message)
