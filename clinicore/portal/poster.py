"""A clinic's printable A4 QR poster: scanning it opens registration with that clinic."""

import io

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from clinicore.portal.codes import qr_png
from clinicore.portal.links import clinic_join_url

# Built-in CJK fonts of reportlab; Latin scripts use Helvetica. Devanagari needs a font
# file the machine may lack, so the Hindi poster falls back to English text.
_CJK_FONTS = {"zh-hans": "STSong-Light", "zh-hant": "MSung-Light", "ja": "HeiseiKakuGo-W5"}


def _font_for(language: str) -> tuple[str, str]:
    if language in _CJK_FONTS:
        name = _CJK_FONTS[language]
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(name))
        return name, name
    return "Helvetica", "Helvetica-Bold"


def clinic_poster_pdf(clinic, *, language: str) -> bytes:
    if language == "hi":
        language = "en"
    url = clinic_join_url(clinic)
    with translation.override(language):
        title = _("Scan to register with us")
        steps = [
            _("1. Open your phone's camera and point it at the code."),
            _("2. Tap the link and fill in one short form."),
            _("3. Book visits, pay and see your records from your phone."),
        ]
    regular, bold = _font_for(language)
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{clinic.name} — QR")
    width, height = A4
    pdf.setFillColorRGB(0.043, 0.42, 0.796)
    pdf.rect(0, height - 45 * mm, width, 45 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(bold, 30)
    pdf.drawCentredString(width / 2, height - 25 * mm, clinic.name[:40])
    if clinic.tagline:
        pdf.setFont(regular, 14)
        pdf.drawCentredString(width / 2, height - 36 * mm, clinic.tagline[:70])
    pdf.setFillColorRGB(0.1, 0.14, 0.19)
    pdf.setFont(bold, 24)
    pdf.drawCentredString(width / 2, height - 65 * mm, title)
    side = 120 * mm
    pdf.drawImage(
        ImageReader(io.BytesIO(qr_png(url, scale=12))),
        (width - side) / 2,
        height - 70 * mm - side - 5 * mm,
        side,
        side,
    )
    pdf.setFont(regular, 13)
    y = height - 70 * mm - side - 20 * mm
    for line in steps:
        pdf.drawCentredString(width / 2, y, line)
        y -= 8 * mm
    pdf.setFont("Helvetica", 8)
    pdf.setFillColorRGB(0.35, 0.4, 0.46)
    pdf.drawCentredString(width / 2, 18 * mm, url)
    details = " · ".join(x for x in (clinic.address_line, clinic.city, clinic.phone) if x)
    if details:
        pdf.drawCentredString(width / 2, 12 * mm, details[:120])
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
