"""Renders an event's message for a channel and language, with times in the clinic's zone.

Templates live in templates/notifications/messages/<language>/<event>.html, one partial per
part: `subject`, `text` (plain email body), `html` (email body), `short` (SMS, WhatsApp,
Telegram, push, in-app) and `wa_params` (WhatsApp template parameters, one per line).
"""

import zoneinfo
from dataclasses import dataclass

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from clinicore.notifications.events import LANGUAGES


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    short: str
    wa_params: tuple[str, ...]


def language_for(requested: str) -> str:
    """The message language for a stored preference: "hi-IN" is Hindi, "zh_TW" and "zh-Hant"
    are Traditional Chinese, "zh-CN" Simplified; anything else falls back to English."""
    code = (requested or "en").strip().lower().replace("_", "-")
    try:
        code = translation.get_supported_language_variant(code)
    except LookupError:
        return "en"
    return code if code in LANGUAGES else "en"


def _part(event: str, language: str, part: str, context: dict) -> str:
    try:
        return render_to_string(f"notifications/messages/{language}/{event}.html#{part}", context)
    except TemplateDoesNotExist:
        if language == "en":
            raise
        return render_to_string(f"notifications/messages/en/{event}.html#{part}", context)


def render(*, event: str, language: str, context: dict, time_zone: str) -> Rendered:
    language = language_for(language)
    tz = zoneinfo.ZoneInfo(time_zone or "UTC")
    with translation.override(language), timezone.override(tz):
        subject = " ".join(_part(event, language, "subject", context).split())
        text = _part(event, language, "text", context).strip()
        html = render_to_string(
            "notifications/email.html",
            {
                **context,
                "subject": subject,
                "body": _part(event, language, "html", context),
                "lang": language,
            },
        )
        short = " ".join(_part(event, language, "short", context).split())
        params = tuple(
            line.strip()
            for line in _part(event, language, "wa_params", context).splitlines()
            if line.strip()
        )
    return Rendered(subject=subject, text=text, html=html, short=short, wa_params=params)
