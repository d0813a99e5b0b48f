"""The product speaks every language it offers: complete catalogs, translated pages in the
workspace, records and chat, and patient messages written in the patient's language."""

import ast
import gettext
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils.translation import to_locale

from clinicore.clinics.permissions import Role
from clinicore.messaging import notices  # noqa: F401  (registers chat's event, whatever ran first)
from clinicore.messaging.testing import make_conversation, patient_actor
from clinicore.notifications import services as notifications
from clinicore.notifications.events import EVENTS
from clinicore.notifications.models import Channel
from clinicore.notifications.providers.whatsapp import template_payload
from clinicore.notifications.rendering import language_for, render
from clinicore.notifications.services import Recipient
from clinicore.records.testing import doctor_of, make_visit

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w*\}|<[^>]+>")


def _entries(po_path: Path) -> list[dict]:
    """The entries of a .po file: msgid, plural, msgstr forms and flags (header left out)."""
    entries = []
    for block in po_path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"msgid": "", "plural": None, "msgstr": {}, "flags": set(), "obsolete": False}
        field = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith("msgid_plural "):
                field, entry["plural"] = "plural", ast.literal_eval(line[13:])
            elif line.startswith("msgid "):
                field, entry["msgid"] = "msgid", ast.literal_eval(line[6:])
            elif line.startswith("msgstr["):
                index = int(line[7 : line.index("]")])
                field = ("msgstr", index)
                entry["msgstr"][index] = ast.literal_eval(line[line.index("]") + 2 :])
            elif line.startswith("msgstr "):
                field = ("msgstr", 0)
                entry["msgstr"][0] = ast.literal_eval(line[7:])
            elif line.startswith('"') and field:
                if isinstance(field, tuple):
                    entry["msgstr"][field[1]] += ast.literal_eval(line)
                else:
                    entry[field] += ast.literal_eval(line)
        if entry["msgid"] and not entry["obsolete"]:
            entries.append(entry)
    return entries


def _gaps(po_path: Path) -> list[str]:
    gaps = []
    for entry in _entries(po_path):
        if "fuzzy" in entry["flags"] or not all(entry["msgstr"].values()):
            gaps.append(entry["msgid"])
    return gaps


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_has_no_untranslated_or_fuzzy_entry_and_keeps_every_placeholder(language):
    po_path = LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"
    entries = _entries(po_path)
    assert len(entries) > 700
    assert _gaps(po_path) == []
    for entry in entries:
        for form in entry["msgstr"].values():
            expected = {
                tuple(sorted(PLACEHOLDER.findall(entry["msgid"]))),
                tuple(sorted(PLACEHOLDER.findall(entry["plural"] or entry["msgid"]))),
            }
            assert tuple(sorted(PLACEHOLDER.findall(form))) in expected, (entry["msgid"], form)


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_ships_a_compiled_catalog_that_matches_the_translations(language):
    folder = LOCALE_DIR / to_locale(language) / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in _entries(folder / "django.po"):
        if entry["plural"] is None:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]
        else:
            assert compiled.ngettext(entry["msgid"], entry["plural"], 1) == entry["msgstr"][0]


def test_it_leaves_no_marked_string_of_the_code_without_a_translation(tmp_path):
    """Extracts the strings again from the code and templates as they are now: a new string
    without a translation in every language fails here, before it reaches anyone in English."""
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, copy)
    locales = [to_locale(code) for code in TRANSLATED]
    committed = {p: p.read_bytes() for p in LOCALE_DIR.rglob("django.po")}
    # makemessages adopts any folder named "locale" it walks past: the real catalogs are left
    # out of the walk so that only the copy is written.
    real = str(LOCALE_DIR.relative_to(settings.BASE_DIR))
    with override_settings(LOCALE_PATHS=[str(copy)]):
        call_command(
            "makemessages",
            locale=locales,
            no_obsolete=True,
            verbosity=0,
            ignore_patterns=[real, "node_modules/*", "var/*", "test-artifacts/*", "bench/*"],
        )
    assert {p: p.read_bytes() for p in LOCALE_DIR.rglob("django.po")} == committed
    missing = {locale: _gaps(copy / locale / "LC_MESSAGES" / "django.po") for locale in locales}
    assert missing == dict.fromkeys(locales, [])


