"""ICE configuration for browsers (STUN/TURN with short-lived TURN credentials) and the filter
that decides which ICE candidates the signalling server passes on."""

import base64
import hashlib
import hmac
import ipaddress
import re
import time
from functools import lru_cache

from django.conf import settings


def turn_credentials(*, user_id, now: float | None = None) -> tuple[str, str]:
    """coturn `use-auth-secret` (TURN REST API): username `<expiry>:<user>`, password
    base64(HMAC-SHA1(secret, username)). The TURN server checks both without a database."""
    expiry = int((now or time.time()) + settings.TELEHEALTH_TURN_TTL_SECONDS)
    username = f"{expiry}:{user_id}"
    digest = hmac.new(
        settings.TELEHEALTH_TURN_SECRET.encode(), username.encode(), hashlib.sha1
    ).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(*, user_id) -> list[dict]:
    servers = []
    if settings.TELEHEALTH_STUN_URLS and not settings.TELEHEALTH_FORCE_RELAY:
        servers.append({"urls": list(settings.TELEHEALTH_STUN_URLS)})
    if settings.TELEHEALTH_TURN_URLS and settings.TELEHEALTH_TURN_SECRET:
        username, credential = turn_credentials(user_id=user_id)
        servers.append(
            {
                "urls": list(settings.TELEHEALTH_TURN_URLS),
                "username": username,
                "credential": credential,
            }
        )
    return servers


def ice_transport_policy() -> str:
    return "relay" if settings.TELEHEALTH_FORCE_RELAY else "all"


@lru_cache(maxsize=8)
def _networks(nets: tuple[str, ...]):
    return tuple(ipaddress.ip_network(n, strict=False) for n in nets)


_CANDIDATE = re.compile(
    r"^(?:a=)?candidate:\S+\s+\d+\s+\S+\s+\d+\s+(?P<address>\S+)\s+\d+\s+typ\s+(?P<type>\S+)",
    re.IGNORECASE,
)


def candidate_allowed(candidate: str) -> bool:
    """Whether the server relays this ICE candidate line to the other peer.

    With TELEHEALTH_FORCE_RELAY only `relay` candidates pass (peers never learn each other's
    addresses); with TELEHEALTH_ALLOWED_CANDIDATE_NETS only addresses inside those networks pass
    (an mDNS `.local` name is not an address and does not pass)."""
    if not candidate:
        return True  # the empty candidate marks the end of gathering
    match = _CANDIDATE.match(candidate.strip())
    if match is None:
        return False
    if settings.TELEHEALTH_FORCE_RELAY and match["type"].lower() != "relay":
        return False
    nets = tuple(settings.TELEHEALTH_ALLOWED_CANDIDATE_NETS)
    if not nets:
        return True
    try:
        address = ipaddress.ip_address(match["address"])
    except ValueError:
        return False
    return any(address in net for net in _networks(nets))


def sdp_filtered(sdp: str) -> str:
    """The SDP without candidate lines the filter refuses (candidates can ride inside SDP too)."""
    lines = sdp.split("\r\n") if "\r\n" in sdp else sdp.split("\n")
    kept = [
        line for line in lines if not line.startswith("a=candidate:") or candidate_allowed(line)
    ]
    return ("\r\n" if "\r\n" in sdp else "\n").join(kept)
