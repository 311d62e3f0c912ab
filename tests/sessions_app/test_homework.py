"""Homework: library, assignment rules, completion, reveal, due reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import DomainError, Forbidden
from sessions_app.models import ExerciseTemplate, Notification, Reminder
from sessions_app.selectors import homework_view
from sessions_app.services.dispatch import reminders_dispatch_due
from sessions_app.services.homework import (
    homework_assign,
    homework_respond,
    templates_for_therapist,
)
from tests.sessions_app.conftest import make_booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(couple, therapist):
    return make_booking(couple, therapist, timezone.now() - timedelta(hours=1))


def _assign(therapist, couple, session, **kw):
    defaults = {
        "title": "Appreciation log",
        "instructions": "One thing a day.",
        "audience": "both",
        "due_at": timezone.now() + timedelta(days=7),
        "now": timezone.now(),
    }
    defaults.update(kw)
    return homework_assign(therapist=therapist, couple=couple, booking=session, **defaults)


def test_the_library_holds_the_five_exercises():
    titles = set(
        ExerciseTemplate.objects.filter(clinic__isnull=True).values_list("title", flat=True)
    )
    assert titles == {
        "Appreciation log",
        "Stress-reducing conversation",
        "Weekly state-of-the-relationship check-in",
        "Active-listening practice",
        "Time-out plan",
    }


def test_assign_from_the_library_notifies_and_schedules_due_reminders(
    couple, partner_a, partner_b, therapist, session
):
    template = templates_for_therapist(therapist).get(slug="time-out-plan")
    a = _assign(therapist, couple, session, template=template, title="", instructions="")
    assert a.title == "Time-out plan" and "signal" in a.instructions
    assert Notification.objects.filter(kind="homework").count() == 2
    due = Reminder.objects.filter(kind="homework_due")
    assert due.count() == 2
    assert all(r.due_at == a.due_at - timedelta(hours=24) for r in due)


def test_only_the_couples_therapist_assigns(
    couple, other_couple, therapist, other_therapist, session
):
    with pytest.raises(Forbidden):
        _assign(other_therapist, couple, None)
    with pytest.raises(Forbidden):
        _assign(therapist, other_couple, None)


def test_assignment_validation(couple, partner_a, other_partner, therapist, session):
    with pytest.raises(DomainError) as err:
        _assign(therapist, couple, session, audience="one")
    assert err.value.extra["field"] == "assignee"
    with pytest.raises(DomainError):
        _assign(therapist, couple, session, audience="one", assignee=other_partner)
    with pytest.raises(DomainError) as err:
        _assign(therapist, couple, session, due_at=timezone.now() - timedelta(days=1))
    assert err.value.extra["field"] == "due_at"
    with pytest.raises(DomainError):
        _assign(therapist, couple, session, title="", instructions="")


def test_one_partner_assignment_is_invisible_to_the_other(
    couple, partner_a, partner_b, therapist, session
):
    a = _assign(therapist, couple, session, audience="one", assignee=partner_a)
    assert homework_view(a, partner_a) is not None
    assert homework_view(a, partner_b) is None
    with pytest.raises(Forbidden):
        homework_respond(
            user=partner_b,
            assignment=a,
            body="x",
            visibility="shared",
            done=True,
            now=timezone.now(),
        )


def test_reveal_when_both_done(couple, partner_a, partner_b, therapist, session):
    a = _assign(therapist, couple, session, reveal_when_both_done=True)
    now = timezone.now()
    homework_respond(
        user=partner_a, assignment=a, body="SAM-SHARED", visibility="shared", done=True, now=now
    )
    view_b = homework_view(a, partner_b)
    assert [p.done_at is not None for p in view_b.progress] == [True, False]
    assert all("SAM-SHARED" not in r.body for r in view_b.responses)
    assert "revealed when you have both finished" in view_b.hidden_note
    homework_respond(
        user=partner_b, assignment=a, body="AIKO", visibility="shared", done=True, now=now
    )
    assert any("SAM-SHARED" in r.body for r in homework_view(a, partner_b).responses)
    assert any("AIKO" in r.body for r in homework_view(a, partner_a).responses)


def test_joint_homework_is_done_once_and_shared(couple, partner_a, partner_b, therapist, session):
    a = _assign(therapist, couple, session, audience="joint")
    homework_respond(
        user=partner_b,
        assignment=a,
        body="We talked",
        visibility="private",
        done=True,
        now=timezone.now(),
    )
    view_a = homework_view(a, partner_a)
    assert all(p.done_at for p in view_a.progress)
    assert any("We talked" in r.body for r in view_a.responses)


def test_due_reminder_only_when_not_done(couple, partner_a, partner_b, therapist, session):
    now = timezone.now()
    a = _assign(therapist, couple, session, due_at=now + timedelta(days=3), now=now)
    homework_respond(
        user=partner_a, assignment=a, body="", visibility="private", done=True, now=now
    )
    result = reminders_dispatch_due(now=a.due_at - timedelta(hours=23))
    assert result["sent"] == 1 and result["cancelled"] == 1
    assert [m.to[0] for m in mail.outbox] == [partner_b.email]
    assert "One thing a day" not in mail.outbox[0].body
    assert f"/sessions/homework/{a.pk}/" in mail.outbox[0].body


def test_therapist_is_told_when_a_partner_finishes(couple, partner_a, therapist, session):
    a = _assign(therapist, couple, session)
    homework_respond(
        user=partner_a, assignment=a, body="", visibility="private", done=True, now=timezone.now()
    )
    assert Notification.objects.filter(user=therapist, kind="homework").exists()


def test_assign_through_the_wrap_up_page(client, couple, partner_a, partner_b, therapist, session):
    client.force_login(therapist)
    page = client.get(f"/sessions/{session.pk}/wrap-up/")
    assert page.status_code == 200 and "Appreciation log" in page.content.decode()
    template = ExerciseTemplate.objects.get(slug="appreciation-log")
    due = (timezone.now() + timedelta(days=7)).date().isoformat()
    bad = client.post(
        f"/sessions/{session.pk}/wrap-up/",
        {"audience": "one", "due_date": due, "template": template.pk},
    )
    assert "Choose which partner" in bad.content.decode()
    ok = client.post(
        f"/sessions/{session.pk}/wrap-up/",
        {
            "template": template.pk,
            "audience": "both",
            "due_date": due,
            "reveal_when_both_done": "on",
        },
    )
    assert ok.status_code == 302
    a = session.homework.get()
    assert a.reveal_when_both_done and a.title == "Appreciation log"
    # Due at the end of the day on the therapist's clock.
    assert a.due_at.astimezone(therapist.tz).strftime("%H:%M") == "23:59"
