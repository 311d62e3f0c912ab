"""The slot engine: DST semantics pinned by examples, then properties over many zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.slots import (
    Busy,
    SlotRules,
    WeeklySchedule,
    compute_slots,
    free_intervals,
    local_to_utc,
    wall_range_to_utc,
)

LA = ZoneInfo("America/Los_Angeles")
EVERY_DAY = {d: [(time(0), time(23, 59))] for d in range(7)}
NO_NOTICE = {"notice": timedelta(0), "horizon": None}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def slots_on(day: date, schedule: WeeklySchedule, rules: SlotRules, **kw) -> list:
    tz = schedule.tz
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return compute_slots(
        therapist=schedule,
        partners=kw.get("partners", []),
        therapist_busy=kw.get("therapist_busy", []),
        couple_busy=kw.get("couple_busy", []),
        rules=rules,
        start=start,
        end=end,
        now=kw.get("now", start - timedelta(days=1)),
    )


def test_spring_forward_gap_offers_no_slot_and_keeps_true_length():
    # 2026-03-08: Los Angeles jumps from 02:00 to 03:00.
    therapist = WeeklySchedule("America/Los_Angeles", {6: [(time(0), time(6))]})
    rules = SlotRules(length=timedelta(minutes=60), **NO_NOTICE)
    slots = slots_on(date(2026, 3, 8), therapist, rules)
    local_starts = [s.astimezone(LA).strftime("%H:%M") for s, _ in slots]
    assert "02:00" not in local_starts and "02:30" not in local_starts
    assert local_starts[:4] == ["00:00", "00:30", "01:00", "01:30"]
    for s, e in slots:
        assert e - s == timedelta(minutes=60)  # true elapsed length
    # 01:30 PST + 60 min = 03:30 PDT on the wall clock
    assert dict(slots)[local_to_utc(datetime(2026, 3, 8, 1, 30), LA)].astimezone(LA).hour == 3
    # last slot ends inside the range (06:00 PDT)
    assert slots[-1][1] <= datetime(2026, 3, 8, 6, 0, tzinfo=LA)


def test_fall_back_fold_offers_no_duplicate():
    # 2026-11-01: Los Angeles repeats 01:00-02:00.
    therapist = WeeklySchedule("America/Los_Angeles", {6: [(time(0), time(4))]})
    rules = SlotRules(length=timedelta(minutes=30), **NO_NOTICE)
    slots = slots_on(date(2026, 11, 1), therapist, rules)
    labels = [s.astimezone(LA).strftime("%H:%M") for s, _ in slots]
    assert len(labels) == len(set(labels))
    assert labels == ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30"]


def test_range_crossing_fold_has_its_true_length():
    intervals = wall_range_to_utc(date(2026, 11, 1), (time(0), time(4)), LA)
    assert sum((e - s for s, e in intervals), timedelta()) == timedelta(hours=5)
    gap = wall_range_to_utc(date(2026, 3, 8), (time(0), time(4)), LA)
    assert sum((e - s for s, e in gap), timedelta()) == timedelta(hours=3)


def test_wall_clock_hours_stay_fixed_across_dst():
    therapist = WeeklySchedule("Europe/Warsaw", {d: [(time(9), time(17))] for d in range(7)})
    rules = SlotRules(length=timedelta(minutes=50), step=timedelta(minutes=60), **NO_NOTICE)
    warsaw = ZoneInfo("Europe/Warsaw")
    for day in (date(2026, 3, 27), date(2026, 3, 30)):  # before and after the change
        slots = slots_on(day, therapist, rules)
        assert slots[0][0].astimezone(warsaw).strftime("%H:%M") == "09:00"
        assert slots[-1][0].astimezone(warsaw).strftime("%H:%M") == "16:00"


def test_earliest_is_now_plus_notice_aligned_to_step_in_therapist_zone():
    kolkata = ZoneInfo("Asia/Kolkata")  # +05:30: the grid is local, not UTC
    therapist = WeeklySchedule("Asia/Kolkata", {d: [(time(9), time(17))] for d in range(7)})
    rules = SlotRules(
        length=timedelta(minutes=50), step=timedelta(minutes=30), notice=timedelta(hours=2)
    )
    now = datetime(2026, 5, 4, 10, 7, tzinfo=kolkata).astimezone(UTC)
    slots = compute_slots(
        therapist=therapist,
        partners=[],
        therapist_busy=[],
        couple_busy=[],
        rules=rules,
        start=now,
        end=now + timedelta(days=1),
        now=now,
    )
    assert slots[0][0].astimezone(kolkata).strftime("%H:%M") == "12:30"
    # last slot of the day ends inside the range: 16:00 + 50 min <= 17:00
    same_day = [s for s, _ in slots if s.astimezone(kolkata).date() == date(2026, 5, 4)]
    assert same_day[-1].astimezone(kolkata).strftime("%H:%M") == "16:00"


def test_both_buffers_apply():
    therapist = WeeklySchedule("UTC", {0: [(time(8), time(18))]})
    rules = SlotRules(
        length=timedelta(minutes=60),
        step=timedelta(minutes=30),
        buffer_before=timedelta(minutes=15),
        buffer_after=timedelta(minutes=15),
        **NO_NOTICE,
    )
    existing = Busy(
        utc(2026, 6, 1, 12),
        utc(2026, 6, 1, 13),
        blocked_start=utc(2026, 6, 1, 11, 30),
        blocked_end=utc(2026, 6, 1, 13, 30),
    )
    slots = slots_on(date(2026, 6, 1), therapist, rules, therapist_busy=[existing])
    starts = {s.strftime("%H:%M") for s, _ in slots}
    # new slot needs 15 min after itself before 11:30 and 15 min before itself after 13:30
    assert "10:00" in starts and "10:30" not in starts
    assert "13:30" not in starts and "14:00" in starts


def test_back_to_back_without_buffers_is_allowed_and_couple_busy_counts():
    therapist = WeeklySchedule("UTC", {0: [(time(8), time(12))]})
    rules = SlotRules(length=timedelta(minutes=60), step=timedelta(minutes=60), **NO_NOTICE)
    busy = [Busy(utc(2026, 6, 1, 9), utc(2026, 6, 1, 10))]
    couple = [Busy(utc(2026, 6, 1, 11), utc(2026, 6, 1, 12))]
    slots = slots_on(date(2026, 6, 1), therapist, rules, therapist_busy=busy, couple_busy=couple)
    assert [s.strftime("%H") for s, _ in slots] == ["08", "10"]


def test_three_party_intersection_across_los_angeles_and_tokyo():
    therapist = WeeklySchedule("Asia/Kolkata", {d: [(time(6), time(12))] for d in range(7)})
    sam = WeeklySchedule("America/Los_Angeles", {d: [(time(17), time(22))] for d in range(5)})
    aiko = WeeklySchedule("Asia/Tokyo", {d: [(time(7), time(12))] for d in range(7)})
    rules = SlotRules(length=timedelta(minutes=50), step=timedelta(minutes=30), **NO_NOTICE)
    slots = slots_on(date(2026, 6, 2), therapist, rules, partners=[sam, aiko])
    assert slots
    for s, _e in slots:
        # Tue 17:00-22:00 in LA = Wed 09:00-14:00 Tokyo; Kolkata mornings from 06:00
        assert time(17) <= s.astimezone(ZoneInfo("America/Los_Angeles")).time()
        assert time(6) <= s.astimezone(ZoneInfo("Asia/Kolkata")).time()
        assert time(7) <= s.astimezone(ZoneInfo("Asia/Tokyo")).time() < time(12)


def test_overrides_and_days_off():
    weekly = {d: [(time(9), time(17))] for d in range(7)}
    therapist = WeeklySchedule(
        "UTC",
        weekly,
        overrides={date(2026, 6, 2): [(time(13), time(15))], date(2026, 6, 3): []},
        days_off=frozenset({date(2026, 6, 4)}),
    )
    rules = SlotRules(length=timedelta(minutes=60), step=timedelta(minutes=60), **NO_NOTICE)
    assert [s.hour for s, _ in slots_on(date(2026, 6, 2), therapist, rules)] == [13, 14]
    assert slots_on(date(2026, 6, 3), therapist, rules) == []
    assert slots_on(date(2026, 6, 4), therapist, rules) == []
    assert len(slots_on(date(2026, 6, 5), therapist, rules)) == 8


# --- properties ---------------------------------------------------------------------

ZONES = [
    "America/Los_Angeles",
    "Europe/Warsaw",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
]
# Days around real DST changes in those zones, and ordinary days.
ANCHORS = [
    date(2026, 3, 8),
    date(2026, 3, 29),
    date(2026, 4, 5),
    date(2026, 10, 4),
    date(2026, 10, 25),
    date(2026, 11, 1),
    date(2018, 11, 4),  # Sao Paulo still had DST
    date(2019, 2, 17),
    date(2026, 6, 15),
]


@st.composite
def weekly_ranges(draw):
    weekly = {}
    for weekday in range(7):
        ranges = []
        cursor = draw(st.integers(0, 20)) * 30
        for _ in range(draw(st.integers(0, 2))):
            length = draw(st.integers(1, 16)) * 30
            if cursor + length > 24 * 60 - 1:
                break
            s = time(cursor // 60, cursor % 60)
            end = cursor + length
            e = time(end // 60, end % 60) if end < 24 * 60 else time(23, 59)
            ranges.append((s, e))
            cursor = end + draw(st.integers(1, 6)) * 30
        weekly[weekday] = ranges
    return weekly


def instant_available(schedule: WeeklySchedule, instant: datetime) -> bool:
    """Pointwise truth: the wall clock at ``instant`` lies in a range of that local day."""
    if schedule.always_free:
        return True
    local = instant.astimezone(schedule.tz)
    wall = local.replace(tzinfo=None).time()
    return any(s <= wall < e for s, e in schedule.ranges_on(local.date()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zones=st.lists(st.sampled_from(ZONES), min_size=3, max_size=3),
    weeklies=st.lists(weekly_ranges(), min_size=3, max_size=3),
    partner_free=st.lists(st.booleans(), min_size=2, max_size=2),
    anchor=st.sampled_from(ANCHORS),
    length=st.sampled_from([30, 50, 80]),
    step=st.sampled_from([15, 30, 60]),
    buffers=st.tuples(st.sampled_from([0, 10, 15]), st.sampled_from([0, 10])),
    bookings=st.lists(
        st.tuples(st.integers(0, 4 * 24 * 4), st.sampled_from([30, 50, 80])), max_size=6
    ),
    notice_minutes=st.sampled_from([0, 90, 720]),
)
def test_every_slot_is_inside_every_window_and_clear_of_bookings(
    zones, weeklies, partner_free, anchor, length, step, buffers, bookings, notice_minutes
):
    therapist = WeeklySchedule(zones[0], weeklies[0])
    partners = [
        WeeklySchedule(zones[i + 1], weeklies[i + 1], always_free=partner_free[i]) for i in range(2)
    ]
    start = datetime.combine(anchor - timedelta(days=1), time(0), tzinfo=UTC)
    end = start + timedelta(days=4)
    busy = []
    for quarter, minutes in bookings:
        s = start + timedelta(minutes=15 * quarter)
        busy.append(
            Busy(
                s,
                s + timedelta(minutes=minutes),
                s - timedelta(minutes=10),
                s + timedelta(minutes=minutes + 10),
            )
        )
    rules = SlotRules(
        length=timedelta(minutes=length),
        step=timedelta(minutes=step),
        buffer_before=timedelta(minutes=buffers[0]),
        buffer_after=timedelta(minutes=buffers[1]),
        notice=timedelta(minutes=notice_minutes),
        horizon=timedelta(days=3),
    )
    now = start - timedelta(hours=6)
    slots = compute_slots(
        therapist=therapist,
        partners=partners,
        therapist_busy=busy,
        couple_busy=busy[:2],
        rules=rules,
        start=start,
        end=end,
        now=now,
    )
    tz = therapist.tz
    assert len({s for s, _ in slots}) == len(slots)
    assert len({s.astimezone(tz).replace(tzinfo=None) for s, _ in slots}) == len(slots)
    for s, e in slots:
        assert e - s == rules.length
        assert s >= max(start, now + rules.notice) and s < min(end, now + rules.horizon)
        # every minute of the session is inside every party's availability
        probe = s
        while probe < e:
            for schedule in (therapist, *partners):
                assert instant_available(schedule, probe), (schedule.zone, probe)
            probe += timedelta(minutes=5)
        assert instant_available(therapist, e - timedelta(minutes=1))
        # clear of bookings, with both buffers
        for b in busy:
            assert (
                s - rules.buffer_before >= b.blocked_end
                or e + rules.buffer_after <= b.blocked_start
            )
        # the start is a wall-clock grid point that exists and round-trips
        local = s.astimezone(tz)
        naive = local.replace(tzinfo=None)
        assert local_to_utc(naive, tz) == s
        assert naive.replace(tzinfo=tz).astimezone(UTC) == s


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    anchor=st.sampled_from(ANCHORS),
    minute=st.integers(0, 48 * 60 - 1),
)
def test_local_utc_local_round_trips(zone, anchor, minute):
    tz = ZoneInfo(zone)
    naive = datetime.combine(anchor, time(0)) + timedelta(minutes=minute)
    instant = local_to_utc(naive, tz)
    if instant is None:  # in a gap: truly absent from the wall clock
        probe = datetime.combine(anchor, time(0), tzinfo=UTC) - timedelta(days=1)
        for _ in range(4 * 24 * 4):
            assert probe.astimezone(tz).replace(tzinfo=None) != naive
            probe += timedelta(minutes=15)
        return
    assert instant.astimezone(tz).replace(tzinfo=None) == naive
    assert local_to_utc(instant.astimezone(tz).replace(tzinfo=None), tz) == instant


def reference_slots(therapist, partners, busy, rules, start, end, now):
    """The plain algorithm: every wall-clock grid point, checked one by one."""
    earliest = max(start, now + rules.notice)
    latest = min(end, now + rules.horizon)
    free = free_intervals(
        therapist=therapist,
        partners=partners,
        therapist_busy=busy,
        couple_busy=[],
        rules=rules,
        start=earliest,
        end=latest,
    )
    tz = therapist.tz
    found = set()
    day = earliest.astimezone(tz).date() - timedelta(days=1)
    while day <= latest.astimezone(tz).date():
        for a, b in therapist.ranges_on(day):
            local = datetime.combine(day, a)
            while local < datetime.combine(day, b):
                s = local_to_utc(local, tz)
                if s is not None and earliest <= s < latest:
                    e = s + rules.length
                    if any(fs <= s and e <= fe for fs, fe in free):
                        found.add(s)
                local += rules.step
        day += timedelta(days=1)
    return [(s, s + rules.length) for s in sorted(found)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zones=st.lists(st.sampled_from(ZONES), min_size=2, max_size=2),
    weeklies=st.lists(weekly_ranges(), min_size=2, max_size=2),
    anchor=st.sampled_from(ANCHORS),
    length=st.sampled_from([30, 50, 80]),
    step=st.sampled_from([15, 30, 60]),
    bookings=st.lists(st.integers(0, 4 * 24 * 4), max_size=6),
)
def test_no_offerable_slot_is_missed(zones, weeklies, anchor, length, step, bookings):
    therapist = WeeklySchedule(zones[0], weeklies[0])
    partner = WeeklySchedule(zones[1], weeklies[1])
    start = datetime.combine(anchor - timedelta(days=1), time(0), tzinfo=UTC)
    end = start + timedelta(days=3)
    busy = [
        Busy(start + timedelta(minutes=15 * q), start + timedelta(minutes=15 * q + 50))
        for q in bookings
    ]
    rules = SlotRules(
        length=timedelta(minutes=length),
        step=timedelta(minutes=step),
        buffer_after=timedelta(minutes=10),
        notice=timedelta(hours=1),
        horizon=timedelta(days=2),
    )
    now = start - timedelta(hours=2)
    got = compute_slots(
        therapist=therapist,
        partners=[partner],
        therapist_busy=busy,
        couple_busy=[],
        rules=rules,
        start=start,
        end=end,
        now=now,
    )
    assert got == reference_slots(therapist, [partner], busy, rules, start, end, now)
