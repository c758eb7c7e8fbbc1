"""Charts drawn on the server: one helper for every page (dashboards, rewards, marketplace, billing).

A view builds a ``Chart`` from labelled values with ``bar_chart`` (months along the bottom) or
``bar_chart(horizontal=True)`` (categories down the side); the template includes
``core/_chart.html``, which draws inline SVG (no script, so nothing for a content security
policy to refuse) and the same figures as a table for screen readers and for copying. The
geometry is computed here so the template only places shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Number = int | Decimal

WIDTH = 480  # SVG user units of a chart of months; the drawing scales to its container
H_WIDTH = 440  # of a chart of categories
PLOT_HEIGHT = 160
LABEL_BAND = 28
ROW = 26


@dataclass(frozen=True)
class Bar:
    label: str
    value: Number
    display: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]
    horizontal: bool
    width: int
    height: int
    value_heading: str = ""
    label_heading: str = ""
    summary: str = ""
    show_values: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def baseline(self) -> int:
        return PLOT_HEIGHT

    @property
    def empty(self) -> bool:
        return not any(b.value for b in self.bars)


def _scale(values: Sequence[Number]) -> Number:
    top = max((v for v in values), default=0)
    return top if top > 0 else 1


def bar_chart(
    *,
    key: str,
    title: str,
    points: Sequence[tuple[str, Number]],
    fmt: Callable[[Number], str] = str,
    horizontal: bool = False,
    label_heading: str = "",
    value_heading: str = "",
    summary: str = "",
) -> Chart:
    """A bar chart of ``points`` ((label, value) pairs, values not negative) and its table."""
    values = [v for _, v in points]
    top = _scale(values)
    bars: list[Bar] = []
    if horizontal:
        label_w, gap = 180.0, 6.0
        span = H_WIDTH - label_w - 70
        for i, (label, value) in enumerate(points):
            w = float(value) / float(top) * span
            y = i * ROW + 3
            w = max(w, 1.0 if value else 0)
            mid = y + (ROW - gap) / 2 + 5
            bars.append(Bar(label=label, value=value, display=fmt(value), x=label_w, y=y, width=w,
                            height=ROW - gap, label_x=label_w - 8, label_y=mid, value_x=label_w + w + 6,
                            value_y=mid))  # fmt: skip
        height = max(len(points), 1) * ROW + 6
    else:
        n = max(len(points), 1)
        pad = 18.0  # room for the first and last labels, centred under their bars
        slot = (WIDTH - 2 * pad) / n
        bw = slot * 0.66
        for i, (label, value) in enumerate(points):
            h = float(value) / float(top) * (PLOT_HEIGHT - 18)
            x = pad + i * slot + (slot - bw) / 2
            y = PLOT_HEIGHT - h
            bars.append(Bar(label=label, value=value, display=fmt(value), x=x, y=y, width=bw,
                            height=max(h, 1.0 if value else 0), label_x=x + bw / 2, label_y=PLOT_HEIGHT + 18,
                            value_x=x + bw / 2, value_y=y - 4))  # fmt: skip
        height = PLOT_HEIGHT + LABEL_BAND
    width = H_WIDTH if horizontal else WIDTH
    return Chart(key=key, title=title, bars=bars, horizontal=horizontal, width=width, height=int(height),
                 label_heading=label_heading, value_heading=value_heading, summary=summary,
                 show_values=horizontal or len(points) <= 6)  # fmt: skip
