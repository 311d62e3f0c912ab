"""Trends: each partner's answers per instrument as a series, with reliable change."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from accounts.models import User
from measures import instruments
from measures.instruments import Instrument
from measures.models import MeasureResponse, Moment
from measures.selectors.access import audited


@dataclass(frozen=True)
class Point:
    response_id: str
    session_number: int
    moment: str
    total: int
    version: int
    answered_at: datetime
    change: str  # against the first answer: improved / deteriorated / no_change
    in_range: bool


@dataclass
class Series:
    instrument: Instrument
    user: User
    points: list[Point]

    @property
    def first(self) -> Point | None:
        return self.points[0] if self.points else None

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def change(self) -> str:
        latest = self.latest
        return latest.change if latest is not None and len(self.points) > 1 else "no_change"

    @property
    def measurable(self) -> bool:
        return len(self.points) > 1

    def reading(self, *, own: bool = True) -> str:
        """Plain words for a partner (``own``) or the therapist."""
        inst, first, last = self.instrument, self.first, self.latest
        if first is None or last is None:
            return ""
        whose = "your" if own else "the"
        name = (
            inst.short_name
            if any(c.isdigit() for c in inst.short_name)
            else inst.short_name.lower()
        )
        if len(self.points) == 1:
            return (
                f"This is {whose} starting point: {last.total} of {inst.max_total} "
                f"({inst.band(last.total).lower()})."
            )
        what = f"{whose.capitalize()} {name} score"
        span = f"({first.total} → {last.total} of {inst.max_total})"
        if self.change == "improved":
            return f"{what} has improved by more than chance since the start {span}."
        if self.change == "deteriorated":
            tail = " Your therapist sees this too and can talk it through with you." if own else ""
            return f"{what} has got worse by more than chance since the start {span}.{tail}"
        return f"{what} has not changed by more than chance since the start {span}."


def _series(user: User, slug: str, rows: list[MeasureResponse]) -> Series | None:
    points: list[Point] = []
    base: tuple[Instrument, int] | None = None
    for r in sorted(
        rows, key=lambda r: (r.session_number, r.moment == Moment.AFTER, r.answered_at)
    ):
        inst, total = r.definition, r.total
        if inst is None or total is None:
            continue
        if base is None:
            base = (inst, total)
        points.append(
            Point(
                response_id=str(r.pk),
                session_number=r.session_number,
                moment=r.moment,
                total=total,
                version=r.version,
                answered_at=r.answered_at,
                change=inst.change(base[1], total),
                in_range=inst.in_clinical_range(total),
            )
        )
    if not points or base is None:
        return None
    return Series(instrument=instruments.CURRENT.get(slug) or base[0], user=user, points=points)


def series_by_partner(rows: list[MeasureResponse], people: list[User]) -> dict[int, list[Series]]:
    """``{user id: [Series per instrument, in form order]}`` for the given people only."""
    by_user: dict[int, dict[str, list[MeasureResponse]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by_user[r.user_id][r.instrument].append(r)
    out: dict[int, list[Series]] = {}
    for person in people:
        found = []
        for slug in instruments.CURRENT:
            s = _series(person, slug, by_user[person.pk].get(slug, []))
            if s is not None:
                found.append(s)
        out[person.pk] = found
    return out


def own_answers(user: User) -> list[MeasureResponse]:
    """Every answer a partner gave (their own only)."""
    return audited(user, list(MeasureResponse.objects.filter(user=user)))


def own_series(user: User) -> list[Series]:
    """Everything a partner answered, wherever (a partner who left keeps their history)."""
    return series_by_partner(own_answers(user), [user])[user.pk]


def series_for(series: list[Series], slug: str) -> Series | None:
    return next((s for s in series if s.instrument.slug == slug), None)