# --- Pages -------------------------------------------------------------------------------------


def _in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        ("es", ["Buscar pacientes", "Incluir desactivados"], "Search patients"),
        ("hi", ["मरीज़ खोजें", "निष्क्रिय शामिल करें"], "Search patients"),
        ("zh-hant", ["搜尋病患", "包括已停用"], "Search patients"),
    ],
)
def test_it_shows_the_workspace_patient_list_in_the_chosen_language(
    world, client, language, expected, english
):
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    html = _in_language(client, language).get(f"/c/{world.clinic_a.slug}/desk/patients/")
    page = html.content.decode()
    assert html.status_code == 200
    assert all(text in page for text in expected), expected
    assert english not in page
    assert f'<html lang="{language}"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ja", ["診療サマリーを作成", "処方箋を作成", "署名済み"]),
        ("es", ["Escribir un resumen de visita", "Escribir una receta", "Firmado"]),
        ("zh-hans", ["填写就诊摘要", "开处方", "已签署"]),
    ],
)
def test_it_shows_a_patients_records_in_the_chosen_language(world, client, language, expected):
    doctor = doctor_of(world, world.clinic_a)
    make_visit(world.clinic_a, patient=world.patient_a, practitioner=doctor, shared=True)
    client.force_login(doctor.user)
    response = _in_language(client, language).get(
        f"/c/{world.clinic_a.slug}/desk/patients/{world.patient_a.pk}/records/"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert all(text in page for text in expected), expected
    assert "Write a visit summary" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("hi", ["संदेश लिखें", "भेजें", "फ़ोटो या PDF जोड़ें"]),
        ("ja", ["メッセージを入力", "送信", "画像またはPDFを添付"]),
    ],
)
def test_it_shows_the_chat_in_the_chosen_language(world, client, language, expected):
    thread = make_conversation(
        world.clinic_a,
        patient=world.patient_a,
        by=patient_actor(world.patient_user),
        subject="Rash",
        text="It itches.",
    )
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    response = _in_language(client, language).get(
        f"/c/{world.clinic_a.slug}/desk/inbox/{thread.pk}/"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "It itches." in page
    assert all(text in page for text in expected), expected
    assert "Write a message" not in page


@pytest.mark.django_db
def test_it_shows_the_error_page_in_the_chosen_language(world, client):
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    response = _in_language(client, "es").get(f"/c/{world.clinic_b.slug}/desk/patients/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Página no encontrada" in page and "Ir a la página de inicio" in page


# --- Patient messages ----------------------------------------------------------------------------

CONTEXT = {
    "starts_at": datetime(2026, 5, 4, 4, 0, tzinfo=UTC),
    "previous_starts_at": datetime(2026, 5, 3, 4, 0, tzinfo=UTC),
    "expires_at": datetime(2026, 5, 3, 6, 0, tzinfo=UTC),
    "at": datetime(2026, 5, 3, 6, 0, tzinfo=UTC),
    "due_date": datetime(2026, 5, 20, tzinfo=UTC).date(),
    "clinic_name": "Clinic A",
    "recipient_name": "Asha",
    "service": "Dental cleaning",
    "practitioner": "Dr. Rao",
    "code": "R-7K3M9Q",
    "amount": "1500.00",
    "currency": "INR",
    "invoice_number": "INV-2026-000123",
    "receipt_number": "RCT-2026-000045",
    "reason": "",
    "hours": 2,
    "title": "Fridge temperature high",
    "message": "Check the vaccine fridge.",
    "link": "http://127.0.0.1:8000/x",
    "reply_options": True,
}


def _message_templates(language: str) -> list[str]:
    """Message templates of one language from every app (chat registers its own event)."""
    root = Path(settings.BASE_DIR) / "clinicore"
    return sorted(
        p.name for p in root.glob(f"*/templates/notifications/messages/{language}/*.html")
    )


def test_it_has_every_message_template_in_every_language():
    english = _message_templates("en")
    assert english == sorted(f"{name}.html" for name in EVENTS)
    for language in TRANSLATED:
        assert _message_templates(language) == english, language


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_writes_every_message_in_the_language_and_never_falls_back_to_english(language):
    for event in EVENTS:
        english = render(event=event, language="en", context=CONTEXT, time_zone="Asia/Kolkata")
        message = render(event=event, language=language, context=CONTEXT, time_zone="Asia/Kolkata")
        assert message.text != english.text, (event, language)
        assert message.html != english.html, (event, language)
        if event != "staff_alert":  # its subject is the alert's own title
            assert message.subject != english.subject, (event, language)
            assert message.short != english.short, (event, language)
        assert "{{" not in message.text + message.html and "{%" not in message.short
        assert len(message.wa_params) == len(english.wa_params), (event, language)
        # Times stay in the clinic's zone whatever the language.
        if "starts_at" in message.text or event.startswith("appointment_"):
            assert "09:30" in message.short, (event, language, message.short)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "stored", "expected"),
    [
        ("ja", "ja", ["ご予約を承りました", "2026年5月4日", "09:30"]),
        ("es", "es-MX", ["está reservada", "09:30"]),
        ("zh-hant", "zh_TW", ["預約", "2026年5月4日", "09:30"]),
        ("zh-hans", "zh-Hans", ["预约", "2026年5月4日", "09:30"]),
    ],
)
def test_it_sends_a_booking_text_in_the_patients_language(world, language, stored, expected):
    [sms] = notifications.notify(
        clinic=world.clinic_a,
        event="appointment_booked",
        recipient=Recipient(
            key=f"patient:{world.patient_a.pk}",
            name="Asha",
            phone="+919800000001",
            language=stored,
        ),
        context={"starts_at": CONTEXT["starts_at"], "service": "Dental cleaning"},
        channels=[Channel.SMS],
    )
    assert sms.language == language
    assert all(text in sms.body_text for text in expected), sms.body_text
    assert "is booked" not in sms.body_text


