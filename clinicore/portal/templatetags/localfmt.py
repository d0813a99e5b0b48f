"""Dates, times and money for the reader's language, in the clinic's time zone.

Any face may `{% load localfmt %}`:

    {{ appointment.starts_at|clinic_datetime:clinic }}   "Mon, 12 May 2026, 10:30" in its locale
    {{ appointment.starts_at|clinic_date:clinic }}       date only
    {{ appointment.starts_at|clinic_time:clinic }}       time only
    {{ appointment.starts_at|clinic_day:clinic }}        short weekday and day, for calendars
    {{ invoice.total|money:invoice.currency }}           "₹1,23,456.00", "12,50 €", "¥1,200"

The clinic argument may be a Clinic (its `time_zone` is used) or an IANA zone name.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils import formats, numberformat, timezone, translation

from clinicore.core.money import Money, exponent

register = template.Library()

# Symbols people recognise; a currency missing here is shown by its ISO code.
SYMBOLS = {
    "INR": "₹",
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "AUD": "A$",
    "JPY": "¥",
    "CNY": "CN¥",
    "SGD": "S$",
    "AED": "AED ",
}

# (thousand separator, decimal separator, grouping, symbol after the number) per language.
# Django's own locale formats turn grouping off for Hindi and Chinese; money needs it.
MONEY_STYLE = {
    "en": (",", ".", 3, False),
    "hi": (",", ".", (3, 2, 0), False),  # lakh grouping: 1,23,456.00
    "zh-hans": (",", ".", 3, False),
    "zh-hant": (",", ".", 3, False),
    "ja": (",", ".", 3, False),
    "es": (".", ",", 3, True),
}


def _zone(where) -> ZoneInfo:
    name = getattr(where, "time_zone", where) or "UTC"
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def in_zone(value, where):
    """An aware datetime converted to the clinic's zone (naive values are taken as UTC)."""
    if not isinstance(value, datetime):
        return value
    if timezone.is_naive(value):
        value = timezone.make_aware(value, ZoneInfo("UTC"))
    return value.astimezone(_zone(where))


@register.filter
def clinic_date(value, where="UTC"):
    if not isinstance(value, date):
        return ""
    return formats.date_format(in_zone(value, where), "DATE_FORMAT")


@register.filter
def clinic_time(value, where="UTC"):
    if not isinstance(value, datetime):
        return ""
    return formats.time_format(in_zone(value, where), "TIME_FORMAT")


@register.filter
def clinic_datetime(value, where="UTC"):
    if not isinstance(value, datetime):
        return ""
    local = in_zone(value, where)
    return f"{formats.date_format(local, 'D')}, {formats.date_format(local, 'DATE_FORMAT')}, {formats.time_format(local, 'TIME_FORMAT')}"


@register.filter
def clinic_day(value, where="UTC"):
    if not isinstance(value, date):
        return ""
    local = in_zone(value, where)
    return f"{formats.date_format(local, 'D')} {formats.date_format(local, 'MONTH_DAY_FORMAT')}"


@register.filter
def zone_name(where):
    return str(_zone(where))


def money_format(amount, currency: str, language: str | None = None) -> str:
    """Locale-aware money text; Decimal only (a float is a bug upstream and is refused)."""
    if isinstance(amount, Money):
        amount, currency = amount.amount, amount.currency
    if isinstance(amount, float):
        raise TypeError("Money amounts must be Decimal, never float.")
    currency = (currency or "").upper()
    try:
        value = Decimal(amount)
        places = exponent(currency)
    except (InvalidOperation, TypeError, ValueError):
        return f"{amount} {currency}".strip()
    language = (language or translation.get_language() or "en").lower()
    thousand, decimal_sep, grouping, after = MONEY_STYLE.get(language, MONEY_STYLE["en"])
    number = numberformat.format(
        value,
        decimal_sep,
        decimal_pos=places,
        grouping=grouping,
        thousand_sep=thousand,
        force_grouping=True,
        use_l10n=True,
    )
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        return f"{number}\u00a0{currency}"
    if after:
        return f"{number}\u00a0{symbol.strip()}"
    return f"{symbol}{number}"


@register.filter
def money(amount, currency=""):
    if amount is None or amount == "":
        return ""
    return money_format(amount, currency)
