"""The clinic overview's charts as data for Chart.js (vendored, static/vendor/chart.js).

The server decides what is drawn (weeks, values, unit, scale); the browser draws it with
tooltips and readable axes (static/js/overview_charts.js). The same numbers are in a
table beside each chart, for screen readers and for anyone who wants the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from core.l10n import format_local

UNITS = ("count", "percent", "rating")


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" or "line"
    unit: str  # "count", "percent" or "rating"
    weeks: list[date]  # each week's first day, in the clinic's time zone
    values: list[float | None]  # None: no data that week (a gap, not a zero)
    max_value: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("bar", "line") or self.unit not in UNITS:
            raise ValueError(f"unknown chart kind/unit: {self.kind}/{self.unit}")
        if len(self.weeks) != len(self.values):
            raise ValueError("one value per week")

    def text(self, value: float | None) -> str:
        if value is None:
            return _("no data")
        shown = f"{value:g}"
        return _("%(value)s%%") % {"value": shown} if self.unit == "percent" else shown

    @property
    def rows(self) -> list[tuple[str, str]]:
        """(week label, value) for the table beside the chart."""
        return [
            (format_local(w, "j M"), self.text(v))
            for w, v in zip(self.weeks, self.values, strict=True)
        ]

    @property
    def summary(self) -> str:
        """One sentence for the canvas's accessible name: the latest week and the range."""
        present = [v for v in self.values if v is not None]
        if not present:
            return _("no data in these weeks")
        return _("latest week %(latest)s; lowest %(lowest)s, highest %(highest)s") % {
            "latest": self.text(self.values[-1]),
            "lowest": self.text(min(present)),
            "highest": self.text(max(present)),
        }

    def spec(self, *, title: str) -> dict:
        """What overview_charts.js needs, JSON-safe."""
        return {
            "title": title,
            "kind": self.kind,
            "unit": self.unit,
            "weeks": [w.isoformat() for w in self.weeks],
            "values": self.values,
            "max": self.max_value,
        }


def build(
    values: list[float | None],
    weeks: list[date],
    *,
    kind: str = "bar",
    unit: str = "count",
    max_value: float | None = None,
) -> Chart:
    return Chart(kind=kind, unit=unit, weeks=list(weeks), values=list(values), max_value=max_value)
