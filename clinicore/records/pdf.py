"""A prescription as a printable PDF (reportlab) with the clinic's letterhead."""

import io
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clinicore.records.models import Prescription


def _escape(text) -> str:
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _local(dt, clinic) -> str:
    return formats.date_format(dt.astimezone(ZoneInfo(clinic.time_zone)), "DATETIME_FORMAT")


def _letterhead(clinic, styles) -> list:
    rows = [Paragraph(f"<b>{_escape(clinic.name)}</b>", styles["Title"])]
    address = ", ".join(
        p for p in (clinic.address_line, clinic.city, clinic.state, clinic.postal_code) if p
    )
    if address:
        rows.append(Paragraph(_escape(address), styles["Normal"]))
    contact = " · ".join(p for p in (clinic.phone, clinic.email) if p)
    if contact:
        rows.append(Paragraph(_escape(contact), styles["Normal"]))
    rows += [Spacer(1, 3 * mm), HRFlowable(width="100%", color=colors.grey), Spacer(1, 4 * mm)]
    return rows


def prescription_pdf(prescription: Prescription) -> bytes:
    clinic = prescription.clinic
    patient = prescription.patient
    prescriber = prescription.prescriber
    styles = getSampleStyleSheet()
    story = _letterhead(clinic, styles)
    story.append(
        Paragraph(
            _escape(_("Prescription %(code)s") % {"code": prescription.code}), styles["Heading2"]
        )
    )
    facts = [
        [_("Patient"), patient.full_name],
        [
            _("Date of birth"),
            formats.date_format(patient.date_of_birth) if patient.date_of_birth else "—",
        ],
        [_("Patient code"), patient.barcode],
        [_("Prescriber"), prescriber.display_name],
        [_("Issued"), _local(prescription.issued_at, clinic)],
    ]
    if prescriber.licence_number:
        facts.insert(4, [_("Licence"), prescriber.licence_number])
    table = Table(
        [[_escape(k), Paragraph(_escape(v), styles["Normal"])] for k, v in facts],
        colWidths=[40 * mm, None],
    )
    table.setStyle(
        TableStyle(
            [("TEXTCOLOR", (0, 0), (0, -1), colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    story += [table, Spacer(1, 6 * mm), Paragraph("℞", styles["Heading1"])]

    small = styles["BodyText"]
    head = [
        _("Medicine"),
        _("Strength"),
        _("Dose"),
        _("Frequency"),
        _("Duration"),
        _("Instructions"),
    ]
    lines = [[Paragraph(f"<b>{_escape(h)}</b>", small) for h in head]]
    for item in prescription.items.all():
        lines.append(
            [
                Paragraph(_escape(item.medicine), small),
                Paragraph(_escape(item.strength), small),
                Paragraph(_escape(item.dose), small),
                Paragraph(_escape(item.frequency), small),
                Paragraph(_escape(item.duration), small),
                Paragraph(_escape(item.instructions), small),
            ]
        )
    grid = Table(lines, colWidths=[40 * mm, 20 * mm, 22 * mm, 28 * mm, 22 * mm, None], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(grid)
    if prescription.advice:
        story += [
            Spacer(1, 6 * mm),
            Paragraph(f"<b>{_escape(_('Advice'))}</b>", styles["Normal"]),
            Paragraph(_escape(prescription.advice).replace("\n", "<br/>"), styles["Normal"]),
        ]
    story += [
        Spacer(1, 16 * mm),
        Paragraph(_escape(prescriber.display_name), styles["Normal"]),
        Paragraph(_escape(prescriber.specialization), styles["Normal"]),
    ]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{_('Prescription')} {prescription.code}",
        author=clinic.name,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    doc.build(story)
    return buffer.getvalue()
