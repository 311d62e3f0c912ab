"""Clinic overview metrics on hand-made fixtures, and the charts that show them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dashboard import charts
from dashboard.metrics import clinic_weekly_metrics
from sessions_app.models import Attendance, Reflection
from tests.therapists.conftest import book

pytestmark = pytest.mark.django_db

# Thursday 26 Nov 2026, 12:00 in Los Angeles (the clinic's zone).
NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
THIS_MONDAY = date(2026, 11, 23)


def at(days_ago: float, hour_utc: int = 18) -> datetime:
    day = NOW.date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour_utc, tzinfo=UTC)


def by_week(weeks):
    return {w.week_start: w for w in weeks}


def test_empty_clinic_is_twelve_weeks_of_zeros(clinic):
    weeks = clinic_weekly_metrics(clinic, now=NOW)
    assert len(weeks) == 12
    assert weeks[-1].week_start == THIS_MONDAY
    assert weeks[0].week_start == THIS_MONDAY - timedelta(weeks=11)
    for w in weeks:
        assert (w.held, w.scheduled, w.dropouts, w.ratings) == (0, 0, 0, 0)
        assert w.no_show_rate == w.cancellation_rate == w.late_cancellation_rate == 0.0
        assert w.average_rating is None


def test_held_no_show_cancellations_and_ratings(
    clinic, therapist, couple, partner_a, partner_b, other_couple, other_partner
):
    held = book(therapist, couple, at(8), status="completed", clinic=clinic)  # last week
    no_show = book(therapist, other_couple, at(9), status="confirmed", clinic=clinic)
    book(therapist, couple, at(10), status="cancelled", clinic=clinic)
    book(therapist, couple, at(10, 20), status="late_cancelled", clinic=clinic)
    book(therapist, couple, at(-2), status="confirmed", clinic=clinic)  # future
    book(therapist, couple, at(8, 20), status="held", clinic=clinic)  # a hold, not a session
    for user in (partner_a, partner_b):
        Attendance.objects.create(booking=held, user=user, status="joined")
    Attendance.objects.create(booking=held, user=therapist, status="joined")
    Attendance.objects.create(booking=no_show, user=other_partner, status="no_show")
    Attendance.objects.create(booking=no_show, user=therapist, status="joined")
    Reflection.objects.create(booking=held, user=partner_a, rating=5)
    Reflection.objects.create(booking=held, user=partner_b, rating=4)

    week = by_week(clinic_weekly_metrics(clinic, now=NOW))[THIS_MONDAY - timedelta(weeks=1)]
    assert week.scheduled == 4
    assert week.held == 1 and week.no_shows == 1 and week.past_sessions == 2
    assert week.no_show_rate == 0.5
    assert week.cancellation_rate == 0.25 and week.late_cancellation_rate == 0.25
    assert week.average_rating == 4.5 and week.ratings == 2
    this_week = by_week(clinic_weekly_metrics(clinic, now=NOW))[THIS_MONDAY]
    assert this_week.scheduled == 0  # the future session is not counted yet


def test_session_without_attendance_records_counts_as_held(clinic, therapist, couple):
    # In-person sessions have no room, so no attendance rows: they were held.
    book(therapist, couple, at(1), status="completed", clinic=clinic)
    assert clinic_weekly_metrics(clinic, now=NOW)[-1].held == 1


def test_other_clinics_sessions_are_not_counted(
    clinic, other_clinic, therapist, other_therapist, couple
):
    book(other_therapist, couple, at(1), status="completed", clinic=other_clinic)
    book(therapist, couple, at(2), status="completed")  # no clinic recorded: the therapist's
    weeks = clinic_weekly_metrics(clinic, now=NOW)
    assert weeks[-1].held == 1
    assert clinic_weekly_metrics(other_clinic, now=NOW)[-1].held == 1


def test_dropout_counts_couples_gone_quiet(clinic, therapist, couple, other_couple):
    # The couple came 40 days ago and never since; the other couple has a booking ahead.
    book(therapist, couple, at(40), status="completed", clinic=clinic)
    book(therapist, other_couple, at(45), status="completed", clinic=clinic)
    ahead = book(therapist, other_couple, at(-7), status="confirmed", clinic=clinic)
    ahead.created_at = at(44)
    ahead.save()
    weeks = clinic_weekly_metrics(clinic, now=NOW)
    assert weeks[-1].dropouts == 1
    # Five weeks ago both couples were still recent.
    assert by_week(weeks)[THIS_MONDAY - timedelta(weeks=5)].dropouts == 0


def test_week_boundaries_follow_the_clinic_zone(clinic, therapist, couple):
    # Monday 23 Nov 05:00 UTC is Sunday 22 Nov 21:00 in Los Angeles: last week there.
    book(therapist, couple, datetime(2026, 11, 23, 5, 0, tzinfo=UTC), status="completed")
    weeks = by_week(clinic_weekly_metrics(clinic, now=NOW))
    assert weeks[THIS_MONDAY].held == 0
    assert weeks[THIS_MONDAY - timedelta(weeks=1)].held == 1


def test_metrics_take_a_fixed_number_of_queries(
    clinic, therapist, couple, django_assert_max_num_queries
):
    for i in range(30):
        book(therapist, couple, at(i * 2 + 1), status="completed", clinic=clinic)
    with django_assert_max_num_queries(3):
        clinic_weekly_metrics(clinic, now=NOW)


def test_chart_data_keeps_gaps_and_describes_itself():
    weeks = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
    line = charts.build([None, 50.0, 12.5], weeks, kind="line", unit="percent", max_value=100)
    spec = line.spec(title="No-show rate")
    assert spec["values"] == [None, 50.0, 12.5]  # a week without data is a gap, not 0
    assert spec["weeks"][0] == "2026-11-02" and spec["max"] == 100 and spec["unit"] == "percent"
    assert line.rows == [("2 Nov", "no data"), ("9 Nov", "50%"), ("16 Nov", "12.5%")]
    assert line.summary == "latest week 12.5%; lowest 12.5%, highest 50%"
    assert charts.build([None] * 3, weeks).summary == "no data in these weeks"


def test_overview_page_renders_charts_for_own_clinic_only(
    client, clinic, clinic_admin, other_admin, therapist, couple
):
    book(therapist, couple, datetime.now(UTC) - timedelta(days=1), status="completed")
    client.force_login(clinic_admin)
    page = client.get("/therapists/overview/").content.decode()
    assert page.count("<canvas") == 6 and page.count('type="application/json"') == 6
    assert "vendor/chart.js/chart.umd.min.js" in page and "Show the numbers" in page
    for title in (
        "Sessions held per week",
        "No-show rate",
        "Cancellation rate",
        "Late-cancellation rate",
        "Couples who dropped out",
        "Average post-session rating",
    ):
        assert title in page
    assert 'data-testid="total-held">1<' in page
    client.force_login(other_admin)
    other = client.get("/therapists/overview/").content.decode()
    assert "Riverside" not in other and 'data-testid="total-held">0<' in other
