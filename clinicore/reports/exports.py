"""Reports as files: CSV (every table, one after another) and PDF (summary, charts, tables),
worded in the language active while they are written (the report's own labels were translated
when it was built)."""

import csv
import io
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from clinicore.reports.base import Report

# ReportLab's built-in CJK fonts (the PDF viewer supplies the glyphs); Latin scripts use
# Helvetica. Devanagari needs a font file the machine may lack, so a Hindi reader's PDF is
# written in English, as the clinic's QR poster is.
_CJK_FONTS = {"zh-hans": "STSong-Light", "zh-hant": "MSung-Light", "ja": "HeiseiKakuGo-W5"}
_NO_PDF_FONT = ("hi",)


def file_language(fmt: str, language: str | None) -> str:
    """The language a file is written in for a reader of `language`: theirs, unless it is a PDF
    in a script no font here can draw."""
    language = language or settings.LANGUAGE_CODE
    if fmt == "pdf" and language in _NO_PDF_FONT:
        return settings.LANGUAGE_CODE
    return language


def _pdf_fonts() -> tuple[str, str]:
    """Regular and bold font names for the active language (CJK fonts have no bold)."""
    name = _CJK_FONTS.get(translation.get_language() or "")
    if name is None:
        return "Helvetica", "Helvetica-Bold"
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    return name, name


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value}"
    text = str(value)
    # Spreadsheets run cells starting with these as formulas: quote them (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    except ValueError:
        return False
    return True


def report_csv(report: Report, *, progress=None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([report.title, report.clinic_name])
    writer.writerow(
        [_("From"), report.start, _("To"), report.end, _("Time zone"), report.time_zone]
    )
    for label, value in report.summary:
        writer.writerow([label, cell(value)])
    for i, table in enumerate(report.tables):
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([cell(v) for v in row])
        if progress:
            progress((i + 1) / max(len(report.tables), 1))
    return out.getvalue().encode("utf-8-sig")


def report_pdf(report: Report, *, progress=None) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{report.title} — {report.clinic_name}",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    regular, bold = _pdf_fonts()
    styles = getSampleStyleSheet()
    if regular != "Helvetica":
        styles = {
            name: ParagraphStyle(name, parent=styles[name], fontName=font)
            for name, font in (("Title", bold), ("Normal", regular), ("Heading3", bold))
        }
    story = [
        Paragraph(escape(f"{report.title} — {report.clinic_name}"), styles["Title"]),
        Paragraph(
            escape(
                _("%(start)s to %(end)s (%(time_zone)s)")
                % {"start": report.start, "end": report.end, "time_zone": report.time_zone}
            ),
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    if report.summary:
        summary = PdfTable([[escape(str(k)), cell(v)] for k, v in report.summary], hAlign="LEFT")
        summary.setStyle(
            TableStyle(
                [("FONTNAME", (0, 0), (-1, -1), regular), ("FONTNAME", (0, 0), (0, -1), bold)]
            )
        )
        story += [summary, Spacer(1, 5 * mm)]
    for chart in report.charts:
        points = chart.points[:40]
        if not points:
            continue
        drawing = Drawing(170 * mm, 60 * mm)
        bars = VerticalBarChart() if chart.kind == "bar" else HorizontalBarChart()
        bars.x, bars.y, bars.width, bars.height = 40, 20, 150 * mm - 40, 50 * mm - 10
        # Floats are drawing coordinates only; the figures themselves stay Decimal.
        bars.data = [[float(Decimal(str(v or 0))) for _label, v in points]]
        bars.categoryAxis.categoryNames = [str(label)[:14] for label, _v in points]
        bars.categoryAxis.labels.fontSize = 6
        bars.categoryAxis.labels.fontName = regular
        bars.valueAxis.valueMin = 0
        bars.bars[0].fillColor = colors.HexColor("#1f6feb")
        drawing.add(bars)
        story += [Paragraph(escape(chart.title), styles["Heading3"]), drawing, Spacer(1, 3 * mm)]
    for i, table in enumerate(report.tables):
        story.append(Paragraph(escape(table.title), styles["Heading3"]))
        rows = [table.columns] + [[cell(v) for v in row] for row in table.rows]
        pdf_table = PdfTable(rows, repeatRows=1, hAlign="LEFT")
        pdf_table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 1), (-1, -1), regular),
                    ("FONTNAME", (0, 0), (-1, 0), bold),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                    (
                        "ROWBACKGROUNDS",
                        (0, 1),
                        (-1, -1),
                        [colors.white, colors.HexColor("#f3f5f8")],
                    ),
                ]
            )
        )
        story += [pdf_table, Spacer(1, 4 * mm)]
        if progress:
            progress((i + 1) / max(len(report.tables), 1))
    doc.build(story)
    return buffer.getvalue()


RENDERERS = {"csv": (report_csv, "text/csv"), "pdf": (report_pdf, "application/pdf")}
