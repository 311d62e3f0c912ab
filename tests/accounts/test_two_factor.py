"""Two-step sign-in: TOTP with encrypted secrets, recovery codes, no replays."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from accounts import twofactor
from accounts.security_models import RecoveryCode, TotpDevice
from tests.accounts.conftest import SECRET
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def _two_step(client, password_login, user, code):
    response = password_login(client, user.email)
    assert response.status_code == 302 and response["Location"] == "/login/verify/"
    return client.post("/login/verify/", {"code": code})


def test_password_alone_does_not_sign_in_an_enrolled_person(
    client, therapist, enrol, password_login
):
    enrol(therapist)
    response = password_login(client, therapist.email)
    assert response["Location"] == "/login/verify/"
    assert client.get("/dashboard/")["Location"].startswith("/login/")


def test_password_and_code_sign_in(client, therapist, enrol, password_login, code_now):
    enrol(therapist)
    response = _two_step(client, password_login, therapist, code_now())
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_a_code_works_once_sequentially(therapist, enrol, password_login, code_now):
    enrol(therapist)
    code = code_now()
    first, second = Client(), Client()
    assert _two_step(first, password_login, therapist, code)["Location"] == "/dashboard/"
    replay = _two_step(second, password_login, therapist, code)
    assert replay.status_code == 200
    assert "not valid" in replay.content.decode()
    assert second.get("/dashboard/").status_code == 302


def test_wrong_code_is_refused(client, therapist, enrol, password_login):
    enrol(therapist)
    response = _two_step(client, password_login, therapist, "000000")
    assert response.status_code == 200 and "not valid" in response.content.decode()


def test_recovery_code_signs_in_once(therapist, enrol, password_login):
    enrol(therapist)
    codes = twofactor.recovery_codes_regenerate(user=therapist)
    assert len(codes) == 10
    assert _two_step(Client(), password_login, therapist, codes[0])["Location"] == "/dashboard/"
    again = _two_step(Client(), password_login, therapist, codes[0])
    assert again.status_code == 200 and "not valid" in again.content.decode()
    assert twofactor.recovery_codes_left(therapist) == 9


def test_therapist_without_device_must_enrol_before_anything_else(
    client, therapist, password_login
):
    response = password_login(client, therapist.email)
    assert response["Location"] == "/account/security/2fa/setup/"
    for path in ("/dashboard/", "/sessions/notes/", "/account/data/"):
        assert client.get(path)["Location"] == "/account/security/2fa/setup/"
    assert client.get("/api/health").status_code == 403
    page = client.get("/account/security/2fa/setup/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TotpDevice.objects.get(user=therapist, confirmed=False)
    done = client.post("/account/security/2fa/setup/", {"code": twofactor.totp_code(device.secret)})
    assert done.status_code == 200 and b"recovery-codes" in done.content
    assert client.get("/dashboard/").status_code == 200
    assert twofactor.has_2fa(therapist)


def test_clinic_admin_must_enrol_too(client, clinic_admin, password_login):
    assert password_login(client, clinic_admin.email)["Location"].endswith("/2fa/setup/")


def test_two_factor_is_optional_for_clients(client, partner_a, password_login):
    assert password_login(client, partner_a.email)["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_client_can_turn_it_on_and_off(client, partner_a, password_login):
    password_login(client, partner_a.email)
    client.get("/account/security/2fa/setup/")
    device = TotpDevice.objects.get(user=partner_a)
    client.post("/account/security/2fa/setup/", {"code": twofactor.totp_code(device.secret)})
    assert twofactor.has_2fa(partner_a)
    client.post("/account/security/2fa/disable/", {"proof": PASSWORD})
    assert not twofactor.has_2fa(partner_a)


def test_turning_it_off_needs_the_password_or_a_current_code(client, partner_a, enrol, code_now):
    """Security test finding 8: a session alone (a borrowed laptop) cannot turn it off."""
    enrol(partner_a)
    client.force_login(partner_a)
    for proof in ({}, {"proof": ""}, {"proof": "wrong password"}, {"proof": "000000"}):
        response = client.post("/account/security/2fa/disable/", proof, follow=True)
        assert "Enter your password or a current code" in response.content.decode()
        assert twofactor.has_2fa(partner_a)
    client.post("/account/security/2fa/disable/", {"proof": code_now()})
    assert not twofactor.has_2fa(partner_a)


def test_therapist_cannot_turn_it_off(client, therapist, enrol):
    enrol(therapist)
    client.force_login(therapist)
    client.post("/account/security/2fa/disable/", {"proof": PASSWORD})
    assert twofactor.has_2fa(therapist)


def test_totp_secret_is_encrypted_at_rest(therapist, enrol):
    device = enrol(therapist)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice")
        raw = cursor.fetchone()[0]
    assert SECRET not in raw and raw.startswith("duet1:")
    assert TotpDevice.objects.get(pk=device.pk).secret == SECRET


def test_recovery_codes_are_stored_hashed(therapist):
    codes = twofactor.recovery_codes_regenerate(user=therapist)
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not any(c in h or c.replace("-", "") in h for c in codes for h in stored)


def _race(fn, n=2):
    """Run ``fn`` in ``n`` threads released together; each thread gets its own DB
    connection. Returns the results."""
    barrier = threading.Barrier(n)
    results: list = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(fn())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_totp_replay_accepts_one(therapist, enrol):
    device = enrol(therapist)
    at = time.time()
    code = twofactor.totp_code(SECRET, at)
    for _ in range(3):  # repeat so a lucky interleaving cannot hide a race
        TotpDevice.objects.filter(pk=device.pk).update(last_t=-1)
        results = _race(
            lambda: twofactor.totp_verify(
                device=TotpDevice.objects.get(pk=device.pk), token=code, at=at
            ),
            n=4,
        )
        assert sorted(results) == [False, False, False, True]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_recovery_code_use_accepts_one(therapist):
    codes = twofactor.recovery_codes_regenerate(user=therapist)
    results = _race(
        lambda: twofactor.recovery_code_use(user=therapist, code=codes[0], now=timezone.now()), n=4
    )
    assert sorted(results) == [False, False, False, True]


def test_sequential_totp_replay_at_the_service(therapist, enrol):
    device = enrol(therapist)
    at = time.time()
    code = twofactor.totp_code(SECRET, at)
    assert twofactor.totp_verify(device=device, token=code, at=at)
    stale = TotpDevice.objects.get(pk=device.pk)
    assert not twofactor.totp_verify(device=stale, token=code, at=at)
    # an older code (previous step) is refused too once a newer one was used
    assert not twofactor.totp_verify(device=stale, token=twofactor.totp_code(SECRET, at - 30))
