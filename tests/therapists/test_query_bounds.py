"""Client lists and roster pages read their rows in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_couple, make_user
from tests.query_bounds import LARGE, assert_queries_do_not_grow
from tests.therapists.conftest import book
from therapists import services
from therapists.models import ClinicMembership

pytestmark = pytest.mark.django_db


def _clients(therapist, clinic, start: int, stop: int, *, prefix: str) -> None:
    for i in range(start, stop):
        a = make_user(f"{prefix}a{i}@example.com", f"Avery{i} Test")
        b = make_user(f"{prefix}b{i}@example.com", f"Blake{i} Test")
        book(therapist, make_couple(a, b), timezone.now() + timedelta(days=i + 1), clinic=clinic)


def test_client_list_is_bounded(client, therapist, clinic, django_assert_max_num_queries):
    client.force_login(therapist)
    page = assert_queries_do_not_grow(
        client,
        "/therapists/clients/",
        lambda start, stop: _clients(therapist, clinic, start, stop, prefix="cl"),
        django_assert_max_num_queries,
    )
    assert f"Avery{LARGE - 1}" in page


def test_roster_therapist_page_is_bounded(
    client, therapist, clinic, clinic_admin, django_assert_max_num_queries
):
    membership = ClinicMembership.objects.get(user=therapist)
    client.force_login(clinic_admin)
    assert_queries_do_not_grow(
        client,
        f"/therapists/roster/{membership.pk}/",
        lambda start, stop: _clients(therapist, clinic, start, stop, prefix="rt"),
        django_assert_max_num_queries,
    )


def test_change_log_is_bounded(
    client, therapist, clinic, clinic_admin, django_assert_max_num_queries
):
    membership = ClinicMembership.objects.get(user=therapist)

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            services.therapist_set_weekly_hours(
                membership=membership, by=clinic_admin, hours=10 + i, now=timezone.now()
            )

    client.force_login(clinic_admin)
    assert_queries_do_not_grow(
        client, "/therapists/roster/log/", add, django_assert_max_num_queries
    )
