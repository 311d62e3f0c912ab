"""Session lists and the therapist's week read their rows in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.factories import make_couple, make_user
from tests.query_bounds import LARGE, assert_queries_do_not_grow
from tests.therapists.conftest import book

pytestmark = pytest.mark.django_db


def test_my_sessions_is_bounded(
    client, partner_a, couple, therapist, other_therapist, clinic, django_assert_max_num_queries
):
    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            who = therapist if i % 2 else other_therapist
            book(who, couple, timezone.now() + timedelta(days=i + 1), clinic=clinic)
            book(who, couple, timezone.now() - timedelta(days=i + 1), status="completed")

    client.force_login(partner_a)
    page = assert_queries_do_not_grow(
        client, "/scheduling/mine/", add, django_assert_max_num_queries
    )
    assert page.count(therapist.name) >= LARGE // 2


def test_therapist_calendar_week_is_bounded(
    client, therapist, clinic, django_assert_max_num_queries
):
    tz = therapist.tz
    today = timezone.now().astimezone(tz).date()
    monday = today + timedelta(days=7 - today.weekday())
    first = datetime.combine(monday, time(8), tzinfo=tz)

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            a = make_user(f"ca{i}@example.com", f"Avery{i} Test")
            b = make_user(f"cb{i}@example.com", f"Blake{i} Test")
            book(therapist, make_couple(a, b), first + timedelta(hours=i), clinic=clinic)

    client.force_login(therapist)
    page = assert_queries_do_not_grow(
        client,
        f"/scheduling/calendar/?week={monday.isoformat()}",
        add,
        django_assert_max_num_queries,
    )
    assert f"Avery{LARGE - 1}" in page
