"""Cached slot lists: never stale, whatever writes happen and however time moves.

The property test makes random sequences of writes through the services (bookings,
holds, cancellations, moves, hours, overrides, time off, session types, windows) and
lets the clock run (notice, horizon, holds expiring); after each step the cached
answer must equal a fresh computation with the cache bypassed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import Couple, User
from core.errors import DomainError
from scheduling import selectors, services
from scheduling.models import Booking, SessionType
from tests.scheduling.conftest import NOW, give_hours
from tests.scheduling.test_api import API, _client

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epochs(slots) -> list[int]:
    return [int((s - EPOCH).total_seconds()) for s, _e in slots]


def _fresh(therapist, couple, session_type, start, end, now) -> list[int]:
    """The uncached computation, from rows just read (as a new request would)."""
    therapist = User.objects.get(pk=therapist.pk)
    couple = Couple.objects.prefetch_related("memberships__user").get(pk=couple.pk)
    session_type = SessionType.objects.get(pk=session_type.pk)
    return _epochs(
        selectors.available_slots(
            therapist=therapist,
            couple=couple,
            session_type=session_type,
            start=start,
            end=end,
            now=now,
        )
    )


def _cached(therapist, couple, session_type, start, end, now) -> list[int]:
    """Through the cache, loading the rows (and so the versions) like the API does."""
    therapist = User.objects.get(pk=therapist.pk)
    couple = Couple.objects.prefetch_related("memberships__user").get(pk=couple.pk)
    session_type = SessionType.objects.get(pk=session_type.pk)
    starts, _length = selectors.slot_starts(
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        start=start,
        end=end,
        now=now,
    )
    return starts


# --- examples ----------------------------------------------------------------------------


def test_the_default_answer_is_utc_instants_and_the_partners_zones(
    client, partner_a, couple, therapist, open_type
):
    today = timezone.now().date()
    query = {
        "therapist_id": therapist.pk,
        "session_type_id": open_type.pk,
        "start": (today + timedelta(days=1)).isoformat(),
        "end": (today + timedelta(days=2)).isoformat(),
        "tz": "Asia/Kolkata",
    }
    c = _client(client, partner_a)
    body = c.get(f"{API}/slots", query).json()
    assert {p["time_zone"] for p in body["partners"]} == {"America/Los_Angeles", "Asia/Tokyo"}
    slot = body["slots"][0]
    assert set(slot) == {"starts_at", "ends_at"}
    assert slot["starts_at"].endswith("+00:00")
    starts_at = datetime.fromisoformat(slot["starts_at"])
    assert datetime.fromisoformat(slot["ends_at"]) - starts_at == timedelta(minutes=50)
    # The same instants as the older, larger answer.
    local = c.get(f"{API}/slots", {**query, "local": "true"}).json()
    assert [s["starts_at"] for s in local["slots"]] == [s["starts_at"] for s in body["slots"]]
    assert datetime.fromisoformat(local["slots"][0]["local_start"]) == starts_at


def test_a_repeated_request_reads_the_cache_and_a_booking_invalidates_it(
    client, partner_a, couple, therapist, open_type, django_assert_max_num_queries
):
    today = timezone.now().date()
    query = {
        "therapist_id": therapist.pk,
        "session_type_id": open_type.pk,
        "start": (today + timedelta(days=1)).isoformat(),
        "end": (today + timedelta(days=14)).isoformat(),
    }
    c = _client(client, partner_a)
    first = c.get(f"{API}/slots", query).json()["slots"]
    # Session and user (authentication), session type with therapist, couple, partners.
    with django_assert_max_num_queries(5):
        again = c.get(f"{API}/slots", query).json()["slots"]
    assert again == first
    taken = datetime.fromisoformat(first[0]["starts_at"])
    services.booking_create(
        user=partner_a,
        therapist=therapist,
        couple=couple,
        session_type=open_type,
        starts_at=taken,
        now=timezone.now(),
    )
    after = c.get(f"{API}/slots", query).json()["slots"]
    assert first[0]["starts_at"] not in {s["starts_at"] for s in after}


def test_a_slot_held_by_another_couple_comes_back_when_the_hold_expires(
    therapist, session_type, couple, other_couple, other_partner
):
    start, end = NOW + timedelta(days=1), NOW + timedelta(days=8)
    before = _cached(therapist, couple, session_type, start, end, NOW)
    held_at = EPOCH + timedelta(seconds=before[0])
    hold = services.booking_hold(
        user=other_partner,
        therapist=therapist,
        couple=other_couple,
        session_type=session_type,
        starts_at=held_at,
        now=NOW,
    )
    during = _cached(therapist, couple, session_type, start, end, NOW)
    assert before[0] not in during
    # No write at all: the hold simply runs out.
    later = hold.hold_expires_at + timedelta(seconds=1)
    assert _cached(therapist, couple, session_type, start, end, later) == before
    assert _fresh(therapist, couple, session_type, start, end, later) == before


def test_notice_and_horizon_follow_the_clock_not_the_cached_list(therapist, couple):
    give_hours(therapist, ranges=((time(0), time(23, 59)),), days=range(7))
    st_ = SessionType.objects.create(
        therapist=therapist, name="S", length_minutes=50, min_notice_minutes=120, horizon_days=3
    )
    start, end = NOW, NOW + timedelta(days=10)
    for minutes in (0, 7, 31, 95, 600, 1439, 1441):
        now = NOW + timedelta(minutes=minutes)
        cached = _cached(therapist, couple, st_, start, end, now)
        assert cached == _fresh(therapist, couple, st_, start, end, now), minutes
        assert cached[0] >= (now + timedelta(hours=2)).timestamp()
        assert cached[-1] < (now + timedelta(days=3)).timestamp()


def test_busy_rows_come_back_as_whole_seconds_rounded_outwards(
    therapist, couple, other_therapist, other_couple
):
    start = datetime(2026, 10, 20, 16, 0, 0, 250_000, tzinfo=UTC)
    minutes = timedelta(minutes=1)
    # The therapist's (another couple): blocked range, widened by the new session's buffers.
    Booking.objects.create(
        therapist=therapist,
        couple=other_couple,
        starts_at=start,
        ends_at=start + 50 * minutes,
        blocked_start=start - 5 * minutes,
        blocked_end=start + 60 * minutes,
    )
    # The couple's, with another therapist: as it is, and merged when they touch.
    later = start + 3 * 60 * minutes
    Booking.objects.create(
        therapist=other_therapist, couple=couple, starts_at=later, ends_at=later + 50 * minutes
    )
    Booking.objects.create(
        therapist=other_therapist,
        couple=couple,
        starts_at=later + 50 * minutes,
        ends_at=later + 100 * minutes,
    )
    busy, valid_until = selectors.busy_epochs(
        therapist_id=therapist.pk,
        couple_id=couple.pk,
        start=NOW,
        end=NOW + timedelta(days=3),
        now=NOW,
        buffer_before=60,
        buffer_after=120,
    )
    assert valid_until is None
    second = timedelta(seconds=1)
    assert [(EPOCH + timedelta(seconds=a), EPOCH + timedelta(seconds=b)) for a, b in busy] == [
        (
            start.replace(microsecond=0) - 7 * minutes,
            (start + second).replace(microsecond=0) + 61 * minutes,
        ),
        (later.replace(microsecond=0), (later + second).replace(microsecond=0) + 100 * minutes),
    ]


# --- property: cached == fresh --------------------------------------------------------------

ranges = st.sampled_from(
    [
        [],
        [(time(9), time(17))],
        [(time(8), time(12)), (time(13), time(19))],
        [(time(0), time(23, 30))],
        [(time(18), time(22))],
    ]
)
step = st.one_of(
    st.tuples(st.just("book"), st.integers(0, 20), st.booleans()),
    # Holds and a running clock twice as often: expiry needs a hold, then time.
    st.tuples(st.just("hold"), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("hold"), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("release"), st.integers(0, 5)),
    st.tuples(st.just("move"), st.integers(0, 5), st.integers(0, 20)),
    st.tuples(st.just("hours"), ranges, st.sets(st.integers(0, 6), max_size=7)),
    st.tuples(st.just("override"), st.integers(0, 9), ranges),
    st.tuples(st.just("clear_override"), st.integers(0, 9)),
    st.tuples(st.just("time_off"), st.integers(0, 9), st.integers(0, 3)),
    st.tuples(st.just("time_off_delete"), st.integers(0, 3)),
    st.tuples(st.just("session_type"), st.sampled_from([30, 50, 90]), st.integers(0, 30)),
    st.tuples(st.just("windows"), st.booleans(), ranges),
    st.tuples(st.just("tick"), st.integers(1, 400)),
    st.tuples(st.just("tick"), st.integers(1, 10)),
)


class World:
    """One therapist, two couples and a clock; ``do`` applies one step through a service."""

    def __init__(self, therapist, couple, other_couple, booker, other_booker, first_day):
        self.therapist, self.couples = therapist, (couple, other_couple)
        self.bookers = (booker, other_booker)
        self.partner = booker
        self.now = NOW
        self.today = NOW.astimezone(therapist.tz).date()
        self.first_day = first_day
        services.working_hours_set(
            therapist=therapist, weekly={d: [(time(9), time(17))] for d in range(7)}
        )
        self.session_type = services.session_type_save(
            therapist=therapist,
            name="Session",
            length_minutes=50,
            buffer_after_minutes=10,
            min_notice_minutes=60,
            horizon_days=12,
        )
        self.time_off: list[int] = []

    def _offered(self, index: int, couple) -> datetime | None:
        found = selectors.available_slots(
            therapist=self.therapist,
            couple=couple,
            session_type=self.session_type,
            start=self.now,
            end=self.now + timedelta(days=12),
            now=self.now,
        )
        return found[index % len(found)][0] if found else None

    def _pick(self, status: str, index: int) -> Booking | None:
        rows = list(
            Booking.objects.filter(therapist=self.therapist, status=status)
            .select_related("couple", "therapist", "session_type")
            .order_by("pk")
        )
        return rows[index % len(rows)] if rows else None

    def _day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def do(self, action: str, args: list) -> None:
        t, now, st_ = self.therapist, self.now, self.session_type
        if action in ("book", "hold"):
            index, other = args
            couple, user = self.couples[other], self.bookers[other]
            starts_at = self._offered(index, couple)
            if starts_at is None:
                return
            write = services.booking_create if action == "book" else services.booking_hold
            write(
                user=user,
                therapist=t,
                couple=couple,
                session_type=st_,
                starts_at=starts_at,
                now=now,
            )
        elif action == "cancel":
            booking = self._pick(Booking.Status.CONFIRMED, args[0])
            if booking is not None:
                services.booking_cancel(user=t, booking=booking, now=now)
        elif action == "release":
            hold = self._pick(Booking.Status.HELD, args[0])
            if hold is not None:
                user = self.bookers[self.couples.index(hold.couple)]
                services.hold_release(user=user, booking=hold)
        elif action == "move":
            booking = self._pick(Booking.Status.CONFIRMED, args[0])
            if booking is not None:
                starts_at = self._offered(args[1], booking.couple)
                if starts_at is not None:
                    services.booking_reschedule(
                        user=t, booking=booking, starts_at=starts_at, now=now
                    )
        elif action == "hours":
            rng, days = args
            services.working_hours_set(therapist=t, weekly=dict.fromkeys(days, rng))
        elif action == "override":
            services.date_override_set(therapist=t, date=self._day(args[0]), ranges=args[1])
        elif action == "clear_override":
            services.date_override_clear(therapist=t, date=self._day(args[0]))
        elif action == "time_off":
            first = self._day(args[0])
            off = services.time_off_add(
                therapist=t, start_date=first, end_date=first + timedelta(days=args[1])
            )
            self.time_off.append(off.pk)
        elif action == "time_off_delete":
            if self.time_off:
                pk = self.time_off.pop(args[0] % len(self.time_off))
                services.time_off_delete(therapist=t, time_off_id=pk)
        elif action == "session_type":
            length, buffer = args
            self.session_type = services.session_type_save(
                therapist=t,
                session_type=st_,
                length_minutes=length,
                buffer_after_minutes=buffer,
            )
        elif action == "windows":
            everyone, rng = args
            weekly = {} if everyone else dict.fromkeys(range(7), rng)
            services.attendance_windows_set(user=self.partner, weekly=weekly)
        elif action == "tick":
            self.now = now + timedelta(minutes=args[0])

    def check(self) -> None:
        start = datetime.combine(self._day(self.first_day), time(0), tzinfo=UTC)
        end = start + timedelta(days=9)
        for couple in self.couples:
            cached = _cached(self.therapist, couple, self.session_type, start, end, self.now)
            fresh = _fresh(self.therapist, couple, self.session_type, start, end, self.now)
            assert cached == fresh


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=12), first_day=st.integers(0, 2))
# Another couple's hold counted in the cached list, then it runs out with no write.
@example(steps=[("hold", 0, True), ("tick", 6)], first_day=0)
def test_cached_slots_always_equal_a_fresh_computation(
    therapist, couple, other_couple, partner_a, other_partner, steps, first_day
):
    """Every step goes through a service (or moves the clock); each example is rolled back
    (versions are random, so a rolled-back one never comes back with other data)."""
    with transaction.atomic():
        world = World(therapist, couple, other_couple, partner_a, other_partner, first_day)
        world.check()
        for action, *args in steps:
            try:
                with transaction.atomic():
                    world.do(action, args)
            except DomainError:
                pass  # a refused write changes nothing; still compare
            world.check()
        transaction.set_rollback(True)


def test_an_operators_admin_edit_invalidates_cached_slots(therapist, couple):
    from django.contrib.admin.sites import site

    booking = Booking.objects.create(
        therapist=therapist,
        couple=couple,
        starts_at=NOW + timedelta(days=1),
        ends_at=NOW + timedelta(days=1, minutes=50),
    )
    before = (therapist.slots_version, couple.slots_version)
    site._registry[Booking].delete_queryset(None, Booking.objects.filter(pk=booking.pk))
    assert User.objects.get(pk=therapist.pk).slots_version != before[0]
    assert Couple.objects.get(pk=couple.pk).slots_version != before[1]


def test_openapi_documents_the_local_parameter_and_the_partners_zones(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/scheduling/slots"]["get"]
    assert "local" in {p["name"] for p in operation["parameters"]}
    assert "local=true" in operation["description"]
    assert "partners" in schema["components"]["schemas"]["SlotsOut"]["properties"]


def test_a_version_never_comes_back_with_other_data(therapist, couple, session_type):
    """A rollback (or a restore, or a recreated database) must not let the next change
    land on a version whose list was cached for other data: versions are not counts."""
    start, end = NOW + timedelta(days=1), NOW + timedelta(days=8)
    day = start.astimezone(therapist.tz).date()
    with transaction.atomic():
        services.date_override_set(therapist=therapist, date=day, ranges=[])
        _cached(therapist, couple, session_type, start, end, NOW)
        transaction.set_rollback(True)
    services.session_type_save(therapist=therapist, session_type=session_type, name="Renamed")
    assert _cached(therapist, couple, session_type, start, end, NOW) == _fresh(
        therapist, couple, session_type, start, end, NOW
    )


def test_a_new_hold_with_another_therapist_frees_the_first_therapists_cached_time(
    therapist,
    session_type,
    other_therapist,
    other_session_type,
    couple,
    other_couple,
    partner_a,
    django_capture_on_commit_callbacks,
):
    start, end = NOW + timedelta(days=1), NOW + timedelta(days=8)
    # What another couple sees of the first therapist (their version is not bumped).
    before = _cached(therapist, other_couple, session_type, start, end, NOW)
    services.booking_hold(
        user=partner_a,
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        starts_at=EPOCH + timedelta(seconds=before[0]),
        now=NOW,
    )
    assert before[0] not in _cached(therapist, other_couple, session_type, start, end, NOW)
    elsewhere = _cached(other_therapist, couple, other_session_type, start, end, NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_hold(
            user=partner_a,
            therapist=other_therapist,
            couple=couple,
            session_type=other_session_type,
            starts_at=EPOCH + timedelta(seconds=elsewhere[0]),
            now=NOW,
        )
    assert _cached(therapist, other_couple, session_type, start, end, NOW) == before
