"""Invoices and receipts as PDF (reportlab), the same document for download and email."""

import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clinicore.billing.models import Invoice, Payment


def _money(amount, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _local(dt, clinic) -> str:
    if dt is None:
        return ""
    from zoneinfo import ZoneInfo

    return formats.date_format(dt.astimezone(ZoneInfo(clinic.time_zone)), "DATETIME_FORMAT")


def _header(clinic, title: str, styles) -> list:
    address = ", ".join(
        p for p in (clinic.address_line, clinic.city, clinic.state, clinic.postal_code) if p
    )
    rows = [Paragraph(f"<b>{_escape(clinic.name)}</b>", styles["Title"])]
    if address:
        rows.append(Paragraph(_escape(address), styles["Normal"]))
    contact = " · ".join(p for p in (clinic.phone, clinic.email) if p)
    if contact:
        rows.append(Paragraph(_escape(contact), styles["Normal"]))
    rows += [Spacer(1, 6 * mm), Paragraph(_escape(title), styles["Heading2"])]
    return rows


def _escape(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _build(story: list, title: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    doc.build(story)
    return buffer.getvalue()


def _table(rows, widths, header=True):
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    style = [
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ]
    if header:
        style += [
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ]
    table.setStyle(TableStyle(style))
    return table


def invoice_pdf(invoice: Invoice) -> bytes:
    styles = getSampleStyleSheet()
    clinic, cur = invoice.clinic, invoice.currency
    story = _header(clinic, f"{_('Invoice')} {invoice.label}", styles)
    story.append(
        Paragraph(f"{_('Billed to')}: {_escape(invoice.patient.full_name)}", styles["Normal"])
    )
    story.append(Paragraph(f"{_('Status')}: {invoice.get_status_display()}", styles["Normal"]))
    if invoice.issued_at:
        story.append(
            Paragraph(f"{_('Issued')}: {_local(invoice.issued_at, clinic)}", styles["Normal"])
        )
    if invoice.due_date:
        story.append(
            Paragraph(f"{_('Due')}: {formats.date_format(invoice.due_date)}", styles["Normal"])
        )
    story.append(Spacer(1, 5 * mm))
    rows = [[_("Description"), _("Qty"), _("Unit price"), _("Discount"), _("Tax"), _("Amount")]]
    for line in invoice.lines.all():
        rows.append(
            [
                Paragraph(_escape(line.description), styles["Normal"]),
                f"{line.quantity.normalize():f}",
                _money(line.unit_price, cur),
                _money(line.discount, cur),
                f"{line.tax_rate.normalize():f}% · {_money(line.tax_amount, cur)}",
                _money(line.total, cur),
            ]
        )
    story.append(_table(rows, [64 * mm, 12 * mm, 26 * mm, 22 * mm, 26 * mm, 26 * mm]))
    story.append(Spacer(1, 5 * mm))
    sums = [
        [_("Subtotal"), _money(invoice.subtotal, cur)],
        [_("Discounts"), _money(invoice.discount_total, cur)],
        [_("Tax"), _money(invoice.tax_total, cur)],
        [_("Total"), _money(invoice.total, cur)],
        [_("Paid"), _money(invoice.amount_paid, cur)],
        [_("Balance due"), _money(invoice.balance_due, cur)],
    ]
    story.append(_table(sums, [60 * mm, 40 * mm], header=False))
    return _build(story, f"Invoice {invoice.label}")


def receipt_pdf(payment: Payment) -> bytes:
    styles = getSampleStyleSheet()
    invoice = payment.invoice
    clinic = payment.clinic
    story = _header(clinic, f"{_('Receipt')} {payment.receipt_number}", styles)
    rows = [
        [_("Received from"), invoice.patient.full_name],
        [_("For invoice"), invoice.label],
        [_("Amount"), _money(payment.amount, payment.currency)],
        [_("Method"), str(payment.get_method_display())],
        [_("Status"), str(payment.get_status_display())],
        [_("Paid at"), _local(payment.paid_at, clinic)],
    ]
    if payment.utr:
        rows.append([_("UPI reference (UTR)"), payment.utr])
    if payment.provider_payment_id:
        rows.append([_("Gateway reference"), payment.provider_payment_id])
    if payment.amount_refunded:
        rows.append([_("Refunded"), _money(payment.amount_refunded, payment.currency)])
    story.append(_table(rows, [50 * mm, 100 * mm], header=False))
    story.append(Spacer(1, 8 * mm))
    story.append(
        Paragraph(
            _("Issued %(when)s. Thank you.") % {"when": _local(timezone.now(), clinic)},
            styles["Normal"],
        )
    )
    return _build(story, f"Receipt {payment.receipt_number}")
