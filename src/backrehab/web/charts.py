"""Small server-side SVG charts for the progress pages: a dated line with an optional shaded
band (the MCID band around the baseline) and weekly bars. No script, no inline CSS (the pages'
Content-Security-Policy forbids both): presentation attributes only.

Input: (date, value) pairs and axis limits. Output: SVG markup as a string, escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from typing import Final

WIDTH: Final = 640
HEIGHT: Final = 220
PAD_LEFT: Final = 44
PAD_RIGHT: Final = 12
PAD_TOP: Final = 14
PAD_BOTTOM: Final = 30
LINE: Final = "#1f6f8b"
BAND: Final = "#d9eef2"
BAR: Final = "#4c9a6a"


def _scale(value: float, lo: float, hi: float, out_lo: float, out_hi: float) -> float:
    if hi == lo:
        return (out_lo + out_hi) / 2
    return out_lo + (value - lo) * (out_hi - out_lo) / (hi - lo)


def _frame(title: str, y_min: float, y_max: float, unit: str) -> list[str]:
    plot_bottom = HEIGHT - PAD_BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for k in range(5):
        value = y_min + (y_max - y_min) * k / 4
        y = _scale(value, y_min, y_max, plot_bottom, PAD_TOP)
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#e3e6ea" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#556">{value:g}</text>'
        )
    parts.append(f'<text x="4" y="{PAD_TOP - 2}" font-size="11" fill="#556">{escape(unit)}</text>')
    return parts


def _x_labels(days: Sequence[dt.date], x_of: dict[dt.date, float]) -> list[str]:
    if not days:
        return []
    step = max(1, len(days) // 6)
    return [
        f'<text x="{x_of[d]:.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11" '
        f'fill="#556">{d.strftime("%d %b")}</text>'
        for d in days[::step]
    ]


def line_chart(
    points: Sequence[tuple[dt.date, float]],
    *,
    title: str,
    unit: str = "",
    y_min: float = 0.0,
    y_max: float | None = None,
    band: tuple[float, float] | None = None,
) -> str:
    """A dated line chart; ``band`` shades a value range (e.g. baseline ± MCID)."""
    top = y_max if y_max is not None else max([v for _, v in points] + [y_min + 1.0])
    parts = _frame(title, y_min, top, unit)
    if not points:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#889">'
            "No data yet</text></svg>"
        )
        return "".join(parts)
    days = [d for d, _ in points]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    x_of = {d: _scale((d - first).days, 0, span, PAD_LEFT + 8, WIDTH - PAD_RIGHT - 8) for d in days}
    plot_bottom = HEIGHT - PAD_BOTTOM
    if band is not None:
        lo, hi = max(band[0], y_min), min(band[1], top)
        y_hi = _scale(hi, y_min, top, plot_bottom, PAD_TOP)
        y_lo = _scale(lo, y_min, top, plot_bottom, PAD_TOP)
        parts.append(
            f'<rect x="{PAD_LEFT}" y="{y_hi:.1f}" width="{WIDTH - PAD_LEFT - PAD_RIGHT}" '
            f'height="{max(y_lo - y_hi, 0):.1f}" fill="{BAND}"><title>within the MCID of the '
            "baseline</title></rect>"
        )
    coords = " ".join(
        f"{x_of[d]:.1f},{_scale(v, y_min, top, plot_bottom, PAD_TOP):.1f}" for d, v in points
    )
    parts.append(f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
    for d, v in points:
        y = _scale(v, y_min, top, plot_bottom, PAD_TOP)
        parts.append(
            f'<circle cx="{x_of[d]:.1f}" cy="{y:.1f}" r="3.5" fill="{LINE}">'
            f"<title>{d.isoformat()}: {v:g} {escape(unit)}</title></circle>"
        )
    parts.extend(_x_labels(sorted(set(days)), x_of))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    bars: Sequence[tuple[str, float | None]], *, title: str, unit: str = "", y_max: float = 1.0
) -> str:
    """Bars with labels (e.g. adherence per ISO week, 0-1); None bars are left empty."""
    parts = _frame(title, 0.0, y_max, unit)
    if not bars:
        parts.append("</svg>")
        return "".join(parts)
    plot_bottom = HEIGHT - PAD_BOTTOM
    width = (WIDTH - PAD_LEFT - PAD_RIGHT) / len(bars)
    step = max(1, len(bars) // 8)
    for k, (label, value) in enumerate(bars):
        x = PAD_LEFT + k * width
        if value is not None:
            y = _scale(min(value, y_max), 0.0, y_max, plot_bottom, PAD_TOP)
            parts.append(
                f'<rect x="{x + width * 0.15:.1f}" y="{y:.1f}" width="{width * 0.7:.1f}" '
                f'height="{plot_bottom - y:.1f}" fill="{BAR}"><title>{escape(label)}: '
                f"{value:.0%}</title></rect>"
            )
        if k % step == 0:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
                f'font-size="11" fill="#556">{escape(label[-3:])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
