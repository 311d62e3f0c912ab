"""Note lists show who and when, never content, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notes import services as notes_services
from tests.factories import make_couple, make_user
from tests.query_bounds import assert_queries_do_not_grow
from tests.therapists.conftest import book

pytestmark = pytest.mark.django_db


def _sessions_with_notes(therapist, clinic, start: int, stop: int) -> None:
    for i in range(start, stop):
        a = make_user(f"na{i}@example.com", f"Avery {i}")
        b = make_user(f"nb{i}@example.com", f"Blake {i}")
        booking = book(
            therapist,
            make_couple(a, b),
            timezone.now() - timedelta(days=i + 1),
            clinic=clinic,
            status="completed",
        )
        notes_services.note_create(
            therapist=therapist, booking=booking, template="soap", now=timezone.now()
        )


def test_therapist_note_list_is_bounded(client, therapist, clinic, django_assert_max_num_queries):
    client.force_login(therapist)
    assert_queries_do_not_grow(
        client,
        "/sessions/notes/",
        lambda start, stop: _sessions_with_notes(therapist, clinic, start, stop),
        django_assert_max_num_queries,
    )


def test_clinic_note_list_is_bounded(
    client, therapist, clinic, clinic_admin, django_assert_max_num_queries
):
    client.force_login(clinic_admin)
    assert_queries_do_not_grow(
        client,
        "/sessions/notes/clinic/",
        lambda start, stop: _sessions_with_notes(therapist, clinic, start, stop),
        django_assert_max_num_queries,
    )
