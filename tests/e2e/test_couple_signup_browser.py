"""A real Chromium: sign up, invite the partner, accept in a second context."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_up(page, base, name, email, *, next_path=""):
    page.goto(f"{base}/signup/{next_path}")
    page.fill("#id_full_name", name)
    page.fill("#id_email", email)
    page.fill("#id_password1", "a-long-enough-passphrase")
    page.fill("#id_password2", "a-long-enough-passphrase")
    page.click("button[type=submit]")
    _confirm(page, email)


def _confirm(page, email):
    """Open the emailed link, as the person would (sign-up confirms by email)."""
    page.wait_for_selector("text=Check your email")
    body = next(m for m in reversed(mail.outbox) if m.to == [email]).body
    page.goto(re.search(r"http://\S+/signup/confirm/\S+", body).group(0))


def test_sign_up_invite_and_accept_in_two_browsers(live_server, new_context, settings):
    settings.SITE_URL = live_server.url
    base = live_server.url
    sam = new_context(timezone_id="America/Los_Angeles").new_page()
    _sign_up(sam, base, "Sam Carter", "sam@example.com")
    sam.wait_for_url(f"{base}/dashboard/")

    from accounts.models import User

    # The sign-up page filled the zone from the browser (Intl API).
    assert User.objects.get(email="sam@example.com").time_zone == "America/Los_Angeles"

    sam.click("text=Set up your couple")
    sam.click("text=Start a couple")
    sam.fill("#id_email", "aiko@example.com")
    sam.click("text=Send invitation")
    sam.wait_for_selector("text=Invitation sent to aiko@example.com")
    link = re.search(r"http://\S+/invite/\S+/", mail.outbox[-1].body).group(0)

    aiko = new_context(timezone_id="Asia/Tokyo").new_page()
    aiko.goto(link)
    aiko.click("text=Create my account")
    assert aiko.input_value("#id_email") == "aiko@example.com"
    aiko.fill("#id_full_name", "Aiko Tanaka")
    aiko.fill("#id_password1", "a-long-enough-passphrase")
    aiko.fill("#id_password2", "a-long-enough-passphrase")
    aiko.click("button[type=submit]")
    _confirm(aiko, "aiko@example.com")
    # Confirming the account made from the link accepts it: straight to the dashboard.
    aiko.wait_for_url(f"{base}/dashboard/")
    assert "You joined Sam on Duet" in aiko.inner_text(".messages")
    assert User.objects.get(email="aiko@example.com").time_zone == "Asia/Tokyo"

    for page in (aiko, sam):
        page.goto(f"{base}/dashboard/")
        partners = page.locator("[data-testid=couple-status]").inner_text()
        assert "Sam" in partners and "Aiko" in partners
