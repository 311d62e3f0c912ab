"""Inline SVG trend charts: geometry here, markup in ``measures/_trend.html``.

Server-rendered SVG needs no script and no chart library (static/vendor has none), and
the same numbers sit in a table beside each chart for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import ngettext

from core.l10n import format_number
from measures.instruments import LOWER_IS_BETTER
from measures.selectors import Series

WIDTH, HEIGHT = 320, 160
LEFT, RIGHT, TOP, BOTTOM = 30, 10, 10, 24


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    total: int
    session: int
    change: str
    in_range: bool
    response_id: str


@dataclass(frozen=True)
class Trend:
    series: Series
    dots: list[Dot]
    path: str
    band_y: float
    band_h: float
    cutoff_y: float
    ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, int]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM

    @property
    def band_w(self) -> int:
        return self.right_edge - self.left

    @property
    def summary(self) -> str:
        inst = self.series.instrument
        first, last = self.series.first, self.series.latest
        count = len(self.dots)
        values = {
            "instrument": inst.short_name,
            "count": count,
            "first": first.total if first else "",
            "last": last.total if last else "",
            "max": inst.max_total,
            "cutoff": format_number(inst.cutoff),
        }
        if inst.better == LOWER_IS_BETTER:
            text = ngettext(
                "%(instrument)s, %(count)s answer (lower is better): from %(first)s to "
                "%(last)s of %(max)s; cutoff %(cutoff)s.",
                "%(instrument)s, %(count)s answers (lower is better): from %(first)s to "
                "%(last)s of %(max)s; cutoff %(cutoff)s.",
                count,
            )
        else:
            text = ngettext(
                "%(instrument)s, %(count)s answer (higher is better): from %(first)s to "
                "%(last)s of %(max)s; cutoff %(cutoff)s.",
                "%(instrument)s, %(count)s answers (higher is better): from %(first)s to "
                "%(last)s of %(max)s; cutoff %(cutoff)s.",
                count,
            )
        return text % values


def trend(series: Series) -> Trend:
    inst = series.instrument
    lo, hi = inst.min_total, inst.max_total
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    sessions = max((p.session_number for p in series.points), default=1)
    span = max(sessions - 1, 1)

    def y_of(v: float) -> float:
        return round(TOP + plot_h * (1 - (v - lo) / (hi - lo)), 1)

    def x_of(n: int) -> float:
        if sessions == 1:
            return round(LEFT + plot_w / 2, 1)
        return round(LEFT + plot_w * (n - 1) / span, 1)

    dots = [
        Dot(
            x=x_of(p.session_number),
            y=y_of(p.total),
            total=p.total,
            session=p.session_number,
            change=p.change,
            in_range=p.in_range,
            response_id=p.response_id,
        )
        for p in series.points
    ]
    path = " ".join(f"{'M' if i == 0 else 'L'}{d.x},{d.y}" for i, d in enumerate(dots))
    cut = y_of(min(max(inst.cutoff, lo), hi))
    if inst.better == LOWER_IS_BETTER:  # clinical range above the cutoff line
        band_y, band_h = TOP, round(cut - TOP, 1)
    else:
        band_y, band_h = cut, round(TOP + plot_h - cut, 1)
    ticks = [(y_of(v), v) for v in sorted({lo, round((lo + hi) / 2), hi})]
    step = 1 if sessions <= 8 else 2 if sessions <= 16 else 4
    x_labels = [(x_of(n), n) for n in range(1, sessions + 1) if (n - 1) % step == 0]
    return Trend(
        series=series,
        dots=dots,
        path=path,
        band_y=band_y,
        band_h=band_h,
        cutoff_y=cut,
        ticks=ticks,
        x_labels=x_labels,
    )
