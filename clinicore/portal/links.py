"""Signed links printed on a clinic's QR poster: they open registration with that clinic only."""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from clinicore.core.errors import NotFound

_SALT = "clinicore.portal.clinic-join"


def clinic_join_token(clinic) -> str:
    # The clinic id is inside the signed value, so a token minted for one clinic fails
    # verification under any other clinic's address; the token is stable, so
    # every printed poster of a clinic stays valid until SECRET_KEY rotates.
    return signing.Signer(salt=_SALT).sign_object({"c": str(clinic.pk)}, compress=True)


def clinic_join_verify(clinic, token: str) -> None:
    try:
        data = signing.Signer(salt=_SALT).unsign_object(token)
    except signing.BadSignature:
        raise NotFound(
            _("This registration link is not valid."), code="join_link_invalid"
        ) from None
    if not isinstance(data, dict) or data.get("c") != str(clinic.pk):
        raise NotFound(_("This registration link is not valid."), code="join_link_invalid")


def clinic_join_url(clinic, *, absolute: bool = True) -> str:
    path = reverse(
        "portal:join", kwargs={"clinic_slug": clinic.slug, "token": clinic_join_token(clinic)}
    )
    return f"{settings.PUBLIC_BASE_URL}{path}" if absolute else path
