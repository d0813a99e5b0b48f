"""Charts drawn on the server as small, accessible SVG: no charting library in the browser."""

from decimal import Decimal
from html import escape

WIDTH = 640
BAR_HEIGHT = 22
PALETTE = ("#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#0a7b83")


def _num(value) -> Decimal:
    return Decimal(str(value or 0))


def _fmt(value) -> str:
    value = _num(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def bar_chart(title: str, points: list[tuple[str, object]], *, chart_id: str) -> str:
    """Vertical bars over time (label, value); labels thinned out when there are many."""
    height, top, bottom, left = 220, 16, 40, 48
    plot_w, plot_h = WIDTH - left - 8, height - top - bottom
    peak = max((_num(v) for _, v in points), default=Decimal(0)) or Decimal(1)
    n = max(len(points), 1)
    step = Decimal(plot_w) / n
    bar_w = max(step * Decimal("0.7"), Decimal(1))
    every = max(1, -(-n // 7))  # at most 7 labels
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 8}" y2="{top + plot_h}" class="chart-axis"/>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" class="chart-label">{_fmt(peak)}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" class="chart-label">0</text>',
    ]
    for i, (label, value) in enumerate(points):
        h = (_num(value) / peak) * plot_h
        x = left + step * i + (step - bar_w) / 2
        y = top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(str(label))}: {_fmt(value)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'class="chart-label">{escape(str(label))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(title: str, points: list[tuple[str, object]], *, chart_id: str) -> str:
    """Horizontal bars for categories (status, service, practitioner, method)."""
    label_w, value_w = 180, 80
    plot_w = WIDTH - label_w - value_w
    height = max(len(points), 1) * (BAR_HEIGHT + 6) + 8
    peak = max((_num(v) for _, v in points), default=Decimal(0)) or Decimal(1)
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for i, (label, value) in enumerate(points):
        y = 4 + i * (BAR_HEIGHT + 6)
        w = (_num(value) / peak) * plot_w
        text = str(label)
        short = text if len(text) <= 26 else text[:25] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="chart-label">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(w, Decimal(1)):.1f}" height="{BAR_HEIGHT}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(text)}: {_fmt(value)}</title></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" class="chart-label">{_fmt(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
