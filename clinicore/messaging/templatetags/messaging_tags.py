"""`{% chat_unread as n %}`: the header badge, unread chat messages for the person on this page."""

from django import template

from clinicore.clinics.permissions import Perm, role_has
from clinicore.messaging.access import ChatActor
from clinicore.messaging.models import Message
from clinicore.messaging.selectors import unread_total

register = template.Library()


@register.simple_tag(takes_context=True)
def chat_unread(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    membership = context.get("current_membership")
    if membership is not None:
        if not role_has(membership.role, Perm.CHAT_READ):
            return 0
        actor = ChatActor(
            user=user, side=Message.Side.STAFF, clinic=membership.clinic, membership=membership
        )
    else:
        actor = ChatActor(user=user, side=Message.Side.PATIENT)
    return unread_total(actor=actor)
