"""A real Chromium: Sam (Los Angeles) books; Aiko (Tokyo) sees the session in Tokyo time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from playwright.sync_api import expect

from scheduling.models import Booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logged_in_context(new_context, live_server, user, zone):
    client = Client()
    client.force_login(user)
    ctx = new_context(timezone_id=zone)
    ctx.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return ctx


def test_partner_in_los_angeles_books_and_partner_in_tokyo_sees_tokyo_time(
    live_server, new_context, settings, partner_a, partner_b, couple, therapist, open_type
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    sam = _logged_in_context(new_context, live_server, partner_a, "America/Los_Angeles").new_page()
    sam.goto(f"{base}/therapists/{therapist.therapist_profile.pk}/")
    sam.click("text=Book a session")
    sam.wait_for_selector("[data-testid=week]")
    assert "America/Los_Angeles" in sam.inner_text("[data-testid=week-zone]")
    # Switch the shown zone and back: the week re-renders in that zone. Picking a zone
    # loads the page for it once the page's module has run (by "load"; a choice made
    # sooner is a plain select, and under CI load the test was that quick).
    sam.wait_for_load_state()
    with sam.expect_navigation():
        sam.select_option("[data-testid=zone-select]", "Europe/Warsaw")
    # expect() polls from Playwright's own world; a plain-expression wait_for_function
    # re-evaluates a string on every poll, which the page's CSP (no 'unsafe-eval') refuses
    expect(sam.locator("[data-testid=week-zone]")).to_contain_text("Europe/Warsaw")
    with sam.expect_navigation():
        sam.select_option("[data-testid=zone-select]", "America/Los_Angeles")
    expect(sam.locator("[data-testid=week-zone]")).to_contain_text("America/Los_Angeles")

    slot = sam.locator("[data-testid=slot]").first
    label = slot.inner_text()
    assert "for Aiko" in label
    slot.click()
    sam.wait_for_selector("[data-testid=policy]")
    assert "Asia/Tokyo" in sam.inner_text("[data-testid=times]")
    sam.click("text=Confirm booking")
    sam.wait_for_selector("[data-testid=add-to-calendar]")

    booking = Booking.objects.get(couple=couple)
    assert booking.status == "confirmed" and booking.booked_by_id == partner_a.pk
    sam_local = booking.starts_at.astimezone(partner_a.tz)
    tokyo = booking.starts_at.astimezone(partner_b.tz)
    assert f"{sam_local:%H:%M}" in label and f"{tokyo:%a %H:%M} for Aiko" in label

    aiko = _logged_in_context(new_context, live_server, partner_b, "Asia/Tokyo").new_page()
    aiko.goto(f"{base}/scheduling/mine/")
    row = aiko.locator("[data-testid=session]").first.inner_text()
    assert f"{tokyo:%H:%M}–{(tokyo + timedelta(minutes=50)):%H:%M}" in row
    assert f"{tokyo:%-d %b}" in row
    assert f"{sam_local:%a %H:%M} for Sam" in row
