"""Brute force: a cool-off per account and per address, generic messages, no lock-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from accounts import throttle
from accounts.security_models import AuthFailure

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

LOCKED = "Too many attempts"


def _fail(client, email, n, **extra):
    for _ in range(n):
        response = client.post("/login/", {"username": email, "password": "wrong-guess"}, **extra)
        assert response.status_code == 200
    return response


def test_wrong_password_message_is_generic(client, partner_a):
    known = _fail(client, partner_a.email, 1).content.decode()
    unknown = _fail(Client(), "nobody@example.com", 1).content.decode()
    assert throttle.GENERIC_LOGIN_ERROR in known
    assert throttle.GENERIC_LOGIN_ERROR in unknown


def test_account_cools_off_after_repeated_failures_then_reopens(
    client, partner_a, password_login, clock
):
    _fail(client, partner_a.email, 5)
    blocked = password_login(Client(), partner_a.email)  # even the right password waits
    assert blocked.status_code == 200 and LOCKED in blocked.content.decode()
    # Failures were stamped with the pinned clock; 15 minutes later the key reopens.
    clock.advance(timedelta(minutes=15, seconds=1))
    assert password_login(Client(), partner_a.email)["Location"] == "/dashboard/"


def test_unknown_email_locks_the_same_way(client):
    response = _fail(client, "ghost@example.com", 6)
    assert LOCKED in response.content.decode()


def test_failures_for_one_account_do_not_lock_another(client, partner_a, partner_b, password_login):
    _fail(client, partner_a.email, 5)
    assert password_login(Client(), partner_b.email)["Location"] == "/dashboard/"


def test_address_is_throttled_across_accounts(settings, partner_a, password_login):
    settings.LOGIN_FAILURES_PER_IP = 8
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(8):
        _fail(attacker, f"user{i}@example.com", 1)
    assert LOCKED in password_login(attacker, partner_a.email).content.decode()
    # The real person on another address is not affected.
    assert password_login(Client(REMOTE_ADDR="198.51.100.7"), partner_a.email).status_code == 302


def test_success_clears_the_account_counter(client, partner_a, password_login):
    _fail(client, partner_a.email, 4)
    assert password_login(Client(), partner_a.email).status_code == 302
    assert not AuthFailure.objects.filter(account_key=throttle.account_key(partner_a.email))


def test_second_factor_guesses_are_throttled(therapist, enrol, password_login, code_now):
    enrol(therapist)
    client = Client()
    password_login(client, therapist.email)
    for _ in range(5):
        client.post("/login/verify/", {"code": "000000"})
    response = client.post("/login/verify/", {"code": code_now()})
    assert LOCKED in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_failures_store_no_email(client):
    _fail(client, "secret-person@example.com", 1)
    row = AuthFailure.objects.get()
    assert "secret-person" not in row.account_key


def test_entering_the_password_again_does_not_reset_the_code_count(
    therapist, enrol, password_login, code_now
):
    """Security test finding 1: 4 wrong codes, password again, 4 more... never paused."""
    enrol(therapist)
    client = Client()
    for _ in range(3):
        assert password_login(client, therapist.email)["Location"] == "/login/verify/"
        for _ in range(4):
            client.post("/login/verify/", {"code": "000000"})
    response = client.post("/login/verify/", {"code": code_now()})
    assert LOCKED in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_code_failures_clear_only_after_the_second_factor_passes(
    therapist, enrol, password_login, code_now
):
    enrol(therapist)
    client = Client()
    password_login(client, therapist.email)
    for _ in range(3):
        client.post("/login/verify/", {"code": "000000"})
    password_login(Client(), therapist.email)
    assert AuthFailure.objects.filter(account_key=throttle.code_key(therapist.email)).count() == 3
    assert client.post("/login/verify/", {"code": code_now()})["Location"] == "/dashboard/"
    assert not AuthFailure.objects.filter(account_key=throttle.code_key(therapist.email))
