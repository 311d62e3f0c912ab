"""The inbox and a thread read their rows in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import services as messaging_services
from messaging.models import Message, Thread
from tests.factories import make_couple, make_user
from tests.query_bounds import LARGE, assert_queries_do_not_grow
from tests.therapists.conftest import book

pytestmark = pytest.mark.django_db


def test_therapist_inbox_counts_unread_without_a_query_per_thread(
    client, therapist, clinic, django_assert_max_num_queries
):
    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            a = make_user(f"ia{i}@example.com", f"Avery {i}")
            b = make_user(f"ib{i}@example.com", f"Blake {i}")
            couple = make_couple(a, b)
            # A day apart each: one therapist's sessions never overlap (PostgreSQL refuses).
            book(therapist, couple, timezone.now() - timedelta(days=1 + i), clinic=clinic)
            thread = messaging_services.thread_open(user=a, therapist=therapist)
            for n in range(2):
                Message.objects.create(thread=thread, author=a, body=f"hello {n}")

    client.force_login(therapist)
    page = assert_queries_do_not_grow(
        client, "/sessions/messages/", add, django_assert_max_num_queries
    )
    assert page.count('data-testid="unread"') == LARGE
    assert page.count("2 new") == LARGE


def test_partner_inbox_is_bounded(
    client, partner_a, partner_b, couple, therapist, clinic, django_assert_max_num_queries
):
    book(therapist, couple, timezone.now() - timedelta(days=1), clinic=clinic)
    shared = messaging_services.thread_open(user=partner_a, therapist=therapist)
    private = messaging_services.thread_open(user=partner_a, therapist=therapist, private=True)

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            for thread in (shared, private):
                Message.objects.create(thread=thread, author=therapist, body=f"note {i}")

    client.force_login(partner_a)
    page = assert_queries_do_not_grow(
        client, "/sessions/messages/", add, django_assert_max_num_queries
    )
    assert page.count(f"{LARGE} new") == 2


def test_thread_page_is_bounded(
    client, partner_a, partner_b, couple, therapist, clinic, django_assert_max_num_queries
):
    book(therapist, couple, timezone.now() - timedelta(days=1), clinic=clinic)
    thread = messaging_services.thread_open(user=partner_a, therapist=therapist)
    authors = (partner_a, partner_b, therapist)

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            Message.objects.create(thread=thread, author=authors[i % 3], body=f"line {i}")

    client.force_login(partner_a)
    page = assert_queries_do_not_grow(
        client, f"/sessions/messages/{thread.pk}/", add, django_assert_max_num_queries
    )
    assert f"line {LARGE - 1}" in page
    assert Thread.objects.count() == 1
