"""Every dashboard reads its rows in a fixed number of queries, however many there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from sessions_app.models import CheckIn
from tests.factories import make_couple, make_user
from tests.query_bounds import LARGE, assert_queries_do_not_grow, homework_with_answers
from tests.therapists.conftest import add_therapist, book

pytestmark = pytest.mark.django_db


def _client_couple(i: int):
    a = make_user(f"qa{i}@example.com", f"Avery {i}")
    b = make_user(f"qb{i}@example.com", f"Blake {i}")
    return make_couple(a, b), a, b


def test_therapist_dashboard_prep_card_is_bounded(
    client, therapist, clinic, django_assert_max_num_queries
):
    """Sessions in the next week, each with check-ins and answered homework."""
    soon = timezone.now() + timedelta(hours=2)

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            couple, a, b = _client_couple(i)
            booking = book(therapist, couple, soon + timedelta(hours=i), clinic=clinic)
            for partner in (a, b):
                CheckIn.objects.create(
                    booking=booking, user=partner, mood=6, feels_safe="yes", can_speak_freely="yes"
                )
                homework_with_answers(couple, therapist, i, answered_by=(a, b))

    client.force_login(therapist)
    page = assert_queries_do_not_grow(client, "/dashboard/", add, django_assert_max_num_queries)
    assert page.count('class="prep-row"') == min(LARGE, 10)


def test_therapist_dashboard_audits_the_answers_it_reads_in_one_insert(
    client, therapist, clinic, django_assert_max_num_queries
):
    couple, a, b = _client_couple(0)
    book(therapist, couple, timezone.now() + timedelta(hours=2), clinic=clinic)
    for i in range(5):
        homework_with_answers(couple, therapist, i, answered_by=(a, b))
    client.force_login(therapist)
    client.get("/dashboard/")
    reads = AuditEvent.objects.filter(action="homeworkresponse.read", actor_id=therapist.pk)
    assert reads.count() == 10


def test_client_dashboard_is_bounded(
    client, partner_a, partner_b, couple, therapist, clinic, django_assert_max_num_queries
):
    """Upcoming sessions and open homework."""
    soon = timezone.now() + timedelta(days=1)

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            book(therapist, couple, soon + timedelta(hours=i), clinic=clinic)
            homework_with_answers(couple, therapist, i, answered_by=(partner_b,))

    client.force_login(partner_a)
    assert_queries_do_not_grow(client, "/dashboard/", add, django_assert_max_num_queries)


def test_clinic_overview_is_bounded(
    client, clinic, clinic_admin, couple, django_assert_max_num_queries
):
    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            t = add_therapist(clinic, f"ov{i}@example.com", f"Ov {i}").user
            book(
                t, couple, timezone.now() - timedelta(days=i + 1), clinic=clinic, status="completed"
            )

    client.force_login(clinic_admin)
    assert_queries_do_not_grow(client, "/therapists/overview/", add, django_assert_max_num_queries)


def test_audit_log_page_is_bounded(
    client, clinic, clinic_admin, therapist, django_assert_max_num_queries
):
    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            AuditEvent.objects.create(
                actor_id=therapist.pk,
                actor_label=therapist.email,
                actor_role=therapist.role,
                action="sessionnote.read",
                object_type="notes.sessionnote",
                object_id=str(i),
                clinic_id=clinic.pk,
            )

    client.force_login(clinic_admin)
    assert_queries_do_not_grow(client, "/account/audit/", add, django_assert_max_num_queries)
