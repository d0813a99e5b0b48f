"""Reminders with a frozen clock: a visit booked three days ahead gets its 24 h and 2 h
reminders at the right local times across a DST change; a cancelled visit gets none."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from clinicore.core.testing import make_clinic
from clinicore.notifications import delivery, services
from clinicore.notifications.models import Channel, OutboxMessage
from clinicore.notifications.services import Recipient

Status = OutboxMessage.Status
RECIPIENT = Recipient(
    key="patient:dst", name="Dana", phone="+12125550100", email="dana@example.test"
)


def test_it_keeps_the_local_clock_time_for_day_offsets_across_spring_forward():
    # DST starts in New York on Sun 8 Mar 2026 at 02:00. Visit: Sun 8 Mar 10:00 EDT (14:00 UTC).
    starts = datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
    plan = dict(
        services.reminder_times(
            starts_at=starts,
            time_zone="America/New_York",
            offsets=[timedelta(hours=24), timedelta(hours=2)],
        )
    )
    assert plan["24h"] == datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # Sat 10:00 EST, 23 h before
    assert plan["2h"] == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # Sun 08:00 EDT


def test_it_keeps_the_local_clock_time_across_fall_back():
    # DST ends in New York on Sun 1 Nov 2026 at 02:00. Visit: Sun 1 Nov 10:00 EST (15:00 UTC).
    starts = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    plan = dict(
        services.reminder_times(
            starts_at=starts,
            time_zone="America/New_York",
            offsets=[timedelta(hours=24), timedelta(hours=2)],
        )
    )
    assert plan["24h"] == datetime(2026, 10, 31, 14, 0, tzinfo=UTC)  # Sat 10:00 EDT, 25 h before
    assert plan["2h"] == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # Sun 08:00 EST


def _sent():
    return list(OutboxMessage.objects.filter(status=Status.SENT).order_by("sent_at"))


@pytest.mark.django_db
def test_it_sends_both_reminders_at_the_right_local_times_for_a_booking_three_days_ahead():
    clinic = make_clinic("nyc-dental", time_zone="America/New_York")
    starts = datetime(2026, 3, 8, 14, 0, tzinfo=UTC)  # Sun 10:00 EDT
    with time_machine.travel(
        datetime(2026, 3, 5, 15, 0, tzinfo=UTC), tick=False
    ) as clock:  # Thu 10:00 EST
        planned = services.reminders_plan(
            clinic=clinic,
            recipient=RECIPIENT,
            context={"service": "Check-up"},
            starts_at=starts,
            ref="appointment:dst",
            channels=[Channel.SMS],
        )
        assert sorted(m.next_attempt_at for m in planned) == [
            datetime(2026, 3, 7, 15, 0, tzinfo=UTC),
            datetime(2026, 3, 8, 12, 0, tzinfo=UTC),
        ]
        assert delivery.deliver_due() == {}

        clock.move_to(datetime(2026, 3, 7, 14, 59, tzinfo=UTC))
        assert delivery.deliver_due() == {}
        clock.move_to(datetime(2026, 3, 7, 15, 0, tzinfo=UTC))
        assert delivery.deliver_due() == {"sent": 1}
        clock.move_to(datetime(2026, 3, 8, 11, 59, tzinfo=UTC))
        assert delivery.deliver_due() == {}
        clock.move_to(datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
        assert delivery.deliver_due() == {"sent": 1}

    first, second = _sent()
    assert first.sent_at == datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
    assert second.sent_at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    for message in (first, second):
        assert "Sun 8 Mar 2026, 10:00 EDT" in message.body_text
        assert message.event == "appointment_reminder" and message.address == "+12125550100"


@pytest.mark.django_db
def test_it_sends_no_reminder_for_a_cancelled_appointment():
    clinic = make_clinic("nyc-cancel", time_zone="America/New_York")
    starts = datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 3, 5, 15, 0, tzinfo=UTC), tick=False) as clock:
        services.reminders_plan(
            clinic=clinic,
            recipient=RECIPIENT,
            context={},
            starts_at=starts,
            ref="appointment:gone",
            channels=[Channel.SMS, Channel.EMAIL],
        )
        assert services.outbox_cancel(clinic=clinic, ref="appointment:gone") == 4
        for moment in (
            datetime(2026, 3, 7, 15, 0, tzinfo=UTC),
            datetime(2026, 3, 8, 13, 0, tzinfo=UTC),
        ):
            clock.move_to(moment)
            assert delivery.deliver_due() == {}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.CANCELLED}


@pytest.mark.django_db
def test_it_skips_reminders_whose_time_has_passed_and_replans_a_moved_visit():
    clinic = make_clinic("nyc-move", time_zone="America/New_York")
    with time_machine.travel(datetime(2026, 3, 8, 11, 0, tzinfo=UTC), tick=False):
        starts = datetime(2026, 3, 8, 14, 0, tzinfo=UTC)  # 3 h away: only the 2 h reminder is left
        planned = services.reminders_plan(
            clinic=clinic,
            recipient=RECIPIENT,
            context={},
            starts_at=starts,
            ref="appointment:m",
            channels=[Channel.SMS],
        )
        assert [m.next_attempt_at for m in planned] == [datetime(2026, 3, 8, 12, 0, tzinfo=UTC)]
        services.outbox_cancel(clinic=clinic, ref="appointment:m")
        moved = services.reminders_plan(
            clinic=clinic,
            recipient=RECIPIENT,
            context={},
            starts_at=starts + timedelta(days=2),
            ref="appointment:m",
            channels=[Channel.SMS],
        )
        assert len(moved) == 2 and all(m.status == Status.QUEUED for m in moved)
