"""Every write of notifications, by topic: queueing messages (the API other apps call),
reminders and outbox retries, in-app read marks, preferences and consent, channel accounts with
Telegram and push links, receipts and inbound messages, events published by higher apps.

Other apps call `services.notify(...)` inside their own transaction (docs/notifications.md);
every function is importable from `clinicore.notifications.services` as before the split.
"""

from clinicore.notifications.services.accounts import (
    PROVIDER_FIELDS,
    channel_account_set,
    push_subscribe,
    telegram_link_complete,
    telegram_link_start,
)
from clinicore.notifications.services.in_app import (
    notification_mark_read,
    notifications_mark_all_read,
)
from clinicore.notifications.services.inbound import (
    inbound_receive,
    receipt_record,
)
from clinicore.notifications.services.preferences import (
    preference_set,
)
from clinicore.notifications.services.published import (
    event_enqueue,
)
from clinicore.notifications.services.queueing import (
    Recipient,
    Status,
    channel_account_for,
    notify,
    notify_staff,
    preference_effective,
    quiet_hours_release,
    transactional_email_queue,
)
from clinicore.notifications.services.reminders import (
    outbox_cancel,
    outbox_retry,
    reminder_offsets,
    reminder_times,
    reminders_cancel,
    reminders_plan,
)

__all__ = [
    "PROVIDER_FIELDS",
    "Recipient",
    "Status",
    "channel_account_for",
    "channel_account_set",
    "event_enqueue",
    "inbound_receive",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "notify_staff",
    "outbox_cancel",
    "outbox_retry",
    "preference_effective",
    "preference_set",
    "push_subscribe",
    "quiet_hours_release",
    "receipt_record",
    "reminder_offsets",
    "reminder_times",
    "reminders_cancel",
    "reminders_plan",
    "telegram_link_complete",
    "telegram_link_start",
    "transactional_email_queue",
]
