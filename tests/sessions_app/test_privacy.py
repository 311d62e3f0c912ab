"""Privacy: nobody but the author and the therapist reads a private check-in, a private
homework response or a hidden-until-both answer, through ANY page or API endpoint.

The test does not list paths by hand: it walks every URL pattern of sessions_app and
every operation of its API router, fills each parameter with every id that could leak,
and reads the answer as each persona (GET and POST, with and without query strings).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver
from django.utils import timezone

from measures import urls as measure_urls
from measures.api import router as measures_router
from measures.services import measures_answer
from sessions_app import urls as session_urls
from sessions_app.api import router
from sessions_app.models import JournalEntry, Notification
from sessions_app.services.checkins import check_in_submit, reflection_submit
from sessions_app.services.homework import homework_assign, homework_respond
from sessions_app.services.journal import goal_create, journal_write
from tests.sessions_app.conftest import make_booking

pytestmark = pytest.mark.django_db

SECRETS = {
    "check-in talking points": "MARKER-CHECKIN-A",
    "check-in safety note": "MARKER-SAFETY-A",
    "private homework response": "MARKER-PRIVATE-A",
    "hidden-until-both answer": "MARKER-HIDDEN-A",
    "private journal": "MARKER-JOURNAL-A",
    "reflection": "MARKER-REFLECT-A",
}
# Pages that also serve the shared dashboards and header.
EXTRA_PAGES = ["/dashboard/", "/scheduling/mine/", "/couple/", "/profile/"]


@pytest.fixture
def world(couple, partner_a, partner_b, therapist, monkeypatch):
    now = timezone.now()
    upcoming = make_booking(couple, therapist, now + timedelta(days=1))
    past = make_booking(couple, therapist, now - timedelta(hours=3))
    check_in_submit(
        user=partner_a,
        booking=upcoming,
        mood=2,
        talking_points=SECRETS["check-in talking points"],
        feels_safe="no",
        can_speak_freely="unsure",
        safety_note=SECRETS["check-in safety note"],
        now=now,
    )
    private_hw = homework_assign(
        therapist=therapist,
        couple=couple,
        booking=past,
        title="Time-out plan",
        instructions="Plan it",
        audience="both",
        due_at=now + timedelta(days=5),
        now=now,
    )
    homework_respond(
        user=partner_a,
        assignment=private_hw,
        body=SECRETS["private homework response"],
        visibility="private",
        done=True,
        now=now,
    )
    hidden_hw = homework_assign(
        therapist=therapist,
        couple=couple,
        booking=past,
        title="Appreciation log",
        instructions="Daily",
        audience="both",
        due_at=now + timedelta(days=5),
        reveal_when_both_done=True,
        now=now,
    )
    homework_respond(
        user=partner_a,
        assignment=hidden_hw,
        body=SECRETS["hidden-until-both answer"],
        visibility="shared",
        done=True,
        now=now,
    )
    # Aiko has started but not finished her own part.
    homework_respond(
        user=partner_b, assignment=hidden_hw, body="draft", visibility="shared", done=False, now=now
    )
    solo_hw = homework_assign(
        therapist=therapist,
        couple=couple,
        booking=past,
        title="Solo",
        instructions="Alone",
        audience="one",
        assignee=partner_a,
        due_at=now + timedelta(days=5),
        now=now,
    )
    homework_respond(
        user=partner_a,
        assignment=solo_hw,
        body=SECRETS["private homework response"],
        visibility="shared",
        done=True,
        now=now,
    )
    entry = journal_write(
        user=partner_a, couple=couple, kind="private", body=SECRETS["private journal"], now=now
    )
    reflection_submit(
        user=partner_a,
        booking=past,
        rating=3,
        what_helped=SECRETS["reflection"],
        what_to_work_on="",
        now=now,
    )
    goal = goal_create(user=partner_a, couple=couple, title="Shared goal", now=now)
    # Sam's questionnaire answers. Numbers carry no marker, so each answer's id
    # is its marker: pages and the API show it only to Sam and the therapist.
    answers = measures_answer(
        user=partner_a,
        booking=upcoming,
        moment="before",
        answers={
            "wellbeing": {"me": 3, "relationship": 2, "daily": 4, "overall": 3},
        },
        now=now,
    )
    answers += measures_answer(
        user=partner_a,
        booking=past,
        moment="after",
        answers={"alliance": {"heard": 6, "goals": 7, "approach": 5, "overall": 6}},
        now=now,
    )
    for answer in answers:
        monkeypatch.setitem(SECRETS, f"{answer.instrument} answer", str(answer.pk))
    return {
        "answer_id": [a.pk for a in answers],
        "clinic_id": [therapist.therapist_profile.clinic_id],
        "booking_id": [upcoming.pk, past.pk],
        "assignment_id": [private_hw.pk, hidden_hw.pk, solo_hw.pk],
        "entry_id": [entry.pk],
        "goal_id": [goal.pk],
        "couple_id": [couple.pk],
        "notification_id": list(
            Notification.objects.filter(user=partner_a).values_list("pk", flat=True)
        )
        or ["00000000-0000-0000-0000-000000000000"],
    }


def _fill(route: str, world: dict) -> list[str]:
    """Every concrete path for a route template (Django <conv:name> or ninja {name})."""
    names = re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", route)
    paths = [route]
    for django_name, ninja_name in names:
        name = django_name or ninja_name
        # Notes and messages have their own ids; the global authorization sweep
        # (tests/security) covers them with planted objects.
        values = world.get(name, ["00000000-0000-0000-0000-000000000000"])
        paths = [
            re.sub(rf"<(?:\w+:)?{name}>|\{{{name}\}}", str(v), p, count=1)
            for p in paths
            for v in values
        ]
    return paths


def _routes(patterns, prefix: str = ""):
    """Every route under /sessions/, following includes (notes, messages)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _page_paths(world) -> list[str]:
    paths = []
    for route in _routes(session_urls.urlpatterns):
        paths += ["/sessions/" + p for p in _fill(route, world)]
    for route in _routes(measure_urls.urlpatterns):
        paths += ["/measures/" + p for p in _fill(route, world)]
    return paths


