"""The events that send messages, the channels each goes out on by default, and who may mute it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from clinicore.notifications.models import Channel

PATIENT_CHANNELS = (
    Channel.EMAIL,
    Channel.SMS,
    Channel.WHATSAPP,
    Channel.TELEGRAM,
    Channel.PUSH,
    Channel.IN_APP,
)


@dataclass(frozen=True)
class Event:
    name: str
    channels: tuple[str, ...] = PATIENT_CHANNELS
    # Account and security messages (sign-up, verification, password reset, security notices)
    # go out even to people who opted out of email: they are not marketing.
    mutable: bool = True
    # Booking confirmations carry the visit as a calendar file.
    calendar: bool = False
    # WhatsApp approved template name (Meta requires templates for business-initiated messages).
    whatsapp_template: str = ""


EVENTS: dict[str, Event] = {
    e.name: e
    for e in (
        Event("appointment_booked", calendar=True, whatsapp_template="appointment_booked"),
        Event("appointment_confirmed", calendar=True, whatsapp_template="appointment_confirmed"),
        Event("appointment_reminder", whatsapp_template="appointment_reminder"),
        Event(
            "appointment_rescheduled", calendar=True, whatsapp_template="appointment_rescheduled"
        ),
        Event("appointment_cancelled", whatsapp_template="appointment_cancelled"),
        Event("appointment_no_show", whatsapp_template="appointment_no_show"),
        Event("payment_received", whatsapp_template="payment_received"),
        Event("payment_failed", whatsapp_template="payment_failed"),
        Event("payment_refunded", whatsapp_template="payment_refunded"),
        Event("invoice_issued", whatsapp_template="invoice_issued"),
        Event("invoice_overdue", whatsapp_template="invoice_overdue"),
        Event("waitlist_offered", whatsapp_template="waitlist_offered"),
        Event("welcome", channels=(Channel.EMAIL, Channel.IN_APP), mutable=False),
        Event("email_verification", channels=(Channel.EMAIL,), mutable=False),
        Event("password_reset", channels=(Channel.EMAIL,), mutable=False),
        Event("account_security", channels=(Channel.EMAIL, Channel.IN_APP), mutable=False),
        # A clinic inviting someone onto its staff: the accept link, by email only.
        Event("staff_invite", channels=(Channel.EMAIL,), mutable=False),
        # The receipt with its PDF; the short "payment received" goes on the other channels.
        Event("payment_receipt", channels=(Channel.EMAIL,)),
        Event("staff_alert", channels=(Channel.IN_APP, Channel.EMAIL)),
    )
}

# Channels that interrupt a person: held back during their quiet hours. Email and the in-app
# list wait quietly for the person to look, so they are never held.
INTERRUPTING = frozenset({Channel.SMS, Channel.WHATSAPP, Channel.TELEGRAM, Channel.PUSH})

# On unless the person opts out; WhatsApp needs an explicit opt-in (Meta's business policy).
DEFAULT_ON = frozenset({Channel.EMAIL, Channel.SMS, Channel.TELEGRAM, Channel.PUSH, Channel.IN_APP})

# Every language the product is translated into has its own message templates.
LANGUAGES = ("en", "hi", "zh-hans", "zh-hant", "ja", "es")


def event_get(name: str) -> Event:
    from clinicore.core.errors import InvalidInput

    try:
        return EVENTS[name]
    except KeyError:
        raise InvalidInput(
            _("Unknown notification event %(name)s.") % {"name": repr(name)}, code="unknown_event"
        ) from None
