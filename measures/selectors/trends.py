"""Trends: each partner's answers per instrument as a series, with reliable change."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

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
        if len(self.points) == 1:
            start = {
                "total": last.total,
                "max": inst.max_total,
                "band": inst.band(last.total).lower(),
            }
            if own:
                # Translators: band is a score band in lower case ("mild", "good fit").
                return _("This is your starting point: %(total)s of %(max)s (%(band)s).") % start
            return _("This is the starting point: %(total)s of %(max)s (%(band)s).") % start
        name = (
            inst.short_name
            if any(c.isdigit() for c in inst.short_name)
            else inst.short_name.lower()
        )
        values = {
            "instrument": name,
            "first": first.total,
            "last": last.total,
            "max": inst.max_total,
        }
        if self.change == "improved":
            if own:
                # Translators: instrument is a questionnaire's short name in lower case unless it is
                # a code ("wellbeing", "PHQ-9"); the arrow reads "from first to last".
                text = _(
                    "Your %(instrument)s score has improved by more than chance since the start "
                    "(%(first)s → %(last)s of %(max)s)."
                )
            else:
                text = _(
                    "The %(instrument)s score has improved by more than chance since the start "
                    "(%(first)s → %(last)s of %(max)s)."
                )
        elif self.change == "deteriorated":
            if own:
                text = _(
                    "Your %(instrument)s score has got worse by more than chance since the "
                    "start (%(first)s → %(last)s of %(max)s). Your therapist sees this too and "
                    "can talk it through with you."
                )
            else:
                text = _(
                    "The %(instrument)s score has got worse by more than chance since the "
                    "start (%(first)s → %(last)s of %(max)s)."
                )
        elif own:
            text = _(
                "Your %(instrument)s score has not changed by more than chance since the start "
                "(%(first)s → %(last)s of %(max)s)."
            )
        else:
            text = _(
                "The %(instrument)s score has not changed by more than chance since the start "
                "(%(first)s → %(last)s of %(max)s)."
            )
        return text % values


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