def _api_paths(world) -> list[tuple[str, list[str]]]:
    out = []
    for prefix, api_router in (("/api/sessions", router), ("/api/measures", measures_router)):
        for route, operation in api_router.path_operations.items():
            methods = sorted({m for op in operation.operations for m in op.methods})
            out += [(prefix + p, methods) for p in _fill(route, world)]
    return out


def _leaks(text: str, allowed: set[str] = frozenset()) -> list[str]:
    return [label for label, marker in SECRETS.items() if marker in text and label not in allowed]


@pytest.mark.parametrize(
    "viewer_name",
    ["partner_b", "other_partner", "other_therapist", "clinic_admin", "other_admin", None],
)
def test_nobody_else_reads_a_private_answer_anywhere(client, request, world, viewer_name):
    if viewer_name:
        client.force_login(request.getfixturevalue(viewer_name))
    checked = 0
    for path in [*_page_paths(world), *EXTRA_PAGES]:
        for query in ("", "?tab=private", "?tab=shared") if "journal" in path else ("",):
            response = client.get(path + query)
            assert response.status_code < 500, path
            assert not _leaks(response.content.decode(errors="replace")), (viewer_name, path)
            checked += 1
        response = client.post(path, {})
        assert response.status_code < 500, path
        assert not _leaks(response.content.decode(errors="replace")), (viewer_name, path, "POST")
    for path, methods in _api_paths(world):
        for method in methods:
            if method == "GET":
                response = client.get(path)
            else:
                # Writes that keep the world as it is (finishing her own part would
                # legitimately reveal a hidden-until-both answer).
                response = client.generic(
                    method,
                    path,
                    data=b'{"body": "x", "done": false}',
                    content_type="application/json",
                )
            assert response.status_code < 500, (method, path)
            assert not _leaks(response.content.decode(errors="replace")), (
                viewer_name,
                method,
                path,
            )
            checked += 1
    assert checked > 50


def test_partner_b_sees_done_but_not_the_private_answers(client, world, partner_b):
    client.force_login(partner_b)
    private_id, hidden_id, solo_id = world["assignment_id"]
    page = client.get(f"/sessions/homework/{private_id}/").content.decode()
    # Finished, yes; that a private answer exists, no.
    assert "Sam: done" in page and "Your partner's answer" not in page
    page = client.get(f"/sessions/homework/{hidden_id}/").content.decode()
    assert "Sam: done" in page and "revealed when you have both finished" in page
    assert client.get(f"/sessions/homework/{solo_id}/").status_code == 404
    api = client.get(f"/api/sessions/homework/{private_id}").json()
    assert [p["done"] for p in api["progress"]] == [True, False]
    assert all(r["author_id"] == partner_b.pk for r in api["responses"])
    assert client.get(f"/api/sessions/bookings/{world['booking_id'][0]}/check-ins").json() == []


def test_the_therapist_reads_them_but_never_the_private_journal(client, world, therapist):
    client.force_login(therapist)
    seen = ""
    for path in _page_paths(world):
        seen += client.get(path).content.decode(errors="replace")
    for path, methods in _api_paths(world):
        if "GET" in methods:
            seen += client.get(path).content.decode(errors="replace")
    leaked = set(_leaks(seen))
    assert leaked == set(SECRETS) - {"private journal"}


def test_partner_a_still_reads_all_of_their_own(client, world, partner_a):
    client.force_login(partner_a)
    seen = ""
    for path in _page_paths(world):
        for query in ("", "?tab=private"):
            seen += client.get(path + query).content.decode(errors="replace")
    for path, methods in _api_paths(world):
        if "GET" in methods:
            seen += client.get(path).content.decode(errors="replace")
    assert set(_leaks(seen)) == set(SECRETS)


def test_private_journal_rows_are_not_even_listed_to_the_partner(world, partner_b, couple):
    from sessions_app.selectors import journal_for_partner

    entries = journal_for_partner(partner_b, couple)
    assert not [e for e in entries["private"] if e.author_id != partner_b.pk]
    assert JournalEntry.objects.filter(kind="private").count() == 1
