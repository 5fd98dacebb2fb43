"""Charts as inline SVG, drawn on the server: no script, no CDN, nothing to download, so they
work offline, print, and obey the console's Content-Security-Policy. Every label is escaped;
each bar carries a <title> (the browser's own tooltip) with its exact figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
FONT = 'font-family="system-ui, sans-serif" font-size="11"'


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[int, ...]  # one per column
    color: str


def _tick_step(value: int, ticks: int) -> int:
    """The smallest round step (1, 2, 5 x 10^n) whose `ticks` steps reach `value`: whole-number
    gridlines at round values."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step * ticks >= value:
                return m * step
        step *= 10


def _svg(width: int, height: int, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(body)
        + "</svg>"
    )


def stacked_columns(columns: list[date], series: list[Series], label: str) -> Markup:
    """Columns (weeks) stacked by series (sectors), with a y axis and a legend below."""
    width, top, left, bottom, plot_h = 760, 10, 34, 40, 200
    legend_rows = (len(series) + 3) // 4
    height = top + plot_h + bottom + 18 * legend_rows
    totals = [sum(s.values[i] for s in series) for i in range(len(columns))]
    top_total = max(totals, default=0)
    ticks = min(4, max(top_total, 1))  # a tallest column of 1 gets one gridline, not four
    ymax = ticks * _tick_step(top_total, ticks)
    plot_w = width - left - 10
    slot = plot_w / max(len(columns), 1)
    bar_w = max(slot * 0.7, 1.0)
    body = []
    for tick in range(ticks + 1):
        value = ymax * tick // ticks
        y = top + plot_h - plot_h * tick / ticks
        body.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" {FONT}>{value:g}</text>'
        )
    for i, column in enumerate(columns):
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h
        for s in series:
            value = s.values[i]
            if not value:
                continue
            h = plot_h * value / ymax
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{s.color}"><title>{escape(s.label)}, week of {column.isoformat()}: '
                f"{value}</title></rect>"
            )
        if len(columns) <= 16 or i % max(len(columns) // 12, 1) == 0:
            body.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                f"{FONT}>{column.strftime('%m-%d')}</text>"
            )
    for n, s in enumerate(series):
        lx = left + (n % 4) * (plot_w / 4)
        ly = top + plot_h + 30 + 18 * (n // 4)
        body.append(
            f'<rect x="{lx:.1f}" y="{ly}" width="10" height="10" fill="{s.color}"/>'
            f'<text x="{lx + 14:.1f}" y="{ly + 9}" {FONT}>{escape(s.label)}</text>'
        )
    return _svg(width, height, body, label)


def horizontal_bars(rows: list[tuple[str, int, str]], label: str) -> Markup:
    """One bar per row: (label, value, tooltip)."""
    width, left, row_h = 760, 190, 20
    height = max(len(rows), 1) * row_h + 10
    vmax = max((v for _, v, _ in rows), default=0) or 1
    plot_w = width - left - 60
    body = []
    for i, (name, value, tip) in enumerate(rows):
        y = 5 + i * row_h
        w = plot_w * value / vmax
        body.append(
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" {FONT}>{escape(name[:32])}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row_h - 6}" '
            f'fill="{PALETTE[0]}"><title>{escape(tip)}</title></rect>'
            f'<text x="{left + w + 4:.1f}" y="{y + 13}" {FONT}>{value}</text>'
        )
    return _svg(width, height, body, label)


def sparkline(days: list[date], values: list[int], label: str) -> Markup:
    """A small line of one source's daily figure, its maximum noted at the right."""
    width, height, pad, legend = 250, 44, 3, 64
    vmax = max(values, default=0) or 1
    step = (width - 2 * pad - legend) / max(len(values) - 1, 1)
    points = " ".join(
        f"{pad + i * step:.1f},{height - pad - (height - 2 * pad) * v / vmax:.1f}"
        for i, v in enumerate(values)
    )
    tip = f"{label}: " + ", ".join(
        f"{d.strftime('%m-%d')} {v}" for d, v in zip(days, values, strict=True) if v
    )
    body = [
        f'<line x1="{pad}" x2="{width - legend}" y1="{height - pad}" y2="{height - pad}" '
        'stroke="#ccc"/>',
        f'<polyline points="{points}" fill="none" stroke="{PALETTE[0]}" stroke-width="1.5">'
        f"<title>{escape(tip)}</title></polyline>",
        f'<text x="{width - legend + 6}" y="14" {FONT}>max {max(values, default=0)}</text>',
    ]
    return _svg(width, height, body, label)


@dataclass(frozen=True)
class Close:
    """One point of a price chart: a day's close, provisional while the session runs."""

    day: date
    close: float
    final: bool = True


def closes_chart(points: list[Close], mark: date, label: str) -> Markup:
    """A contract's daily closes as a line, the report marked by a dashed line at the last
    close before it (the reference of the moves); provisional closes are hollow dots."""
    width, height, left, right, top, bottom = 760, 200, 64, 26, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    closes = [p.close for p in points]
    low, high = min(closes, default=0.0), max(closes, default=1.0)
    pad = (high - low) * 0.08 or max(abs(high) * 0.01, 1.0)
    low, high = low - pad, high + pad
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return left + i * step

    def y(value: float) -> float:
        return top + plot_h - plot_h * (value - low) / (high - low)

    body = []
    for tick in range(5):
        value = low + (high - low) * tick / 4
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#eee"/><text x="{left - 4}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f"{FONT}>{value:,.0f}</text>"
        )
    at = next((i for i, p in enumerate(points) if p.day >= mark), None)
    if at is not None:
        mx = x(at) if points[at].day == mark else x(at) - step / 2
        body.append(
            f'<line class="report" x1="{mx:.1f}" x2="{mx:.1f}" y1="{top}" y2="{top + plot_h}" '
            f'stroke="{PALETTE[2]}" stroke-dasharray="4 3"><title>last close before the '
            f"report: {mark.isoformat()}</title></line>"
            f'<text x="{mx + 4:.1f}" y="{top + 10}" fill="{PALETTE[2]}" {FONT}>report</text>'
        )
    line = " ".join(f"{x(i):.1f},{y(p.close):.1f}" for i, p in enumerate(points))
    body.append(f'<polyline points="{line}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    for i, p in enumerate(points):
        fill = PALETTE[0] if p.final else "#fff"
        state = "" if p.final else " (session so far)"
        body.append(
            f'<circle cx="{x(i):.1f}" cy="{y(p.close):.1f}" r="3" fill="{fill}" '
            f'stroke="{PALETTE[0]}"><title>{p.day.isoformat()} close {p.close:,.2f}{state}'
            "</title></circle>"
        )
        if i in (0, len(points) - 1) or p.day == mark or len(points) <= 12 or i % 5 == 0:
            body.append(
                f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="middle" {FONT}>'
                f"{p.day.strftime('%m-%d')}</text>"
            )
    return _svg(width, height, body, label)
