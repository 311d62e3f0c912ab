"""The directory's "free slot within N days" filter and "soonest availability" sort,
on top of scheduling's earliest free start per therapist."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from scheduling.models import SessionType, WorkingHours
from therapists.filters import parse_filters
from therapists.selectors import directory_page

pytestmark = pytest.mark.django_db


def _hours(therapist, weekdays):
    SessionType.objects.create(therapist=therapist, name="Session", length_minutes=50)
    for weekday in weekdays:
        WorkingHours.objects.create(
            therapist=therapist, weekday=weekday, start_time=time(9), end_time=time(17)
        )


def _names(page):
    return [p.user.full_name for p in page.results]


def test_filter_keeps_only_therapists_free_soon_and_sort_puts_soonest_first(
    therapist, other_therapist
):
    now = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("UTC"))  # a Monday
    _hours(therapist, weekdays=[4])  # Friday only, Los Angeles
    _hours(other_therapist, weekdays=[0, 1, 2, 3, 4])  # every weekday, Warsaw

    soonest = directory_page(parse_filters({"sort": "soonest"}), now=now)
    assert _names(soonest) == ["Tomasz Nowak", "Elena Hale"]
    assert soonest.results[0].next_free_start < soonest.results[1].next_free_start

    # Nothing within two days for the Friday-only therapist.
    within_two = directory_page(parse_filters({"free_within_days": "2"}), now=now)
    assert _names(within_two) == ["Tomasz Nowak"]
    assert within_two.count == 1

    within_week = directory_page(parse_filters({"free_within_days": "7"}), now=now)
    assert sorted(_names(within_week)) == ["Elena Hale", "Tomasz Nowak"]


def test_therapist_without_hours_is_last_when_sorting_and_absent_when_filtering(
    therapist, other_therapist
):
    _hours(other_therapist, weekdays=range(7))
    _hours(therapist, weekdays=[])  # a session type, but no working hours
    now = timezone.now()
    assert _names(directory_page(parse_filters({"sort": "soonest"}), now=now)) == [
        "Tomasz Nowak",
        "Elena Hale",
    ]
    page = directory_page(parse_filters({"free_within_days": "30"}), now=now)
    assert _names(page) == ["Tomasz Nowak"]


@pytest.mark.parametrize("value", ["0", "61", "soon", "-3"])
def test_bad_free_within_days_is_a_clear_422(client, value):
    response = client.get("/api/therapists/", {"free_within_days": value})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_filter"
    assert "free_within_days" in response.json()["detail"]
    page = client.get("/therapists/", {"free_within_days": value})
    assert page.status_code == 422 and "free_within_days" in page.content.decode()


def test_query_count_stays_bounded_with_availability(
    client, therapist, other_therapist, django_assert_max_num_queries
):
    from tests.factories import make_user
    from therapists.models import ClinicMembership, TherapistProfile

    for i in range(15):
        user = make_user(
            f"t{i}@example.com", f"Therapist {i:02d}", "Europe/Warsaw", role="therapist"
        )
        ClinicMembership.objects.create(
            clinic=therapist.therapist_profile.clinic, user=user, role="therapist"
        )
        TherapistProfile.objects.create(user=user, clinic=therapist.therapist_profile.clinic)
        _hours(user, weekdays=range(7))
    with django_assert_max_num_queries(14):
        response = client.get("/api/therapists/", {"sort": "soonest", "free_within_days": "14"})
    body = response.json()
    assert response.status_code == 200 and body["count"] == 15
    assert all(r["next_free_start"] for r in body["results"])
    with django_assert_max_num_queries(14):
        client.get("/therapists/", {"sort": "soonest", "free_within_days": "14"})
