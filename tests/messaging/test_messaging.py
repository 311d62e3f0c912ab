"""Secure messaging: shared and private threads, unread counts, content-free email."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from core.errors import Forbidden
from messaging import selectors as messaging_selectors
from messaging import services as messaging_services
from messaging.models import Thread
from scheduling.signals import message_posted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

MARKER = "MARKER-message-we-fight-about-kids-55d1"


@pytest.fixture
def shared(partner_a, therapist, session_booking):
    return messaging_services.thread_open(user=partner_a, therapist=therapist)


@pytest.fixture
def posted():
    calls = []

    def receiver(sender, thread, message, recipients, **kwargs):
        calls.append((thread.pk, message.pk, sorted(r.email for r in recipients)))

    message_posted.connect(receiver, weak=False, dispatch_uid="test-posted")
    yield calls
    message_posted.disconnect(dispatch_uid="test-posted")


def test_shared_thread_reaches_both_partners_and_therapist(
    client, shared, partner_a, partner_b, therapist, posted, django_capture_on_commit_callbacks
):
    client.force_login(partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/sessions/messages/{shared.pk}/", {"body": MARKER})
    assert response.status_code == 302
    assert posted and posted[0][2] == sorted([partner_b.email, therapist.email])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([partner_b.email, therapist.email])
    for m in mail.outbox:
        assert MARKER not in m.body and MARKER not in m.subject
    for reader in (partner_b, therapist):
        client.force_login(reader)
        inbox = client.get("/sessions/messages/").content.decode()
        assert "1 new" in inbox
        page = client.get(f"/sessions/messages/{shared.pk}/").content.decode()
        assert MARKER in page and "Both partners and the therapist" in page
        assert "1 new" not in client.get("/sessions/messages/").content.decode()


def test_message_body_is_encrypted_at_rest(shared, partner_a):
    messaging_services.message_post(
        thread=shared, author=partner_a, body=MARKER, now=timezone.now()
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM messaging_message")
        assert MARKER not in cursor.fetchone()[0]


def test_private_thread_is_hidden_from_the_other_partner(
    client, partner_a, partner_b, therapist, session_booking
):
    private = messaging_services.thread_open(user=partner_a, therapist=therapist, private=True)
    messaging_services.message_post(
        thread=private, author=partner_a, body=MARKER, now=timezone.now()
    )
    client.force_login(partner_a)
    page = client.get(f"/sessions/messages/{private.pk}/").content.decode()
    assert "your partner cannot see it" in page
    client.force_login(therapist)
    assert MARKER in client.get(f"/sessions/messages/{private.pk}/").content.decode()
    client.force_login(partner_b)
    response = client.get(f"/sessions/messages/{private.pk}/")
    assert response.status_code == 403 and MARKER not in response.content.decode()
    assert MARKER not in client.get("/sessions/messages/").content.decode()


def test_private_messages_follow_the_clinic_setting(
    client, partner_a, therapist, clinic, session_booking
):
    clinic.private_messages = "shared"
    clinic.save()
    with pytest.raises(Forbidden):
        messaging_services.thread_open(user=partner_a, therapist=therapist, private=True)
    client.force_login(partner_a)
    inbox = client.get("/sessions/messages/").content.decode()
    assert "shares every message with both partners" in inbox
    response = client.post(
        "/sessions/messages/start/", {"therapist": therapist.pk, "kind": "private"}
    )
    assert response.status_code == 403


def test_strangers_cannot_read_or_write(
    client, shared, partner_a, other_partner, other_therapist, clinic_admin
):
    messaging_services.message_post(
        thread=shared, author=partner_a, body=MARKER, now=timezone.now()
    )
    for persona in (other_partner, other_therapist, clinic_admin):
        client.force_login(persona)
        assert client.get(f"/sessions/messages/{shared.pk}/").status_code == 403
        assert client.post(f"/sessions/messages/{shared.pk}/", {"body": "hi"}).status_code == 403
        with pytest.raises(Forbidden):
            messaging_services.message_post(
                thread=shared, author=persona, body="hi", now=timezone.now()
            )


def test_no_thread_without_a_session(partner_a, other_therapist, couple):
    with pytest.raises(Forbidden):
        messaging_services.thread_open(user=partner_a, therapist=other_therapist)


def test_therapist_opens_the_couples_shared_thread(client, therapist, couple, session_booking):
    client.force_login(therapist)
    response = client.post("/sessions/messages/start/", {"couple": couple.pk})
    thread = Thread.objects.get()
    assert response["Location"] == f"/sessions/messages/{thread.pk}/"
    assert thread.kind == "shared"


def test_leaving_the_couple_ends_access(shared, partner_a, partner_b):
    from accounts.services import couple_leave

    couple_leave(user=partner_b, now=timezone.now())
    assert not messaging_selectors.threads_for_user(partner_b).exists()
    assert messaging_selectors.threads_for_user(partner_a).exists()


def test_empty_message_is_refused_with_a_field_error(client, shared, partner_a):
    client.force_login(partner_a)
    response = client.post(f"/sessions/messages/{shared.pk}/", {"body": "   "})
    assert response.status_code == 200 and "field-error" in response.content.decode()


def test_a_new_message_rings_the_recipients_bell_with_a_link_to_the_thread(
    client, partner_a, partner_b, therapist, shared
):
    from messaging import services as messaging_services
    from sessions_app.models import Notification

    thread = shared
    messaging_services.message_post(
        thread=thread, author=partner_a, body="Can we move Tuesday?", now=timezone.now()
    )
    for person in (partner_b, therapist):
        note = Notification.objects.get(user=person, kind=Notification.Kind.MESSAGE)
        assert note.url == f"/sessions/messages/{thread.pk}/"
        assert "Tuesday" not in note.title  # the bell never shows content
    assert not Notification.objects.filter(user=partner_a, kind="message").exists()
    client.force_login(partner_b)
    page = client.get("/dashboard/").content.decode()
    assert 'data-testid="bell-count"' in page
