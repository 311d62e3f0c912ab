"""Pages between sessions read their rows in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions_app.models import (
    CheckIn,
    Goal,
    JournalConsent,
    JournalEntry,
    Notification,
)
from tests.factories import make_couple, make_user
from tests.query_bounds import LARGE, assert_queries_do_not_grow, homework_with_answers
from tests.sessions_app.conftest import make_booking

pytestmark = pytest.mark.django_db


def test_partner_hub_is_bounded(
    client, partner_a, partner_b, couple, therapist, clinic, django_assert_max_num_queries
):
    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            booking = make_booking(
                couple, therapist, timezone.now() + timedelta(days=1, hours=i), clinic=clinic
            )
            CheckIn.objects.create(
                booking=booking, user=partner_a, mood=5, feels_safe="yes", can_speak_freely="yes"
            )
            homework_with_answers(couple, therapist, i, answered_by=(partner_b,))
            Goal.objects.create(couple=couple, created_by=partner_a, title=f"Goal {i}")

    client.force_login(partner_a)
    page = assert_queries_do_not_grow(client, "/sessions/", add, django_assert_max_num_queries)
    assert f"Goal {LARGE - 1}" in page


def test_partner_homework_list_is_bounded(
    client, partner_a, partner_b, couple, therapist, clinic, django_assert_max_num_queries
):
    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            homework_with_answers(couple, therapist, i, answered_by=(partner_a, partner_b))

    client.force_login(partner_a)
    page = assert_queries_do_not_grow(
        client, "/sessions/homework/", add, django_assert_max_num_queries
    )
    assert f"Exercise {LARGE - 1}" in page


def test_therapist_homework_list_is_bounded(
    client, therapist, clinic, django_assert_max_num_queries
):
    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            a = make_user(f"ha{i}@example.com", f"Avery {i}")
            b = make_user(f"hb{i}@example.com", f"Blake {i}")
            couple = make_couple(a, b)
            make_booking(couple, therapist, timezone.now() - timedelta(days=1 + i), clinic=clinic)
            homework_with_answers(couple, therapist, i, answered_by=(a, b))

    client.force_login(therapist)
    page = assert_queries_do_not_grow(
        client, "/sessions/homework/", add, django_assert_max_num_queries
    )
    assert f"Exercise {LARGE - 1}" in page


def test_session_preparation_is_bounded(
    client, partner_a, partner_b, couple, therapist, clinic, django_assert_max_num_queries
):
    booking = make_booking(couple, therapist, timezone.now() + timedelta(days=1), clinic=clinic)

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            homework_with_answers(couple, therapist, i, answered_by=(partner_a, partner_b))
            Goal.objects.create(couple=couple, created_by=partner_a, title=f"Goal {i}")

    client.force_login(therapist)
    page = assert_queries_do_not_grow(
        client, f"/sessions/{booking.pk}/prepare/", add, django_assert_max_num_queries
    )
    assert f"Exercise {LARGE - 1}" in page


def test_journal_and_goals_are_bounded(
    client, partner_a, partner_b, couple, django_assert_max_num_queries
):
    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            for author in (partner_a, partner_b):
                JournalEntry.objects.create(
                    couple=couple, author=author, kind=JournalEntry.Kind.SHARED, body=f"entry {i}"
                )
            Goal.objects.create(couple=couple, created_by=partner_b, title=f"Goal {i}")

    client.force_login(partner_a)
    page = assert_queries_do_not_grow(
        client, "/sessions/journal/", add, django_assert_max_num_queries
    )
    assert page.count(f"entry {LARGE - 1}") == 2
    with django_assert_max_num_queries(20):
        assert f"Goal {LARGE - 1}" in client.get("/sessions/goals/").content.decode()


def test_therapist_reads_the_couple_journal_in_bounded_queries(
    client, partner_a, partner_b, couple, therapist, clinic, django_assert_max_num_queries
):
    make_booking(couple, therapist, timezone.now() - timedelta(days=1), clinic=clinic)
    for partner in (partner_a, partner_b):
        JournalConsent.objects.create(
            couple=couple, user=partner, therapist=therapist, therapist_can_read=True
        )

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            JournalEntry.objects.create(
                couple=couple, author=partner_a, kind=JournalEntry.Kind.SHARED, body=f"entry {i}"
            )

    client.force_login(therapist)
    page = assert_queries_do_not_grow(
        client, f"/sessions/couples/{couple.pk}/journal/", add, django_assert_max_num_queries
    )
    assert f"entry {LARGE - 1}" in page


def test_notifications_page_is_bounded(client, partner_a, django_assert_max_num_queries):
    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            Notification.objects.create(
                user=partner_a, kind=Notification.Kind.REMINDER, title=f"Reminder {i}", url="/"
            )

    client.force_login(partner_a)
    page = assert_queries_do_not_grow(
        client, "/sessions/notifications/", add, django_assert_max_num_queries
    )
    assert f"Reminder {LARGE - 1}" in page
