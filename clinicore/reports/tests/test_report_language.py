"""Reports read in the reader's language: titles, summary labels, chart and table titles and
column headings on the page, in files downloaded from it, and in background exports, which the
worker writes in the language of whoever asked. English stays exactly as it was."""

import pytest
from django.conf import settings
from django.utils import translation

from clinicore.clinics.permissions import Role
from clinicore.reports.models import ReportExport
from clinicore.reports.selectors import TITLES
from clinicore.reports.tests.test_reports import RANGE, Week

REVENUE = "/c/clinic-a/desk/reports/revenue"


@pytest.fixture
def week(world):
    return Week(world)


def _reader(client, world, language):
    client.force_login(world.member("a", Role.MANAGER).user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_it_shows_the_revenue_report_in_hindi(week, world, client):
    page = _reader(client, world, "hi").get(f"{REVENUE}/", RANGE)
    body = page.content.decode()
    assert page.status_code == 200
    assert '<h2 id="report-title">राजस्व <span' in body
    assert "<dt>प्राप्त (INR)</dt>" in body and "<dt>शुद्ध (INR)</dt>" in body
    assert '<th scope="col">अवधि</th>' in body and '<th scope="col">राशि (INR)</th>' in body
    assert '<h3 class="table-title">प्रति दिन</h3>' in body
    assert "प्रति दिन शुद्ध राजस्व (INR)</title>" in body  # the chart's accessible title
    assert "Received (INR)" not in body and ">Period<" not in body and ">Revenue<" not in body


def test_it_downloads_a_csv_with_spanish_headings(week, world, client):
    response = _reader(client, world, "es").get(f"{REVENUE}.csv", {**RANGE, "group": "week"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert response.status_code == 200
    assert lines[:3] == [
        "Ingresos,Clinic A",
        "Desde,2026-03-02,Hasta,2026-03-08,Zona horaria,Asia/Kolkata",
        "Recibido (INR),1700.00",
    ]
    assert "Período,Recibido (INR),Reembolsado (INR),Neto (INR)" in lines
    assert "sem. 2026-03-02,1700.00,200.00,1500.00" in lines
    assert "Método,Pagos,Importe (INR)" in lines and "Efectivo,1,500.00" in lines
    assert not any("Received" in line or "Period" in line for line in lines)


def test_the_worker_writes_a_background_export_in_the_language_it_was_asked_in(
    week, world, api, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    headers = world.headers("a", Role.MANAGER)
    with django_capture_on_commit_callbacks() as queued:
        response = api.post(
            "/api/v1/reports/custom",
            {"report": "revenue", "format": "csv", "group": "week", **RANGE},
            headers={**headers, "Accept-Language": "ja"},
        )
    assert response.status_code == 202, response.content
    export_id = response.json()["id"]
    assert ReportExport.objects.get(pk=export_id).language == "ja"
    # The worker has no request: English is what would be active there.
    with translation.override("en"):
        for run in queued:
            run()
    status = api.get(f"/api/v1/reports/export/{export_id}", headers=headers).json()
    assert status["status"] == "done", status
    lines = api.get(status["download_url"], headers=headers).content.decode("utf-8-sig")
    lines = lines.splitlines()
    assert lines[0] == "売上,Clinic A"
    assert lines[1] == "開始,2026-03-02,終了,2026-03-08,タイムゾーン,Asia/Kolkata"
    assert "期間,入金額 (INR),返金額 (INR),純額 (INR)" in lines
    assert "2026-03-02 の週,1700.00,200.00,1500.00" in lines
    assert "Period" not in "\n".join(lines)


def test_it_writes_a_japanese_pdf_in_a_japanese_font(week, world, client):
    pdf = _reader(client, world, "ja").get(f"{REVENUE}.pdf", RANGE).content
    assert pdf.startswith(b"%PDF")
    assert b"/BaseFont /HeiseiKakuGo-W5" in pdf  # Helvetica has no Japanese glyphs
    assert b"/Title (Revenue" not in pdf


def test_it_writes_a_hindi_readers_pdf_in_english_as_no_font_here_draws_devanagari(
    week, world, client
):
    pdf = _reader(client, world, "hi").get(f"{REVENUE}.pdf", RANGE).content
    assert pdf.startswith(b"%PDF")
    assert b"/Title (Revenue \\204 Clinic A)" in pdf  # "Revenue — Clinic A"
    csv = client.get(f"{REVENUE}.csv", RANGE).content.decode("utf-8-sig")
    assert csv.startswith("राजस्व,Clinic A")  # a CSV has no font: it stays in Hindi


def test_it_keeps_the_english_report_exactly_as_it_was(week, world, client):
    csv = _reader(client, world, "en").get(f"{REVENUE}.csv", {**RANGE, "group": "week"})
    dentist, doctor = week.dentist.display_name, week.doctor.display_name
    assert csv.content.decode("utf-8-sig") == (
        "Revenue,Clinic A\r\n"
        "From,2026-03-02,To,2026-03-08,Time zone,Asia/Kolkata\r\n"
        "Received (INR),1700.00\r\n"
        "Payments,2\r\n"
        "Refunded (INR),200.00\r\n"
        "Net (INR),1500.00\r\n"
        "\r\n"
        "Per week\r\n"
        "Period,Received (INR),Refunded (INR),Net (INR)\r\n"
        "2026-03-02 wk,1700.00,200.00,1500.00\r\n"
        "\r\n"
        "By method\r\n"
        "Method,Payments,Amount (INR)\r\n"
        "UPI,1,1200.00\r\n"
        "Cash,1,500.00\r\n"
        "\r\n"
        "By practitioner\r\n"
        "Practitioner,Payments,Amount (INR)\r\n"
        f"{dentist},1,1200.00\r\n"
        f"{doctor},1,500.00\r\n"
        "\r\n"
        "Billed by service\r\n"
        "Service,Lines,Billed (INR)\r\n"
    )
    body = client.get(f"{REVENUE}/", RANGE).content.decode()
    assert '<h2 id="report-title">Revenue <span' in body
    assert '<title id="chart-revenue-0-title">Net revenue per day (INR)</title>' in body
    assert ">02 Mar</text>" in body  # the first day on the chart's axis
    monthly = client.get("/c/clinic-a/desk/reports/appointments/", {**RANGE, "group": "month"})
    assert "Appointments per month</title>" in monthly.content.decode()
    assert ">Mar 26</text>" in monthly.content.decode()


def test_recent_exports_are_listed_by_their_title_in_the_reader_s_language(week, world, client):
    ReportExport.objects.create(
        clinic=world.clinic_a,
        report="patient-growth",
        format="csv",
        params={"start": "2026-03-02", "end": "2026-03-08"},
        requested_by=world.member("a", Role.MANAGER).user,
    )
    body = _reader(client, world, "es").get(f"{REVENUE}/", RANGE).content.decode()
    with translation.override("es"):
        title = str(TITLES["patient-growth"])
    assert title != "Patient growth" and f">{title} · CSV · 2026-03-02" in body
    assert ">patient-growth · " not in body
