"""Check-ins (private to the therapist, safety alerts), journal and goals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import DomainError
from sessions_app.models import CheckIn, JournalEntry, Reminder
from sessions_app.selectors import journal_for_partner, journal_for_therapist
from sessions_app.services.checkins import check_in_submit
from sessions_app.services.dispatch import reminders_dispatch_due
from sessions_app.services.journal import (
    goal_create,
    goal_update,
    journal_consent_set,
    journal_write,
)
from tests.sessions_app.conftest import make_booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def upcoming(couple, therapist):
    return make_booking(couple, therapist, timezone.now() + timedelta(days=1))


def _check_in(user, booking, **kw):
    data = {"mood": 6, "talking_points": "", "feels_safe": "yes", "can_speak_freely": "yes"}
    data.update(kw)
    return check_in_submit(user=user, booking=booking, now=timezone.now(), **data)


def test_check_in_through_the_page_and_edit_it(client, partner_a, upcoming):
    client.force_login(partner_a)
    url = f"/sessions/{upcoming.pk}/check-in/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"mood": "11", "feels_safe": "yes", "can_speak_freely": "yes"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    ok = client.post(
        url,
        {"mood": "7", "talking_points": "Holidays", "feels_safe": "yes", "can_speak_freely": "yes"},
    )
    assert ok.status_code == 302
    client.post(
        url,
        {
            "mood": "5",
            "talking_points": "Holidays and money",
            "feels_safe": "yes",
            "can_speak_freely": "yes",
        },
    )
    c = CheckIn.objects.get()
    assert (c.mood, c.talking_points) == (5, "Holidays and money")
    assert "Holidays and money" in client.get(url).content.decode()


def test_concerning_answer_alerts_the_therapist_privately(
    partner_a, partner_b, therapist, upcoming
):
    _check_in(partner_a, upcoming, feels_safe="no", safety_note="He shouts")
    _check_in(partner_a, upcoming, feels_safe="unsure")  # editing does not alert twice
    assert Reminder.objects.filter(kind="safety_alert").count() == 1
    reminders_dispatch_due(now=timezone.now())
    assert [m.to[0] for m in mail.outbox] == [therapist.email]
    body = mail.outbox[0].body
    assert "He shouts" not in body and partner_a.name not in body
    assert f"/sessions/{upcoming.pk}/prepare/" in body


def test_a_safe_check_in_alerts_nobody(partner_a, upcoming):
    _check_in(partner_a, upcoming)
    assert not Reminder.objects.filter(kind="safety_alert").exists()


def test_check_in_closed_after_the_session(partner_a, couple, therapist):
    past = make_booking(couple, therapist, timezone.now() - timedelta(hours=3))
    with pytest.raises(DomainError):
        _check_in(partner_a, past)


def test_therapist_prepare_page_shows_check_ins_and_alert(client, partner_a, therapist, upcoming):
    _check_in(partner_a, upcoming, talking_points="Chores", can_speak_freely="no")
    client.force_login(therapist)
    page = client.get(f"/sessions/{upcoming.pk}/prepare/").content.decode()
    assert "Chores" in page and 'data-testid="safety-alert"' in page
    dash = client.get("/dashboard/").content.decode()
    assert "Needs attention" in dash and "check-ins 1/2" in dash


def test_journal_private_and_shared_and_consent(couple, partner_a, partner_b, therapist, upcoming):
    now = timezone.now()
    journal_write(user=partner_a, couple=couple, kind="private", body="Only mine", now=now)
    journal_write(user=partner_a, couple=couple, kind="shared", body="Ours", now=now)
    assert [e.body for e in journal_for_partner(partner_b, couple)["shared"]] == ["Ours"]
    assert journal_for_partner(partner_b, couple)["private"] == []
    assert journal_for_therapist(couple) is None
    journal_consent_set(user=partner_a, couple=couple, allow=True, now=now)
    assert journal_for_therapist(couple) is None, "both partners must allow it"
    journal_consent_set(user=partner_b, couple=couple, allow=True, now=now)
    assert [e.body for e in journal_for_therapist(couple)] == ["Ours"]
    journal_consent_set(user=partner_b, couple=couple, allow=False, now=now)
    assert journal_for_therapist(couple) is None


def test_journal_pages(client, couple, partner_a, partner_b, therapist, upcoming):
    client.force_login(partner_a)
    r = client.post("/sessions/journal/", {"kind": "private", "body": "Dear diary"})
    assert r.status_code == 302 and r.url.endswith("?tab=private")
    assert "Dear diary" in client.get("/sessions/journal/?tab=private").content.decode()
    client.post("/sessions/journal/", {"kind": "shared", "body": "We did well"})
    client.post("/sessions/journal/consent/", {"allow": "1"})
    client.force_login(partner_b)
    shared = client.get("/sessions/journal/?tab=shared").content.decode()
    assert "We did well" in shared and "Dear diary" not in shared
    client.post("/sessions/journal/consent/", {"allow": "1"})
    client.force_login(therapist)
    page = client.get(f"/sessions/couples/{couple.pk}/journal/").content.decode()
    assert "We did well" in page and "Dear diary" not in page
    entry = JournalEntry.objects.get(kind="shared")
    client.force_login(partner_b)
    assert client.post(f"/sessions/journal/{entry.pk}/delete/").status_code == 404
    client.force_login(partner_a)
    assert client.post(f"/sessions/journal/{entry.pk}/delete/").status_code == 302
    assert not JournalEntry.objects.filter(pk=entry.pk).exists()


def test_goals_for_partners_and_therapist(
    client, couple, partner_a, partner_b, therapist, other_therapist, other_partner, upcoming
):
    now = timezone.now()
    goal = goal_create(user=therapist, couple=couple, title="Weekly date night", now=now)
    goal_update(user=partner_b, goal=goal, progress=40, status="active", now=now)
    goal.refresh_from_db()
    assert goal.progress == 40
    with pytest.raises(DomainError):
        goal_update(user=other_partner, goal=goal, progress=50, status="active", now=now)
    with pytest.raises(DomainError):
        goal_update(user=partner_a, goal=goal, progress=140, status="active", now=now)
    client.force_login(partner_a)
    assert "Weekly date night" in client.get("/sessions/goals/").content.decode()
    r = client.post(f"/sessions/goals/{goal.pk}/", {"progress": "100", "status": "achieved"})
    assert r.status_code == 302
    client.force_login(other_therapist)
    assert (
        client.post(
            f"/sessions/goals/{goal.pk}/", {"progress": "0", "status": "active"}
        ).status_code
        == 404
    )
    goal.refresh_from_db()
    assert (goal.progress, goal.status) == (100, "achieved")


def test_health_data_reads_are_in_the_audit_log_without_content(
    client, couple, therapist, partner_a
):
    """Reading a check-in or a journal entry appends an audit event: who and what, never
    the text."""
    from datetime import timedelta

    from django.utils import timezone

    from core.models import AuditEvent
    from sessions_app.selectors import (
        check_ins_for_therapist,
        homework_for_couple,
        journal_for_partner,
    )
    from sessions_app.services.checkins import check_in_submit
    from sessions_app.services.homework import homework_assign, homework_respond
    from sessions_app.services.journal import journal_write
    from tests.sessions_app.conftest import make_booking

    now = timezone.now()
    booking = make_booking(couple, therapist, now + timedelta(days=1))
    check_in_submit(
        user=partner_a,
        booking=booking,
        mood=6,
        talking_points="money worries",
        feels_safe="yes",
        can_speak_freely="yes",
        now=now,
    )
    journal_write(user=partner_a, couple=couple, kind="private", body="my diary", now=now)
    assignment = homework_assign(
        therapist=therapist,
        couple=couple,
        due_at=now + timedelta(days=3),
        audience="both",
        title="Log",
        now=now,
    )
    homework_respond(
        user=partner_a,
        assignment=assignment,
        body="money again",
        visibility="private",
        done=True,
        now=now,
    )

    check_ins_for_therapist(therapist, booking)
    journal_for_partner(partner_a, couple)
    homework_for_couple(couple, therapist)

    events = list(AuditEvent.objects.filter(action__endswith=".read"))
    assert {(e.actor_id, e.action) for e in events} >= {
        (therapist.pk, "checkin.read"),
        (partner_a.pk, "journalentry.read"),
        (therapist.pk, "homeworkresponse.read"),
    }
    assert not any("money" in str(vars(e)) or "diary" in str(vars(e)) for e in events)
