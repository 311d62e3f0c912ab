"""Booking services: holds, no double booking, policy, reschedule links, series."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, connection

from core.errors import Conflict, DomainError, Forbidden
from scheduling import services
from scheduling.models import Booking, BookingSeries
from scheduling.selectors import available_slots, earliest_free_start_by_therapist
from tests.scheduling.conftest import la

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")


def _book(user, therapist, couple, st, starts_at, now):
    return services.booking_create(
        user=user, therapist=therapist, couple=couple, session_type=st, starts_at=starts_at, now=now
    )


def test_either_partner_books_and_the_other_is_told(
    partner_a,
    partner_b,
    couple,
    therapist,
    session_type,
    now,
    django_capture_on_commit_callbacks,
    signal_log,
):
    start = la(2026, 10, 20, 9)
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(partner_b, therapist, couple, session_type, start, now)
    assert booking.status == "confirmed" and booking.booked_by == partner_b
    assert booking.ends_at - booking.starts_at == timedelta(minutes=50)
    assert [e["booking"] for e in signal_log["confirmed"]] == [booking]
    to = {m.to[0]: m for m in mail.outbox}
    assert set(to) == {partner_a.email, partner_b.email, therapist.email}
    sam_mail = to[partner_a.email]
    assert "Aiko booked" in sam_mail.body and "09:00" in sam_mail.body
    name, ics, mimetype = sam_mail.attachments[0]
    assert name.endswith(".ics") and "method=REQUEST" in mimetype
    text = ics.decode() if isinstance(ics, bytes) else ics
    assert f"UID:{booking.ical_uid}" in text and "TZID=America/Los_Angeles" in text
    # Aiko's copy is in Tokyo time
    assert "TZID=Asia/Tokyo" in str(to[partner_b.email].attachments[0][1])


def test_a_taken_slot_answers_409_with_nearest_free_slots(
    partner_a, couple, other_partner, other_couple, therapist, session_type, now
):
    start = la(2026, 10, 20, 10)
    _book(partner_a, therapist, couple, session_type, start, now)
    with pytest.raises(Conflict) as exc:
        _book(other_partner, therapist, other_couple, session_type, start, now)
    assert exc.value.code == "slot_taken" and exc.value.status == 409
    suggested = [s["starts_at"] for s in exc.value.extra["suggestions"]]
    assert len(suggested) == 3 and start.isoformat() not in suggested
    # buffer of 10 min after: 11:00 is the next start; 09:00 ends 09:50 + 10 = ok too
    assert la(2026, 10, 20, 11).isoformat() in suggested


def test_a_couple_cannot_be_in_two_sessions_at_once(
    partner_a, couple, therapist, session_type, other_therapist, other_session_type, now
):
    start = la(2026, 10, 20, 9)  # 18:00 in Warsaw: outside Nowak's hours
    _book(partner_a, therapist, couple, session_type, start, now)
    warsaw_start = la(2026, 10, 20, 0)  # 09:00 Warsaw
    _book(partner_a, other_therapist, couple, other_session_type, warsaw_start, now)
    with pytest.raises(Conflict):
        _book(partner_a, other_therapist, couple, other_session_type, la(2026, 10, 20, 0, 30), now)


def test_a_hold_reserves_then_expires(
    partner_a, couple, other_partner, other_couple, therapist, session_type, now, settings
):
    start = la(2026, 10, 20, 13)
    hold = services.booking_hold(
        user=partner_a,
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        starts_at=start,
        now=now,
    )
    assert hold.status == "held" and hold.hold_expires_at == now + timedelta(minutes=5)
    with pytest.raises(Conflict):
        _book(
            other_partner, therapist, other_couple, session_type, start, now + timedelta(minutes=1)
        )
    later = now + timedelta(minutes=6)
    taken = _book(other_partner, therapist, other_couple, session_type, start, later)
    assert taken.status == "confirmed"
    assert not Booking.objects.filter(pk=hold.pk).exists()
    # the expired hold cannot be confirmed into a double booking
    hold.pk = hold.pk
    with pytest.raises(Booking.DoesNotExist):
        services.booking_confirm(user=partner_a, booking=hold, now=later)


def test_confirming_a_live_hold_books_it(
    partner_a, partner_b, couple, therapist, session_type, now
):
    hold = services.booking_hold(
        user=partner_a,
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        starts_at=la(2026, 10, 21, 9),
        now=now,
    )
    booking = services.booking_confirm(user=partner_b, booking=hold, now=now + timedelta(minutes=2))
    assert (
        booking.pk == hold.pk and booking.status == "confirmed" and booking.booked_by == partner_b
    )
    with pytest.raises(Conflict):
        services.booking_confirm(user=partner_b, booking=hold, now=now + timedelta(minutes=3))


def test_expire_holds_is_idempotent(partner_a, couple, therapist, session_type, now):
    services.booking_hold(
        user=partner_a,
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        starts_at=la(2026, 10, 21, 9),
        now=now,
    )
    assert services.holds_expire(now=now) == 0
    assert services.holds_expire(now=now + timedelta(minutes=5)) == 1
    assert services.holds_expire(now=now + timedelta(minutes=5)) == 0


@pytest.mark.parametrize("who", ["other_partner", "therapist", "clinic_admin", "other_therapist"])
def test_only_partners_book_for_their_couple(request, who, couple, therapist, session_type, now):
    user = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        _book(user, therapist, couple, session_type, la(2026, 10, 20, 9), now)


def test_deactivated_therapists_cannot_be_booked(partner_a, couple, therapist, session_type, now):
    therapist.clinic_memberships.update(is_active=False)
    with pytest.raises(DomainError) as exc:
        _book(partner_a, therapist, couple, session_type, la(2026, 10, 20, 9), now)
    assert exc.value.code == "therapist_unavailable"


def test_a_time_not_offered_is_refused(partner_a, couple, therapist, session_type, now):
    for start in (la(2026, 10, 20, 9, 10), la(2026, 10, 20, 16, 30), la(2026, 10, 24, 10)):
        with pytest.raises(DomainError) as exc:
            _book(partner_a, therapist, couple, session_type, start, now)
        assert exc.value.code == "slot_not_offered" and exc.value.status == 400
    with pytest.raises(DomainError):  # inside the 12 h minimum notice
        _book(partner_a, therapist, couple, session_type, now + timedelta(hours=2), now)


def test_partner_windows_limit_the_offer(
    partner_a, partner_b, couple, therapist, session_type, now
):
    from datetime import time

    services.attendance_windows_set(
        user=partner_b, weekly={d: [(time(1), time(3))] for d in range(7)}
    )
    # Aiko 01:00-03:00 Tokyo = 09:00-11:00 LA (PDT) the previous day
    slots = available_slots(
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        start=la(2026, 10, 20, 0),
        end=la(2026, 10, 21, 0),
        now=now,
    )
    assert [s.astimezone(LA).strftime("%H:%M") for s, _ in slots] == ["09:00", "09:30", "10:00"]


def test_cancel_follows_the_clinic_policy(
    partner_a, partner_b, couple, therapist, session_type, clinic, now, signal_log
):
    clinic.late_cancel_hours, clinic.late_cancel_fee, clinic.currency = 24, Decimal("60"), "EUR"
    clinic.save()
    early = _book(partner_a, therapist, couple, session_type, la(2026, 10, 22, 9), now)
    terms = services.cancellation_terms(early, user=partner_b, now=now)
    assert not terms.late
    services.booking_cancel(user=partner_b, booking=early, now=now)
    early.refresh_from_db()
    assert early.status == "cancelled" and early.late_cancel_fee is None

    late = _book(partner_a, therapist, couple, session_type, la(2026, 10, 20, 9), now)
    later = now + timedelta(hours=8)  # 20 hours before the session
    terms = services.cancellation_terms(late, user=partner_b, now=later)
    assert terms.late and terms.fee == Decimal("60") and terms.currency == "EUR"
    services.booking_cancel(user=partner_b, booking=late, now=later)
    late.refresh_from_db()
    assert late.status == "late_cancelled" and late.late_cancel_fee == Decimal("60")
    assert [e["late"] for e in signal_log["cancelled"]] == [False, True]
    # the slot is free again
    assert _book(partner_a, therapist, couple, session_type, la(2026, 10, 20, 10), later)


def test_therapist_cancelling_late_is_not_a_late_cancellation(
    partner_a, couple, therapist, session_type, now
):
    booking = _book(partner_a, therapist, couple, session_type, la(2026, 10, 20, 9), now)
    services.booking_cancel(user=therapist, booking=booking, now=now + timedelta(hours=20))
    booking.refresh_from_db()
    assert booking.status == "cancelled"


@pytest.mark.parametrize("who", ["other_partner", "other_therapist", "clinic_admin"])
def test_strangers_cannot_cancel_or_move(
    request, who, partner_a, couple, therapist, session_type, now
):
    booking = _book(partner_a, therapist, couple, session_type, la(2026, 10, 22, 9), now)
    user = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        services.booking_cancel(user=user, booking=booking, now=now)
    with pytest.raises(Forbidden):
        services.booking_reschedule(
            user=user, booking=booking, starts_at=la(2026, 10, 22, 11), now=now
        )


def test_reschedule_moves_in_place_and_a_link_works_once(
    partner_a, partner_b, couple, therapist, session_type, now, signal_log
):
    booking = _book(partner_a, therapist, couple, session_type, la(2026, 10, 22, 9), now)
    _id, version = services.read_reschedule_token(services.reschedule_token(booking))
    moved = services.booking_reschedule(
        user=partner_b,
        booking=booking,
        starts_at=la(2026, 10, 22, 14),
        now=now,
        link_version=version,
    )
    assert moved.pk == booking.pk and moved.sequence == 1
    assert moved.starts_at == la(2026, 10, 22, 14)
    assert [e["previous_starts_at"] for e in signal_log["rescheduled"]] == [la(2026, 10, 22, 9)]
    with pytest.raises(Conflict) as exc:
        services.booking_reschedule(
            user=partner_b,
            booking=booking,
            starts_at=la(2026, 10, 23, 14),
            now=now,
            link_version=version,
        )
    assert exc.value.code == "link_used"
    assert Booking.objects.filter(couple=couple).count() == 1


def test_late_reschedule_replaces_once_and_charges_the_fee(
    partner_a, couple, therapist, session_type, clinic, now
):
    clinic.late_cancel_fee = Decimal("45")
    clinic.save()
    booking = _book(partner_a, therapist, couple, session_type, la(2026, 10, 20, 9), now)
    token_version = booking.reschedule_version
    now = now + timedelta(hours=8)
    new = services.booking_reschedule(
        user=partner_a,
        booking=booking,
        starts_at=la(2026, 10, 21, 9),
        now=now,
        link_version=token_version,
    )
    booking.refresh_from_db()
    assert booking.status == "late_cancelled" and booking.late_cancel_fee == Decimal("45")
    assert new.pk != booking.pk and new.rescheduled_from_id == booking.pk
    with pytest.raises(Conflict):
        services.booking_reschedule(
            user=partner_a,
            booking=booking,
            starts_at=la(2026, 10, 22, 9),
            now=now,
            link_version=token_version,
        )
    assert Booking.objects.filter(couple=couple, status="confirmed").count() == 1


def test_series_keeps_wall_clock_across_dst_and_reports_conflicts_first(
    partner_a, couple, other_partner, other_couple, therapist, session_type, now
):
    first = la(2026, 10, 20, 9)
    blocker = _book(other_partner, therapist, other_couple, session_type, la(2026, 11, 3, 9), now)
    with pytest.raises(Conflict) as exc:
        services.series_create(
            user=partner_a,
            therapist=therapist,
            couple=couple,
            session_type=session_type,
            first_start=first,
            frequency="weekly",
            count=4,
            now=now,
        )
    assert exc.value.code == "series_conflict"
    assert [c["date"] for c in exc.value.extra["conflicts"]] == ["2026-11-03"]
    assert not BookingSeries.objects.exists() and Booking.objects.filter(couple=couple).count() == 0

    series, occurrences = services.series_create(
        user=partner_a,
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        first_start=first,
        frequency="weekly",
        count=4,
        now=now,
        skip_conflicts=True,
    )
    bookings = list(series.bookings.order_by("starts_at"))
    assert len(bookings) == 3 and len(occurrences) == 4
    assert {b.starts_at.astimezone(LA).strftime("%H:%M") for b in bookings} == {"09:00"}
    # UTC hour changes across the 1 November change; the local hour does not
    assert {b.starts_at.hour for b in bookings} == {16, 17}

    # move this and the following: every remaining occurrence goes to 11:00 local
    moved = services.booking_reschedule(
        user=partner_a,
        booking=bookings[1],
        starts_at=la(2026, 10, 27, 11),
        now=now,
        scope="following",
    )
    assert moved.pk == bookings[1].pk
    times = [
        b.starts_at.astimezone(LA).strftime("%m-%d %H:%M")
        for b in series.bookings.filter(status="confirmed").order_by("starts_at")
    ]
    assert times == ["10-20 09:00", "10-27 11:00", "11-10 11:00"]

    cancelled = services.booking_cancel(user=partner_a, booking=bookings[1], now=now, scope="rest")
    assert len(cancelled) == 2
    assert series.bookings.filter(status="confirmed").count() == 1
    blocker.refresh_from_db()
    assert blocker.status == "confirmed"


def test_biweekly_until_a_date(partner_a, couple, therapist, session_type, now):
    occurrences = services.series_preview(
        user=partner_a,
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        first_start=la(2026, 10, 20, 9),
        frequency="biweekly",
        until=date(2026, 12, 1),
        now=now,
    )
    assert [o.local_date for o in occurrences] == [
        "2026-10-20",
        "2026-11-03",
        "2026-11-17",
        "2026-12-01",
    ]
    assert all(o.ok for o in occurrences)


def test_earliest_free_start_by_therapist(
    partner_a, couple, therapist, session_type, other_therapist, now, django_assert_max_num_queries
):
    from tests.factories import make_user

    idle = make_user("idle@example.com", "Idle Therapist", "Asia/Tokyo", role="therapist")
    # Mon 05:00 LA + 12 h notice = 17:00: no hours left on Monday; Tuesday 09:00 first
    _book(partner_a, therapist, couple, session_type, la(2026, 10, 20, 9), now)
    with django_assert_max_num_queries(7):
        result = earliest_free_start_by_therapist(
            [therapist.pk, other_therapist.pk, idle.pk], now=now, days=14
        )
    assert result[therapist.pk] == la(2026, 10, 20, 10)  # 09:00 taken (+10 min buffer)
    assert result[other_therapist.pk] is None  # no session type
    assert result[idle.pk] is None
    assert earliest_free_start_by_therapist([], now=now, days=14) == {}


@pytest.mark.services
def test_postgres_constraint_forbids_overlap_but_allows_back_to_back(
    partner_a, couple, other_couple, therapist, clinic, now
):
    assert connection.vendor == "postgresql"
    start = la(2026, 10, 20, 9)
    Booking.objects.create(
        therapist=therapist, couple=couple, starts_at=start, ends_at=start + timedelta(minutes=50)
    )
    Booking.objects.create(  # back to back: half-open ranges
        therapist=therapist,
        couple=other_couple,
        starts_at=start + timedelta(minutes=50),
        ends_at=start + timedelta(minutes=100),
    )
    with pytest.raises(IntegrityError, match="booking_no_therapist_overlap"):
        from django.db import transaction

        with transaction.atomic():
            Booking.objects.create(
                therapist=therapist,
                couple=other_couple,
                starts_at=start + timedelta(minutes=20),
                ends_at=start + timedelta(minutes=70),
            )
    # cancelled bookings do not block
    Booking.objects.filter(couple=couple).update(status="cancelled")
    Booking.objects.create(
        therapist=therapist, couple=couple, starts_at=start, ends_at=start + timedelta(minutes=50)
    )


def test_therapist_clients_keeps_a_couple_with_a_pending_hold(
    partner_a, couple, other_partner, other_couple, therapist, session_type, now
):
    from therapists.selectors import therapist_clients

    _book(partner_a, therapist, couple, session_type, la(2026, 10, 20, 9), now)
    services.booking_hold(
        user=partner_a,
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        starts_at=la(2026, 10, 21, 9),
        now=now,
    )
    services.booking_hold(
        user=other_partner,
        therapist=therapist,
        couple=other_couple,
        session_type=session_type,
        starts_at=la(2026, 10, 22, 9),
        now=now,
    )
    assert therapist_clients(therapist) == [couple]


def test_reschedule_and_cancel_emails_update_the_same_calendar_event(
    partner_a, partner_b, couple, therapist, session_type, now, django_capture_on_commit_callbacks
):
    booking = _book(partner_a, therapist, couple, session_type, la(2026, 10, 22, 9), now)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_reschedule(
            user=partner_a, booking=booking, starts_at=la(2026, 10, 22, 11), now=now
        )
    moved = {m.to[0]: m for m in mail.outbox}
    ics = moved[partner_b.email].attachments[0][1]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert f"UID:{booking.ical_uid}" in ics and "SEQUENCE:1" in ics and "METHOD:REQUEST" in ics
    assert "Sam moved" in moved[partner_b.email].body
    assert "/scheduling/reschedule/" in moved[partner_b.email].body
    mail.outbox.clear()
    booking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(user=partner_b, booking=booking, now=now)
    cancelled = {m.to[0]: m for m in mail.outbox}
    ics = cancelled[partner_a.email].attachments[0][1]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert f"UID:{booking.ical_uid}" in ics and "SEQUENCE:2" in ics
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics
    assert "Aiko cancelled" in cancelled[partner_a.email].body
