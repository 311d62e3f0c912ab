"""The between-sessions API: same rules as the pages, errors as {detail, code}."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions_app.services.homework import homework_assign, homework_cancel
from tests.sessions_app.conftest import make_booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(couple, therapist):
    session = make_booking(couple, therapist, timezone.now() - timedelta(hours=1))
    return homework_assign(
        therapist=therapist,
        couple=couple,
        booking=session,
        title="Time-out plan",
        instructions="Plan",
        audience="both",
        due_at=timezone.now() + timedelta(days=3),
        now=timezone.now(),
    )


def _put(client, assignment, payload):
    return client.put(
        f"/api/sessions/homework/{assignment.pk}/response",
        payload,
        content_type="application/json",
    )


def test_complete_through_the_api(client, partner_a, assignment):
    client.force_login(partner_a)
    r = _put(client, assignment, {"body": "Done it", "visibility": "shared", "done": True})
    assert r.status_code == 200
    me = next(p for p in r.json()["progress"] if p["user_id"] == partner_a.pk)
    assert me["done"] is True
    listed = client.get("/api/sessions/homework").json()
    assert [h["id"] for h in listed] == [str(assignment.pk)]


def test_bad_input_names_the_field(client, partner_a, assignment):
    client.force_login(partner_a)
    r = _put(client, assignment, {"visibility": "everyone"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "visibility"


def test_withdrawn_homework_answers_a_domain_error(client, partner_a, therapist, assignment):
    homework_cancel(therapist=therapist, assignment=assignment, now=timezone.now())
    client.force_login(partner_a)
    r = _put(client, assignment, {"done": True})
    assert r.status_code == 400 and r.json()["code"] == "cancelled"


def test_therapist_cannot_respond_and_strangers_get_404(
    client, therapist, other_partner, assignment
):
    client.force_login(therapist)
    r = _put(client, assignment, {"done": True})
    assert r.status_code == 403 and r.json()["code"] == "cannot_respond"
    client.force_login(other_partner)
    assert _put(client, assignment, {"done": True}).status_code == 404
    assert client.get(f"/api/sessions/homework/{assignment.pk}").status_code == 404
