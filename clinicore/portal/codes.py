"""The patient card's scannable codes as inline SVG (no style attributes, so the CSP holds)."""

import barcode
import segno
from django.utils.html import escape
from django.utils.safestring import mark_safe


def barcode_svg(value: str, *, label: str = "") -> str:
    """Code 128 drawn from python-barcode's module pattern; scales to any width crisply."""
    modules = barcode.get("code128", value).build()[0]
    quiet = 10
    width = len(modules) + 2 * quiet
    rects = []
    x = 0
    while x < len(modules):
        if modules[x] == "1":
            run = 1
            while x + run < len(modules) and modules[x + run] == "1":
                run += 1
            rects.append(f'<rect x="{x + quiet}" y="0" width="{run}" height="50"/>')
            x += run
        else:
            x += 1
    title = escape(label or value)
    return mark_safe(  # noqa: S308 - built from digits and escaped text only
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 50" '
        f'preserveAspectRatio="none" role="img" aria-label="{title}" class="code-bars">'
        f'<rect width="{width}" height="50" fill="#fff"/><g fill="#000">{"".join(rects)}</g></svg>'
    )


def qr_svg(value: str, *, label: str = "") -> str:
    qr = segno.make(value, error="m")
    svg = qr.svg_inline(scale=1, omitsize=True, dark="#000", light="#fff", svgclass="code-qr")
    title = escape(label or value)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)
    return mark_safe(svg)  # noqa: S308 - segno output plus an escaped label


def qr_png(value: str, *, scale: int = 10) -> bytes:
    import io

    out = io.BytesIO()
    segno.make(value, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
