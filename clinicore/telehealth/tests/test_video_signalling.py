"""The video room's signalling with real websocket clients against the app served by uvicorn."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from clinicore.clinics.permissions import Role
from clinicore.core.testing import bearer, make_patient, make_user
from clinicore.scheduling.models import Appointment
from clinicore.telehealth import ice
from clinicore.telehealth.testing import make_video_appointment

TIMEOUT = 10
LOOPBACK = "candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host generation 0"
LAN = "candidate:2 1 udp 2122194687 10.1.2.3 54322 typ host generation 0"
MDNS = "candidate:3 1 udp 2122129151 1f0c2a6e-4b7a.local 54323 typ host generation 0"
RELAY = "candidate:4 1 udp 41885439 203.0.113.9 3478 typ relay raddr 0.0.0.0 rport 0"


def _open(base, appointment, *, session=None, token=None):
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    url = base.replace("http://", "ws://") + f"/ws/telehealth/{appointment.pk}/"
    if token:
        url += f"?token={token}"
    return connect(url, origin=base, additional_headers=headers, open_timeout=TIMEOUT)


def _next(ws, event):
    for _ in range(30):
        data = json.loads(ws.recv(timeout=TIMEOUT))
        if data.get("event") == event:
            return data
    raise AssertionError(f"no {event} event")


def _refused(base, appointment, **kwargs) -> int:
    with pytest.raises(InvalidStatus) as info:
        with _open(base, appointment, **kwargs):
            pass
    return info.value.response.status_code


@pytest.fixture
def visit(world):
    doctor = world.member("a", Role.DOCTOR)
    return make_video_appointment(world.clinic_a, patient=world.patient_a, practitioner=doctor)


def test_it_admits_the_patient_relays_signals_and_completes_the_visit(
    asgi_server, world, visit, session_for, settings
):
    settings.TELEHEALTH_ALLOWED_CANDIDATE_NETS = ["127.0.0.0/8"]
    doctor = world.member("a", Role.DOCTOR).user
    with _open(asgi_server, visit, session=session_for(world.patient_user)) as patient:
        hello = _next(patient, "hello")
        assert hello["role"] == "patient" and hello["room"] == "waiting"
        with _open(
            asgi_server, visit, token=bearer(doctor, world.clinic_a)["Authorization"].split()[1]
        ) as doc:
            assert _next(doc, "hello")["role"] == "practitioner"
            _next(patient, "peer.joined")
            patient.send(json.dumps({"type": "present"}))
            assert _next(doc, "waiting")["name"] == world.patient_a.full_name

            # Still in the waiting room: nothing is relayed to the practitioner.
            patient.send(json.dumps({"type": "signal", "data": {"kind": "offer", "sdp": "v=0"}}))
            assert _next(patient, "error")["code"] == "not_admitted"

            patient.send(json.dumps({"type": "admit"}))
            assert _next(patient, "error")["code"] == "practitioner_only"

            doc.send(json.dumps({"type": "admit"}))
            _next(doc, "admitted")
            _next(patient, "admitted")
            visit.refresh_from_db()
            assert visit.status == Appointment.Status.IN_PROGRESS

            sdp = "v=0\r\na=candidate:1 1 udp 1 10.1.2.3 9 typ host\r\na=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n"
            doc.send(json.dumps({"type": "signal", "data": {"kind": "offer", "sdp": sdp}}))
            offer = _next(patient, "signal")["data"]
            assert (
                offer["kind"] == "offer"
                and "10.1.2.3" not in offer["sdp"]
                and "127.0.0.1" in offer["sdp"]
            )
            for line in (LAN, MDNS, LOOPBACK):
                doc.send(
                    json.dumps(
                        {
                            "type": "signal",
                            "data": {
                                "kind": "candidate",
                                "candidate": {"candidate": line, "sdpMid": "0", "sdpMLineIndex": 0},
                            },
                        }
                    )
                )
            relayed = _next(patient, "signal")["data"]
            assert relayed["candidate"]["candidate"] == LOOPBACK  # the other two were dropped

            patient.send(json.dumps({"type": "signal", "data": {"kind": "answer", "sdp": "v=0"}}))
            assert _next(doc, "signal")["data"]["kind"] == "answer"

            doc.send(json.dumps({"type": "end"}))
            _next(patient, "ended")
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.COMPLETED


def test_it_refuses_anyone_but_the_visits_patient_and_practitioner(
    asgi_server, world, visit, session_for
):
    other_doctor = world.member("a", Role.DENTIST).user
    other_patient = make_user("other@example.test")
    make_patient(world.clinic_a, user=other_patient)
    assert _refused(asgi_server, visit, session=session_for(other_doctor)) == 403
    assert (
        _refused(asgi_server, visit, session=session_for(world.member("a", Role.OWNER).user)) == 403
    )
    assert _refused(asgi_server, visit, session=session_for(other_patient)) == 403
    assert (
        _refused(asgi_server, visit, session=session_for(world.member("b", Role.OWNER).user)) == 403
    )
    assert _refused(asgi_server, visit) == 403


def test_it_opens_the_room_only_around_the_visit(asgi_server, world, session_for):
    later = make_video_appointment(
        world.clinic_a, patient=world.patient_a, starts_in=timedelta(hours=3)
    )
    assert _refused(asgi_server, later, session=session_for(world.patient_user)) == 403
    past = make_video_appointment(
        world.clinic_a, patient=world.patient_a, starts_in=timedelta(hours=-3)
    )
    assert _refused(asgi_server, past, session=session_for(world.patient_user)) == 403


def test_it_tells_apps_how_to_join_through_the_api(api, world, visit, settings):
    settings.TELEHEALTH_TURN_URLS = ["turn:127.0.0.1:3478"]
    settings.TELEHEALTH_TURN_SECRET = "turn-shared-secret"
    room = api.get(
        f"/api/v1/telehealth/rooms/{visit.pk}", headers=bearer(world.patient_user, world.clinic_a)
    ).json()
    assert room["can_join"] is True and room["role"] == "patient"
    assert room["websocket_path"] == f"/ws/telehealth/{visit.pk}/"
    turn = room["ice_servers"][0]
    expected = base64.b64encode(
        hmac.new(b"turn-shared-secret", turn["username"].encode(), hashlib.sha1).digest()
    ).decode()
    assert turn["credential"] == expected
    assert turn["username"].endswith(f":{world.patient_user.pk}")

    owner = api.get(
        f"/api/v1/telehealth/rooms/{visit.pk}", headers=world.headers("a", Role.OWNER)
    ).json()
    assert owner["can_join"] is False and owner["ice_servers"] == []
    other = api.get(f"/api/v1/telehealth/rooms/{visit.pk}", headers=world.headers("b", Role.OWNER))
    assert other.status_code == 404


def test_it_relays_only_relay_candidates_when_relay_is_forced(settings):
    settings.TELEHEALTH_FORCE_RELAY = True
    settings.TELEHEALTH_TURN_URLS = ["turns:turn.example.org:5349"]
    settings.TELEHEALTH_TURN_SECRET = "s"
    settings.TELEHEALTH_STUN_URLS = ["stun:stun.example.org:3478"]
    assert ice.ice_transport_policy() == "relay"
    assert [s["urls"] for s in ice.ice_servers(user_id="u")] == [["turns:turn.example.org:5349"]]
    assert not ice.candidate_allowed(LOOPBACK)
    assert not ice.candidate_allowed(LAN)
    assert ice.candidate_allowed(RELAY)


def test_it_filters_candidates_by_network(settings):
    settings.TELEHEALTH_ALLOWED_CANDIDATE_NETS = ["127.0.0.0/8", "::1/128"]
    assert ice.candidate_allowed(LOOPBACK)
    assert not ice.candidate_allowed(LAN)
    assert not ice.candidate_allowed(MDNS)
    assert not ice.candidate_allowed("garbage")
    settings.TELEHEALTH_ALLOWED_CANDIDATE_NETS = []
    assert ice.candidate_allowed(LAN)
