"""Database expressions that both engines (PostgreSQL and SQLite) understand."""

from django.db.models import BigIntegerField, Func
from django.utils.functional import cached_property


class EpochSeconds(Func):
    """A datetime column as whole seconds since 1970 UTC, rounded down or (`ceil=True`) up.

    Reading integers instead of datetimes is several times cheaper for hot reads of many rows;
    rounding outwards keeps a busy range conservative."""

    output_field = BigIntegerField()

    def __init__(self, expression, *, ceil: bool = False):
        self.ceil = ceil
        super().__init__(expression)

    @cached_property
    def convert_value(self):
        return self._convert_value_noop  # both engines already answer integers

    def as_postgresql(self, compiler, connection, **extra):
        # date_part answers a double; EXTRACT answers numeric, several times slower to compute.
        rounding = "CEIL" if self.ceil else "FLOOR"
        return self.as_sql(
            compiler,
            connection,
            template=f"{rounding}(date_part('epoch', %(expressions)s))::bigint",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC, a fraction only when non-zero. The
        # fraction is cut off before strftime, which would round it to milliseconds first.
        template = "CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER)"
        if self.ceil:
            template += " + (instr(%(expressions)s, '.') > 0)"
        return self.as_sql(compiler, connection, template=template, **extra)
