"""The slot engine: pure functions over UTC intervals. No database, no ``now()``.

Wall-clock rules ("Mon 09:00-17:00 in Europe/Warsaw") become sets of UTC instants
exactly: an instant belongs to a rule when its local wall-clock time, in the rule's
zone, lies inside the rule's range on that local date. Around DST changes that set
is computed per UTC-offset segment, so a spring-forward gap contributes nothing and
a fall-back fold contributes both of its real hours.

Slot starts are wall-clock grid points (range start + k * step) in the therapist's
zone: a grid point that does not exist (gap) is skipped; an ambiguous one (fold) is
taken once, at its first occurrence. A slot's end is its start plus the session's
true elapsed length, and the whole slot must fit inside every party's availability.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]  # half-open [start, end), aware UTC
Range = tuple[time, time]  # wall-clock [start, end) within one local day

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WeeklySchedule:
    """Someone's wall-clock availability: weekly ranges, per-date overrides, days off.

    ``weekly[weekday]`` (Monday = 0) lists ranges; ``overrides[date]`` replaces that
    date's ranges (an empty list = unavailable that day); ``days_off`` are dates with
    nothing at all. ``always_free`` (a partner who set no windows) matches every instant.
    """

    zone: str
    weekly: Mapping[int, Sequence[Range]] = field(default_factory=dict)
    overrides: Mapping[date, Sequence[Range]] = field(default_factory=dict)
    days_off: frozenset[date] = frozenset()
    always_free: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def ranges_on(self, day: date) -> Sequence[Range]:
        if day in self.days_off:
            return ()
        if day in self.overrides:
            return self.overrides[day]
        return self.weekly.get(day.weekday(), ())


@dataclass(frozen=True)
class SlotRules:
    length: timedelta
    step: timedelta = timedelta(minutes=30)
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    notice: timedelta = timedelta(hours=12)
    horizon: timedelta | None = timedelta(days=60)


@dataclass(frozen=True)
class Busy:
    """An existing commitment. ``blocked_*`` include that booking's own buffers."""

    start: datetime
    end: datetime
    blocked_start: datetime | None = None
    blocked_end: datetime | None = None


# --- wall clock <-> UTC ---------------------------------------------------------------


def exists(naive: datetime, tz: ZoneInfo) -> bool:
    """False for a wall-clock time inside a spring-forward gap."""
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def local_to_utc(naive: datetime, tz: ZoneInfo) -> datetime | None:
    """The first real instant showing ``naive`` on the wall clock, or None in a gap."""
    if not exists(naive, tz):
        return None
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _offset(naive: datetime, tz: ZoneInfo, fold: int) -> timedelta:
    return naive.replace(tzinfo=tz, fold=fold).utcoffset()  # type: ignore[return-value]


