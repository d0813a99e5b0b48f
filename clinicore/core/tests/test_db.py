from datetime import UTC, datetime

import pytest

from clinicore.accounts.models import User
from clinicore.core.db import EpochSeconds

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("moment", "floor", "ceil"),
    [
        (datetime(2026, 11, 23, 2, 30, tzinfo=UTC), 1795401000, 1795401000),
        (datetime(2026, 11, 23, 2, 30, 0, 1, tzinfo=UTC), 1795401000, 1795401001),
        (datetime(2026, 11, 23, 2, 30, 59, 999999, tzinfo=UTC), 1795401059, 1795401060),
        (datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), -1, -1),
    ],
)
def test_it_reads_datetimes_as_whole_seconds_rounded_either_way(moment, floor, ceil):
    User.objects.create(email="epoch@example.com", date_joined=moment)
    row = User.objects.annotate(
        down=EpochSeconds("date_joined"), up=EpochSeconds("date_joined", ceil=True)
    ).values_list("down", "up")
    assert list(row) == [(floor, ceil)]
    assert all(type(v) is int for v in row.get())
