"""Adds request id, clinic id and user id to every log record."""

import logging

from clinicore.core import context


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ctx = context.current()
        record.request_id = ctx.request_id
        record.clinic_id = ctx.clinic_id
        record.user_id = ctx.user_id
        return True