def _transition_between(lo: datetime, hi: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant (to the second) where the offset changes between ``lo`` and ``hi``."""
    before = lo.astimezone(tz).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi


def _wall_bounds(day: date, rng: Range) -> tuple[datetime, datetime]:
    """The naive local start and end of ``rng`` on ``day`` (an end at or before the
    start is on the next day)."""
    a = datetime.combine(day, rng[0])
    b = (
        datetime.combine(day, rng[1])
        if rng[1] > rng[0]
        else datetime.combine(day + ONE_DAY, rng[1])
    )
    return a, b


@lru_cache(maxsize=1 << 14)
def _fixed_utc(day: date, rng: Range, tz: ZoneInfo) -> Interval | None:
    """``rng`` on ``day`` in UTC when one offset covers it (no DST change), else None.

    Remembered: the same weekly ranges come back on every recomputation of a schedule.
    """
    a, b = _wall_bounds(day, rng)
    offsets = {_offset(a, tz, 0), _offset(a, tz, 1), _offset(b, tz, 0), _offset(b, tz, 1)}
    if len(offsets) != 1:
        return None
    (off,) = offsets
    return (a - off).replace(tzinfo=UTC), (b - off).replace(tzinfo=UTC)


def wall_range_to_utc(day: date, rng: Range, tz: ZoneInfo) -> list[Interval]:
    """UTC instants whose wall-clock time on ``day`` lies in ``[start, end)``.

    Usually one interval; around a DST change the range is split per offset, so a
    gap adds nothing and a fold's repeated hour is covered twice (two intervals).
    """
    fixed = _fixed_utc(day, rng, tz)
    if fixed is not None:
        return [fixed]
    a, b = _wall_bounds(day, rng)
    offsets = {_offset(a, tz, 0), _offset(a, tz, 1), _offset(b, tz, 0), _offset(b, tz, 1)}
    lo = (a - max(offsets)).replace(tzinfo=UTC) - ONE_DAY / 24
    hi = (b - min(offsets)).replace(tzinfo=UTC) + ONE_DAY / 24
    t = _transition_between(lo, hi, tz)
    off_before = (t - timedelta(seconds=1)).astimezone(tz).utcoffset()
    off_after = t.astimezone(tz).utcoffset()
    out: list[Interval] = []
    s1, e1 = (a - off_before).replace(tzinfo=UTC), min((b - off_before).replace(tzinfo=UTC), t)
    if s1 < e1:
        out.append((s1, e1))
    s2, e2 = max((a - off_after).replace(tzinfo=UTC), t), (b - off_after).replace(tzinfo=UTC)
    if s2 < e2:
        out.append((s2, e2))
    return out


# --- interval algebra ---------------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for s, e in sorted(intervals):
        if s >= e:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two merged, sorted interval lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        s = max(a[i][0], b[j][0])
        e = min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """``a`` minus ``b``; both merged and sorted."""
    out: list[Interval] = []
    j = 0
    for s, e in a:
        cur = s
        while j < len(b) and b[j][1] <= cur:
            j += 1
        k = j
        while k < len(b) and b[k][0] < e:
            if b[k][0] > cur:
                out.append((cur, b[k][0]))
            cur = max(cur, b[k][1])
            if cur >= e:
                break
            k += 1
        if cur < e:
            out.append((cur, e))
    return out


def schedule_intervals(schedule: WeeklySchedule, start: datetime, end: datetime) -> list[Interval]:
    """Merged UTC intervals of a schedule, covering at least ``[start, end)``."""
    if schedule.always_free:
        return [(start - ONE_DAY, end + ONE_DAY)]
    tz = schedule.tz
    day = start.astimezone(tz).date() - ONE_DAY
    last = end.astimezone(tz).date() + ONE_DAY
    raw: list[Interval] = []
    while day <= last:
        for rng in schedule.ranges_on(day):
            raw.extend(wall_range_to_utc(day, rng, tz))
        day += ONE_DAY
    return merge(raw)


# --- slots -------------------------------------------------------------------------------


def _grid_ranges(schedule: WeeklySchedule, start: datetime, end: datetime, step: timedelta):
    """The therapist's ranges near ``[start, end)``, for placing wall-clock grid points.

    Yields ``("fixed", first_utc, stop_utc)`` for a range with one UTC offset (the usual
    case: its grid is first + k * step), or ``("point", utc, None)`` for each existing
    grid point of a range that contains a DST change (gap points are skipped; fold
    points are taken once, at their first occurrence).
    """
    tz = schedule.tz
    day = start.astimezone(tz).date() - ONE_DAY
    last = end.astimezone(tz).date()
    while day <= last:
        for rng in schedule.ranges_on(day):
            fixed = _fixed_utc(day, rng, tz)
            if fixed is not None:
                yield "fixed", fixed[0], fixed[1]
                continue
            local, stop = _wall_bounds(day, rng)
            while local < stop:
                utc = local_to_utc(local, tz)
                if utc is not None:
                    yield "point", utc, None
                local += step
        day += ONE_DAY


def _fits(free: Sequence[Interval], starts: list[datetime], s: datetime, e: datetime) -> bool:
    i = bisect_right(starts, s) - 1
    return i >= 0 and free[i][0] <= s and e <= free[i][1]


def free_intervals(
    *,
    therapist: WeeklySchedule,
    partners: Sequence[WeeklySchedule],
    therapist_busy: Sequence[Busy],
    couple_busy: Sequence[Busy],
    rules: SlotRules,
    start: datetime,
    end: datetime,
    blocked: Sequence[Interval] = (),
) -> list[Interval]:
    """Where a new session of ``rules`` could sit: every party free, buffers respected.

    ``blocked``: time already known to be taken, buffers included (merged or not).
    """
    span_end = end + rules.length
    free = schedule_intervals(therapist, start, span_end)
    for partner in partners:
        if not partner.always_free:
            free = intersect(free, schedule_intervals(partner, start, span_end))
    taken = [
        (
            (b.blocked_start or b.start) - rules.buffer_after,
            (b.blocked_end or b.end) + rules.buffer_before,
        )
        for b in therapist_busy
    ]
    taken.extend((b.start, b.end) for b in couple_busy)
    taken.extend(blocked)
    return subtract(free, merge(taken))


def compute_slots(
    *,
    therapist: WeeklySchedule,
    partners: Sequence[WeeklySchedule],
    therapist_busy: Sequence[Busy],
    couple_busy: Sequence[Busy],
    rules: SlotRules,
    start: datetime,
    end: datetime,
    now: datetime,
    blocked: Sequence[Interval] = (),
) -> list[Interval]:
    """Bookable ``(start, end)`` pairs, in UTC, whose start lies in ``[start, end)``.

    ``blocked``: taken time with buffers applied, besides the two busy lists.

    Earliest = max(range start, now + notice) rounded up to the therapist's wall-clock
    grid; latest start before now + horizon; each slot ends inside the working range.
    """
    earliest = max(start, now + rules.notice)
    latest = end if rules.horizon is None else min(end, now + rules.horizon)
    if earliest >= latest:
        return []
    free = free_intervals(
        therapist=therapist,
        partners=partners,
        therapist_busy=therapist_busy,
        couple_busy=couple_busy,
        rules=rules,
        start=earliest,
        end=latest,
        blocked=blocked,
    )
    starts = [s for s, _ in free]
    length, step = rules.length, rules.step
    found: set[datetime] = set()
    for kind, first, stop in _grid_ranges(therapist, earliest, latest, step):
        if kind == "point":
            if earliest <= first < latest and _fits(free, starts, first, first + length):
                found.add(first)
            continue
        # Fixed offset: walk only the free intervals overlapping this range.
        lo_bound = max(first, earliest)
        j = max(bisect_right(starts, lo_bound) - 1, 0)
        while j < len(free) and free[j][0] < stop and free[j][0] < latest:
            lo = max(free[j][0], lo_bound)
            last_start = min(free[j][1], stop) - length
            k = -((first - lo) // step)  # ceil: first grid point at or after lo
            s = first + step * k
            while s <= last_start and s < latest:
                found.add(s)
                s += step
            j += 1
    return [(s, s + length) for s in sorted(found)]


def nearest(slots: Sequence[Interval], target: datetime, count: int = 3) -> list[Interval]:
    """The ``count`` slots closest in time to ``target``, in time order."""
    return sorted(sorted(slots, key=lambda s: abs(s[0] - target))[:count])