def test_it_reads_a_stored_language_preference_in_any_common_spelling():
    assert language_for("hi-IN") == "hi"
    assert language_for("zh-CN") == "zh-hans"
    assert language_for("zh_Hant") == "zh-hant"
    assert language_for("zh-TW") == "zh-hant"
    assert language_for("ja-JP") == "ja"
    assert language_for("fr") == "en"
    assert language_for("") == "en"


@pytest.mark.parametrize(
    ("language", "whatsapp"), [("zh-hans", "zh_CN"), ("zh-hant", "zh_TW"), ("ja", "ja")]
)
def test_it_names_whatsapp_template_languages_the_way_meta_does(language, whatsapp):
    class Message:
        event = "appointment_booked"
        address = "+91 98000 00001"
        context = {"_wa_params": ["Asha"]}

    Message.language = language
    assert template_payload(Message)["template"]["language"]["code"] == whatsapp


# --- In a real browser: long Hindi and Spanish labels still fit a phone and a desktop -----------


@pytest.mark.browser
@pytest.mark.parametrize("language", ["hi", "es"])
def test_it_fits_translated_workspace_pages_on_a_phone_and_a_desktop(
    page, asgi_server, world, screenshot_dir, language
):
    from clinicore.core.testing import PASSWORD

    user = world.member("a", Role.RECEPTIONIST).user
    page.goto(f"{asgi_server}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": asgi_server}]
    )
    desk = f"{asgi_server}/c/{world.clinic_a.slug}/desk"
    pages = {"board": f"{desk}/", "walk-in": f"{desk}/walk-in/"}
    walk_in = {"hi": "वॉक-इन", "es": "Sin cita"}[language]
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in pages.items():
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == language
            assert page.get_by_text(walk_in).first.is_visible()
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            page.screenshot(
                path=f"{screenshot_dir}/translated-{name}-{language}-{width}.png", full_page=True
            )
            assert overflow <= 0, (name, language, width, overflow)
