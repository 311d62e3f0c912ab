"""Access follows care and membership.

* A therapist whose only booking with a couple was cancelled reads nothing of theirs and
  cannot act on them; journal consent names the therapist it was given to.
* A partner who joins after another left reads only the shared writing from after they
  joined.
* The other partner learns nothing of a private answer or a draft.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import CoupleMembership
from accounts.services import couple_leave
from core.errors import DomainError
from messaging import services as messaging_services
from scheduling.models import Booking
from sessions_app.services import homework, journal
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def _booking(therapist, couple, clinic, status, *, days=-1):
    start = timezone.now() + timedelta(days=days)
    return Booking.objects.create(
        therapist=therapist,
        couple=couple,
        clinic=clinic,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        status=status,
    )


@pytest.fixture
def cancelled(clinic, couple, partner_a, partner_b, therapist):
    """Sam and Aiko see ``therapist``; their one booking with Casey was cancelled."""
    from tests.conftest import _therapist

    casey = _therapist("casey@example.com", "Casey Cancelled", "UTC", clinic)
    _booking(therapist, couple, clinic, Booking.Status.COMPLETED)
    gone = _booking(casey, couple, clinic, Booking.Status.CANCELLED, days=2)
    now = timezone.now()
    journal.journal_write(user=partner_a, couple=couple, kind="shared", body="OURS-1", now=now)
    journal.goal_create(user=partner_a, couple=couple, title="GOAL-1", now=now)
    for p in (partner_a, partner_b):
        journal.journal_consent_set(user=p, couple=couple, therapist=therapist, allow=True, now=now)
    return casey, gone


def test_a_cancelled_therapist_reads_nothing_and_cannot_act(client, couple, cancelled, partner_a):
    casey, gone = cancelled
    client.force_login(casey)
    assert client.get(f"/sessions/couples/{couple.pk}/journal/").status_code == 404
    prep = client.get(f"/sessions/{gone.pk}/prepare/")
    assert prep.status_code == 404 and b"GOAL-1" not in prep.content
    assert client.get(f"/sessions/{gone.pk}/wrap-up/").status_code == 404
    assert client.post(f"/sessions/couples/{couple.pk}/goals/", {"title": "x"}).status_code == 404
    assert client.post("/sessions/messages/start/", {"couple": couple.pk}).status_code in (403, 404)
    with pytest.raises(DomainError):
        messaging_services.thread_open(user=casey, couple=couple)
    # Consent cannot be given to a therapist who is not the couple's.
    with pytest.raises(DomainError):
        journal.journal_consent_set(
            user=partner_a, couple=couple, therapist=casey, allow=True, now=timezone.now()
        )


def test_consent_names_the_therapist_it_was_given_to(client, couple, cancelled, therapist, clinic):
    from tests.conftest import _therapist

    client.force_login(therapist)
    assert b"OURS-1" in client.get(f"/sessions/couples/{couple.pk}/journal/").content
    # A second therapist of care does not inherit the consent given to the first.
    second = _therapist("second@example.com", "Sasha Second", "UTC", clinic)
    _booking(second, couple, clinic, Booking.Status.CONFIRMED, days=3)
    client.force_login(second)
    page = client.get(f"/sessions/couples/{couple.pk}/journal/")
    assert page.status_code == 200 and b"OURS-1" not in page.content


@pytest.fixture
def new_partner(couple, partner_a, partner_b, therapist, clinic):
    """Aiko (partner_b) wrote shared things, left; Noor joined Sam's couple after."""
    CoupleMembership.objects.filter(couple=couple).update(
        joined_at=timezone.now() - timedelta(days=30)
    )
    booking = _booking(therapist, couple, clinic, Booking.Status.COMPLETED)
    past = timezone.now() - timedelta(hours=1)
    journal.journal_write(user=partner_b, couple=couple, kind="shared", body="OLD-ENTRY", now=past)
    journal.goal_create(user=partner_b, couple=couple, title="OLD-GOAL", now=past)
    hw = homework.homework_assign(
        therapist=therapist,
        couple=couple,
        booking=booking,
        due_at=past + timedelta(days=5),
        audience="both",
        title="OLD-HOMEWORK",
        instructions="",
        now=past,
    )
    homework.homework_respond(
        user=partner_b, assignment=hw, body="OLD-ANSWER", visibility="shared", done=True, now=past
    )
    thread = messaging_services.thread_open(user=partner_b, therapist=therapist)
    messaging_services.message_post(thread=thread, author=partner_b, body="OLD-MESSAGE", now=past)
    couple_leave(user=partner_b, now=timezone.now() - timedelta(minutes=2))
    noor = make_user("noor@example.com", "Noor Newman")
    CoupleMembership.objects.create(
        couple=couple, user=noor, seat=2, joined_at=timezone.now() - timedelta(minutes=1)
    )
    journal.journal_write(
        user=partner_a, couple=couple, kind="shared", body="NEW-ENTRY", now=timezone.now()
    )
    messaging_services.message_post(
        thread=thread, author=partner_a, body="NEW-MESSAGE", now=timezone.now()
    )
    return noor, hw, thread


def test_a_new_partner_reads_only_what_was_written_after_they_joined(client, new_partner):
    noor, hw, thread = new_partner
    client.force_login(noor)
    pages = "".join(
        client.get(url).content.decode()
        for url in (
            "/sessions/journal/?tab=shared",
            "/sessions/goals/",
            "/sessions/",
            "/sessions/homework/",
            f"/sessions/messages/{thread.pk}/",
            "/api/sessions/homework",
        )
    )
    assert "NEW-ENTRY" in pages and "NEW-MESSAGE" in pages
    for old in ("OLD-ENTRY", "OLD-GOAL", "OLD-HOMEWORK", "OLD-ANSWER", "OLD-MESSAGE"):
        assert old not in pages, old
    assert client.get(f"/sessions/homework/{hw.pk}/").status_code == 404


def test_the_partner_who_stayed_still_reads_everything(client, new_partner, partner_a):
    client.force_login(partner_a)
    page = client.get("/sessions/journal/?tab=shared").content.decode()
    assert "OLD-ENTRY" in page and "NEW-ENTRY" in page


def test_a_private_answer_or_a_draft_is_not_announced_to_the_other_partner(
    client, couple, partner_a, partner_b, therapist, clinic
):
    booking = _booking(therapist, couple, clinic, Booking.Status.COMPLETED)
    now = timezone.now()
    assigned = []
    for title in ("Private one", "Draft one"):
        assigned.append(
            homework.homework_assign(
                therapist=therapist,
                couple=couple,
                booking=booking,
                due_at=now + timedelta(days=5),
                audience="both",
                title=title,
                instructions="",
                now=now,
                reveal_when_both_done=True,
            )
        )
    homework.homework_respond(
        user=partner_a,
        assignment=assigned[0],
        body="mine",
        visibility="private",
        done=True,
        now=now,
    )
    homework.homework_respond(
        user=partner_a,
        assignment=assigned[1],
        body="half",
        visibility="shared",
        done=False,
        now=now,
    )
    client = Client()
    client.force_login(partner_b)
    for a in assigned:
        page = client.get(f"/sessions/homework/{a.pk}/").content.decode()
        assert "Your partner's answer" not in page and "Your partner&#x27;s answer" not in page
