"""Inline SVG charts for the clinic overview: geometry here, markup in the template.

Server-rendered SVG needs no chart library and no script, prints well, and shows
the same numbers to a screen reader through the table beside each chart.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 360, 170
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 12, 24


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float | None
    text: str

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Chart:
    kind: str  # "bars" or "line"
    marks: list[Mark]
    ticks: list[tuple[float, str]]  # y position, label
    path: str  # the polyline for "line" charts; gaps where a value is missing
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT

    @property
    def x_labels(self) -> list[Mark]:
        # Every third week, counted back from the latest, stays readable on a phone.
        last = len(self.marks) - 1
        return [m for i, m in enumerate(self.marks) if (last - i) % 3 == 0]


def _nice_max(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 4:
            return step * 4
    return value


def build(
    values: list[float | None],
    labels: list[str],
    *,
    kind: str = "bars",
    max_value: float | None = None,
    fmt: str = "{:g}",
) -> Chart:
    present = [v for v in values if v is not None]
    top = max_value if max_value is not None else _nice_max(max(present, default=0) or 1)
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(values), 1)
    marks = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        v = value or 0
        h = plot_h * min(v / top, 1) if top else 0
        x = LEFT + i * slot
        marks.append(
            Mark(
                x=round(x + slot * 0.18, 1),
                y=round(TOP + plot_h - h, 1),
                width=round(slot * 0.64, 1),
                height=round(h, 1),
                label=label,
                value=value,
                text="no data" if value is None else fmt.format(value),
            )
        )
    ticks = [(round(TOP + plot_h - plot_h * f, 1), fmt.format(top * f)) for f in (0, 0.5, 1)]
    path = ""
    if kind == "line":
        pen_up = True
        for m in marks:
            if m.value is None:
                pen_up = True
                continue
            path += f"{'M' if pen_up else 'L'}{m.cx},{m.y} "
            pen_up = False
    return Chart(kind=kind, marks=marks, ticks=ticks, path=path.strip())
