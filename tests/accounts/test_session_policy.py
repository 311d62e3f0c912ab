"""Idle timeout, absolute lifetime (pinned time), new session id, revoking everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.security_models import UserSession
from accounts.signals import user_sessions_revoked

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def revoked():
    calls = []

    def receiver(sender, user_id, reason, **kwargs):
        calls.append((user_id, reason))

    user_sessions_revoked.connect(receiver, weak=False, dispatch_uid="test-revoked")
    yield calls
    user_sessions_revoked.disconnect(dispatch_uid="test-revoked")


def _signed_in(password_login, user, **extra) -> Client:
    client = Client(**extra)
    assert password_login(client, user.email).status_code == 302
    return client


def test_idle_for_30_minutes_signs_out(partner_a, password_login, clock):
    client = _signed_in(password_login, partner_a)
    clock.advance(timedelta(minutes=29))
    assert client.get("/dashboard/").status_code == 200
    clock.advance(timedelta(minutes=29))  # activity above reset the idle clock
    assert client.get("/dashboard/").status_code == 200
    clock.advance(timedelta(minutes=30, seconds=1))
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/dashboard/")["Location"].startswith("/login/")


def test_idle_timeout_is_clinic_configurable(therapist, clinic, enrol, password_login, clock):
    from accounts.twofactor import totp_code
    from tests.accounts.conftest import SECRET

    clinic.session_idle_minutes = 10
    clinic.save()
    enrol(therapist)
    client = Client()
    password_login(client, therapist.email)
    client.post("/login/verify/", {"code": totp_code(SECRET)})
    assert client.get("/dashboard/").status_code == 200
    clock.advance(timedelta(minutes=10, seconds=1))
    assert client.get("/dashboard/")["Location"].startswith("/login/")


def test_absolute_lifetime_ends_even_an_active_session(partner_a, password_login, clock, settings):
    client = _signed_in(password_login, partner_a)
    for _ in range(int(settings.SESSION_ABSOLUTE_LIFETIME_SECONDS // 1200)):
        clock.advance(timedelta(minutes=20))
        assert client.get("/dashboard/").status_code == 200
    clock.advance(timedelta(minutes=20))
    assert client.get("/dashboard/")["Location"].startswith("/login/")


def test_expired_api_call_answers_401_json(partner_a, password_login, clock):
    client = _signed_in(password_login, partner_a)
    clock.advance(timedelta(hours=1))
    response = client.get("/api/health")
    assert response.status_code == 401 and response.json()["code"] == "session_expired"


def test_login_issues_a_new_session_id(client, partner_a, password_login):
    client.get("/login/")
    client.session["probe"] = 1
    before = client.cookies.get("sessionid")
    password_login(client, partner_a.email)
    after = client.cookies["sessionid"].value
    assert before is None or before.value != after


def test_logout_ends_every_session_of_that_person(
    partner_a, password_login, revoked, django_capture_on_commit_callbacks
):
    phone = _signed_in(password_login, partner_a, HTTP_USER_AGENT="phone")
    laptop = _signed_in(password_login, partner_a, HTTP_USER_AGENT="laptop")
    assert UserSession.objects.filter(user=partner_a).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        laptop.post("/logout/")
    assert phone.get("/dashboard/")["Location"].startswith("/login/")
    assert not UserSession.objects.filter(user=partner_a).exists()
    assert (partner_a.pk, "logout") in revoked


def test_password_change_ends_every_session(
    partner_a, password_login, revoked, django_capture_on_commit_callbacks
):
    phone = _signed_in(password_login, partner_a)
    laptop = _signed_in(password_login, partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = laptop.post(
            "/account/security/password/",
            {
                "old_password": "correct-horse-battery-staple",
                "new_password1": "a-brand-new-passphrase-9",
                "new_password2": "a-brand-new-passphrase-9",
            },
        )
    assert response.status_code == 302
    for client in (phone, laptop):
        assert client.get("/dashboard/")["Location"].startswith("/login/")
    assert (partner_a.pk, "password_changed") in revoked


def test_deactivation_ends_every_session(
    partner_a, password_login, revoked, django_capture_on_commit_callbacks
):
    phone = _signed_in(password_login, partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        partner_a.is_active = False
        partner_a.save()
    assert phone.get("/dashboard/")["Location"].startswith("/login/")
    assert not Session.objects.filter(
        session_key__in=UserSession.objects.values("session_key")
    ).exists()
    assert (partner_a.pk, "deactivated") in revoked


def test_a_partly_loaded_person_still_signs_out_everywhere(
    partner_a, password_login, revoked, django_capture_on_commit_callbacks
):
    """A query that loads only some columns (the room lists names only) must not loop
    on the credentials it did not load, and a credential set on such an instance still
    counts as a change."""
    from accounts.models import User

    phone = _signed_in(password_login, partner_a)
    names_only = User.objects.only("display_name", "full_name").get(pk=partner_a.pk)
    assert names_only.name == partner_a.name
    names_only.save(update_fields=["full_name"])
    assert phone.get("/dashboard/").status_code == 200 and revoked == []
    with django_capture_on_commit_callbacks(execute=True):
        names_only.set_password("another-new-passphrase-7")
        names_only.save()
    assert phone.get("/dashboard/")["Location"].startswith("/login/")
    assert (partner_a.pk, "password_changed") in revoked


def test_other_people_keep_their_sessions(partner_a, partner_b, password_login):
    a = _signed_in(password_login, partner_a)
    b = _signed_in(password_login, partner_b)
    a.post("/logout/")
    assert b.get("/dashboard/").status_code == 200


def test_password_reset_ends_every_session(
    partner_a, password_login, revoked, django_capture_on_commit_callbacks
):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    phone = _signed_in(password_login, partner_a)
    partner_a.refresh_from_db()
    uid = urlsafe_base64_encode(force_bytes(partner_a.pk))
    token = default_token_generator.make_token(partner_a)
    stranger = Client()
    form_url = stranger.get(f"/password-reset/{uid}/{token}/")["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        stranger.post(
            form_url,
            {"new_password1": "reset-passphrase-42", "new_password2": "reset-passphrase-42"},
        )
    assert phone.get("/dashboard/")["Location"].startswith("/login/")
    assert (partner_a.pk, "password_changed") in revoked
