"""`{% notifications_bell %}`: the header's link to the person's notifications with the unread count."""

from django import template

register = template.Library()


@register.inclusion_tag("notifications/pages/bell.html", takes_context=True)
def notifications_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    from clinicore.notifications.selectors import unread_count

    clinic = context.get("current_clinic") or getattr(request, "clinic", None)
    return {"show": True, "unread": unread_count(user=user, clinic=clinic)}
