"""Reports as files: CSV (every table, one after another) and PDF (summary, charts, tables)."""

import csv
import io
from decimal import Decimal

from clinicore.reports.base import Report


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
    writer.writerow(["From", report.start, "To", report.end, "Time zone", report.time_zone])
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
    from reportlab.lib.styles import getSampleStyleSheet
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
    styles = getSampleStyleSheet()
    story = [
        Paragraph(escape(f"{report.title} — {report.clinic_name}"), styles["Title"]),
        Paragraph(escape(f"{report.start} to {report.end} ({report.time_zone})"), styles["Normal"]),
        Spacer(1, 4 * mm),
    ]
    if report.summary:
        summary = PdfTable([[escape(str(k)), cell(v)] for k, v in report.summary], hAlign="LEFT")
        summary.setStyle(TableStyle([("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold")]))
        story += [summary, Spacer(1, 5 * mm)]
    for chart in report.charts:
        points = chart.points[:40]
        if not points:
            continue
        drawing = Drawing(170 * mm, 60 * mm)
        bars = VerticalBarChart() if chart.kind == "bar" else HorizontalBarChart()
        bars.x, bars.y, bars.width, bars.height = 40, 20, 150 * mm - 40, 50 * mm - 10
        bars.data = [[float(Decimal(str(v or 0))) for _, v in points]]  # drawing coordinates only
        bars.categoryAxis.categoryNames = [str(label)[:14] for label, _ in points]
        bars.categoryAxis.labels.fontSize = 6
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
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
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
