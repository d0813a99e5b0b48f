"""Two real websocket clients against the real app served by uvicorn on 127.0.0.1."""

import json

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from clinicore.clinics.permissions import Role
from clinicore.core.testing import make_patient, make_user
from clinicore.messaging.testing import make_conversation, patient_actor

TIMEOUT = 10


def _ws_url(base: str, path: str) -> str:
    return base.replace("http://", "ws://") + path


def _open(base, path, *, session=None, token=None, subprotocol_token=None, origin=None):
    headers = {}
    if session:
        headers["Cookie"] = f"sessionid={session}"
    url = _ws_url(base, path)
    if token:
        url += f"?token={token}"
    kwargs = {"origin": origin or base, "additional_headers": headers, "open_timeout": TIMEOUT}
    if subprotocol_token:
        kwargs["subprotocols"] = ["bearer", subprotocol_token]
    return connect(url, **kwargs)


def _next(ws, event: str) -> dict:
    """The next message of kind `event` (others, such as typing or pongs, are skipped; bounded)."""
    for _ in range(20):
        data = json.loads(ws.recv(timeout=TIMEOUT))
        if data.get("event") == event:
            return data
    raise AssertionError(f"no {event} event")


@pytest.fixture
def chat(world):
    return make_conversation(
        world.clinic_a, patient=world.patient_a, by=patient_actor(world.patient_user), text="Hi"
    )


def test_it_delivers_a_message_to_the_other_side_and_receipts_back(
    asgi_server, world, chat, session_for
):
    from clinicore.core.testing import bearer

    staff = world.member("a", Role.RECEPTIONIST)
    path = f"/ws/chat/{chat.pk}/"
    token = bearer(staff.user, world.clinic_a)["Authorization"].split()[1]
    with (
        _open(asgi_server, path, session=session_for(world.patient_user)) as patient_ws,
        _open(asgi_server, path, token=token) as staff_ws,
    ):
        assert _next(patient_ws, "ready")["side"] == "patient"
        assert _next(staff_ws, "ready")["side"] == "staff"

        patient_ws.send(json.dumps({"type": "typing"}))
        typing = _next(staff_ws, "typing")
        assert typing["side"] == "patient" and typing["name"] == "Asha Patient"

        patient_ws.send(json.dumps({"type": "send", "text": "Is my report ready?"}))
        arrived = _next(staff_ws, "message.new")["message"]
        assert arrived["text"] == "Is my report ready?"
        assert arrived["sender_side"] == "patient"

        staff_ws.send(json.dumps({"type": "read", "message_id": arrived["id"]}))
        receipt = _next(patient_ws, "read")
        assert receipt["side"] == "staff" and receipt["message_id"] == arrived["id"]

    # The same message is in the REST API, read by the clinic.
    from django.test import Client

    listed = (
        Client()
        .get(
            f"/api/v1/chat/conversations/{chat.pk}/messages",
            headers=bearer(world.patient_user, world.clinic_a),
        )
        .json()
    )
    assert listed["items"][0]["text"] == "Is my report ready?"
    assert listed["items"][0]["read"] is True


def test_it_delivers_messages_posted_through_the_api_live(asgi_server, world, chat, session_for):
    import httpx

    from clinicore.core.testing import bearer

    with _open(
        asgi_server, f"/ws/chat/{chat.pk}/", session=session_for(world.patient_user)
    ) as patient_ws:
        _next(patient_ws, "ready")
        response = httpx.post(
            asgi_server + "/api/v1/chat/messages",
            json={"conversation_id": str(chat.pk), "text": "Your report is ready."},
            headers=bearer(world.member("a", Role.DOCTOR).user, world.clinic_a),
            timeout=TIMEOUT,
        )
        assert response.status_code == 201, response.text
        message = _next(patient_ws, "message.new")["message"]
        assert message["text"] == "Your report is ready."
        assert message["sender_side"] == "staff"


def test_it_accepts_a_bearer_token_as_subprotocol(asgi_server, world, chat):
    from clinicore.core.testing import bearer

    token = bearer(world.patient_user, world.clinic_a)["Authorization"].split()[1]
    with _open(asgi_server, f"/ws/chat/{chat.pk}/", subprotocol_token=token) as ws:
        assert ws.subprotocol == "bearer"
        assert _next(ws, "ready")["side"] == "patient"


def _refused(base, path, **kwargs) -> int:
    with pytest.raises(InvalidStatus) as info:
        with _open(base, path, **kwargs):
            pass
    return info.value.response.status_code


def test_it_refuses_another_clinic_another_patient_strangers_and_foreign_origins(
    asgi_server, world, chat, session_for
):
    from clinicore.core.testing import bearer

    path = f"/ws/chat/{chat.pk}/"
    other_patient = make_user("other.patient@example.test")
    make_patient(world.clinic_a, user=other_patient)
    clinic_b_owner = world.member("b", Role.OWNER).user
    lab = world.member("a", Role.LAB_TECHNICIAN).user  # no chat.read
    assert _refused(asgi_server, path, session=session_for(other_patient)) == 403
    assert _refused(asgi_server, path, session=session_for(clinic_b_owner)) == 403
    assert _refused(asgi_server, path, session=session_for(lab)) == 403
    b_token = bearer(clinic_b_owner, world.clinic_b)["Authorization"].split()[1]
    assert _refused(asgi_server, path, token=b_token) == 403
    # A clinic A receptionist whose token is bound to clinic B cannot use it for clinic A's chat.
    both = world.member("a", Role.RECEPTIONIST).user
    from clinicore.core.testing import make_member

    make_member(world.clinic_b, Role.RECEPTIONIST, user=both)
    assert (
        _refused(asgi_server, path, token=bearer(both, world.clinic_b)["Authorization"].split()[1])
        == 403
    )
    assert _refused(asgi_server, path) == 403  # nobody signed in
    assert _refused(asgi_server, path, token="not-a-token") == 403
    assert (
        _refused(
            asgi_server, path, session=session_for(world.patient_user), origin="http://evil.example"
        )
        == 403
    )


def test_it_refuses_live_topics_one_may_not_see(asgi_server, world, session_for):
    owner_a = world.member("a", Role.OWNER).user
    topic = f"/ws/live/?topic=clinic-inbox:{world.clinic_a.pk}"
    with _open(asgi_server, topic, session=session_for(owner_a)) as ws:
        assert _next(ws, "ready")["topics"] == [f"clinic-inbox:{world.clinic_a.pk}"]
    assert (
        _refused(asgi_server, topic, session=session_for(world.member("b", Role.OWNER).user)) == 403
    )
    assert _refused(asgi_server, topic, session=session_for(world.patient_user)) == 403
    other_inbox = f"/ws/live/?topic=inbox:{owner_a.pk}"
    assert _refused(asgi_server, other_inbox, session=session_for(world.patient_user)) == 403
