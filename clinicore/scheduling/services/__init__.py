"""Every write to schedules and appointments, one module per topic; import them from here.

Booking (`appointment_book`, `hold_create`, `appointment_reschedule`, series and waitlist) goes
through `_claim`, which, inside one transaction: locks the practitioner's membership row (a
no-op on SQLite, whose IMMEDIATE transactions already serialize writers), clears stale holds in
the way, checks the visit and its buffers fit the practitioner's free time, checks the patient
has no overlapping visit and is under the clinic's limit, then inserts. On PostgreSQL an
exclusion constraint is the last guard; its violation becomes the same 409 as the check.
"""

from clinicore.scheduling.services._base import (
    SLOT_TAKEN,
    TRANSITIONS,
    S,
    forbid_unless,
    staff_may_act_for,
)
from clinicore.scheduling.services.booking import (
    DETAIL_FIELDS,
    appointment_book,
    blocking_or_held,
    hold_convert_to_appointment,
    hold_create,
    hold_details_set,
    hold_release,
    request_fingerprint,
)
from clinicore.scheduling.services.catalog import (
    SERVICE_FIELDS,
    booking_rules_update,
    calendar_feed_rotate,
    clinic_branch_exists,
    closure_create,
    closure_delete,
    override_delete,
    override_set,
    service_create,
    service_deactivate,
    service_update,
    time_off_create,
    time_off_delete,
    working_hours_replace,
)
from clinicore.scheduling.services.changes import (
    appointment_cancel,
    appointment_check_in,
    appointment_check_out,
    appointment_confirm,
    appointment_no_show,
    appointment_record_read,
    appointment_reschedule,
    appointment_start,
    appointment_update,
    holds_expire,
)
from clinicore.scheduling.services.series import (
    series_cancel,
    series_create,
    series_future,
    series_update,
)
from clinicore.scheduling.services.waitlist import (
    waitlist_accept,
    waitlist_cancel,
    waitlist_join,
    waitlist_offer_freed_slot,
)

__all__ = [
    "DETAIL_FIELDS",
    "S",
    "SERVICE_FIELDS",
    "SLOT_TAKEN",
    "TRANSITIONS",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_check_out",
    "appointment_confirm",
    "appointment_no_show",
    "appointment_record_read",
    "appointment_reschedule",
    "appointment_start",
    "appointment_update",
    "blocking_or_held",
    "booking_rules_update",
    "calendar_feed_rotate",
    "clinic_branch_exists",
    "closure_create",
    "closure_delete",
    "forbid_unless",
    "hold_convert_to_appointment",
    "hold_create",
    "hold_details_set",
    "hold_release",
    "holds_expire",
    "override_delete",
    "override_set",
    "request_fingerprint",
    "series_cancel",
    "series_create",
    "series_future",
    "series_update",
    "service_create",
    "service_deactivate",
    "service_update",
    "staff_may_act_for",
    "time_off_create",
    "time_off_delete",
    "waitlist_accept",
    "waitlist_cancel",
    "waitlist_join",
    "waitlist_offer_freed_slot",
    "working_hours_replace",
]
