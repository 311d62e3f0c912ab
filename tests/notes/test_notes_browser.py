"""A real Chromium: a therapist signs in with password + TOTP, writes and signs a note;
a partner of that couple cannot reach it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.security_models import TotpDevice
from accounts.twofactor import totp_code
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "3132333435363738393031323334353637383930"
MARKER = "MARKER-browser-note-infidelity-7d1e"


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sign_in(page, base, email):
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_therapist_writes_and_signs_a_note_partner_cannot_reach_it(
    live_server, new_context, fast_hashing, couple, partner_a, therapist, clinic
):
    from scheduling.models import Booking

    # Users were created before the hasher switch: give them an MD5 hash now.
    for user in (partner_a, therapist):
        user.set_password(PASSWORD)
        user.save()
    TotpDevice.objects.create(user=therapist, name="Phone", confirmed=True, secret=SECRET)
    start = timezone.now() - timedelta(hours=2)
    Booking.objects.create(
        therapist=therapist, couple=couple, clinic=clinic, starts_at=start,
        ends_at=start + timedelta(minutes=50), status="completed",
    )  # fmt: skip
    base = live_server.url

    doctor = new_context().new_page()
    _sign_in(doctor, base, therapist.email)
    doctor.wait_for_url(f"{base}/login/verify/")
    doctor.fill("#id_code", totp_code(SECRET))
    doctor.click("button[type=submit]")
    doctor.wait_for_url(f"{base}/dashboard/")

    doctor.goto(f"{base}/sessions/notes/")
    doctor.select_option("#id_template", "soap")
    doctor.click("text=Start a draft")
    doctor.wait_for_selector("[data-testid=note-status] >> text=Draft")
    doctor.wait_for_selector("[data-note-form][data-autosave=ready]", state="attached")
    doctor.fill("#id_subjective", MARKER)
    doctor.fill("#id_plan", "Practise the repair conversation twice this week.")
    # Drafts save themselves (debounced) and survive a reload.
    doctor.wait_for_selector("[data-autosave-status] >> text=Draft saved at")
    doctor.reload()
    assert doctor.input_value("#id_subjective") == MARKER
    # Sign signs what is on screen, even text typed a moment ago and never saved.
    doctor.fill("#id_objective", "Typed right before signing")
    doctor.click("text=Sign and lock")
    doctor.wait_for_selector("[data-testid=note-status] >> text=locked")
    assert MARKER in doctor.inner_text("[data-testid=note-body]")
    assert "Typed right before signing" in doctor.inner_text("[data-testid=note-body]")
    assert doctor.locator("#id_subjective").count() == 0  # no longer editable
    note_url = doctor.url

    partner = new_context().new_page()
    _sign_in(partner, base, partner_a.email)
    partner.wait_for_url(f"{base}/dashboard/")
    response = partner.goto(note_url)
    assert response.status == 403
    assert MARKER not in partner.content()
    assert "You don't have access" in partner.content()
