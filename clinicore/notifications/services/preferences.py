"""Channel preferences and the consent records they leave."""

from datetime import time

from django.db import transaction
from django.utils.translation import gettext as _

from clinicore.core.audit import audit_record
from clinicore.core.errors import InvalidInput
from clinicore.notifications.models import (
    Channel,
    ConsentRecord,
    Preference,
)


@transaction.atomic
def preference_set(
    *,
    clinic,
    recipient_key: str,
    channel: str,
    opted_in: bool,
    quiet_start: time | None = None,
    quiet_end: time | None = None,
    source: str,
    actor=None,
) -> Preference:
    """Records a person's choice for a channel and, when it changes, the consent behind it."""
    if channel not in Channel.values:
        raise InvalidInput(
            _("Unknown channel %(channel)s.") % {"channel": repr(channel)},
            fields={"channel": _("Unknown channel.")},
        )
    if (quiet_start is None) != (quiet_end is None):
        raise InvalidInput(
            _("Give both ends of the quiet hours, or neither."),
            fields={"quiet_hours_start": _("Give both or neither.")},
        )
    pref = Preference.objects.filter(
        clinic=clinic, recipient_key=recipient_key, channel=channel
    ).first()
    changed_consent = pref is None or pref.opted_in != opted_in
    if pref is None:
        pref = Preference(clinic=clinic, recipient_key=recipient_key, channel=channel)
    pref.opted_in = opted_in
    pref.quiet_start = quiet_start
    pref.quiet_end = quiet_end
    pref.save()
    if changed_consent:
        ConsentRecord.objects.create(
            clinic=clinic,
            recipient_key=recipient_key,
            channel=channel,
            granted=opted_in,
            source=source[:40],
            actor=actor,
        )
    audit_record(
        action="notification.preference",
        entity_type="preference",
        entity_id=pref.pk,
        clinic_id=clinic.pk if clinic else None,
        actor=actor,
        fields=["opted_in", "quiet_start", "quiet_end"],
    )
    return pref
