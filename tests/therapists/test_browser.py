"""A real Chromium: a couple searches the directory; an admin deactivates a therapist."""

from __future__ import annotations

import pytest

from tests.factories import browser_log_in
from tests.therapists.conftest import add_therapist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base: str, email: str) -> None:
    from accounts.models import User

    browser_log_in(page, base, User.objects.get(email=email))


def test_couple_filters_by_language_and_jurisdiction_and_opens_a_profile(
    live_server, new_context, partner_a, directory
):
    base = live_server.url
    page = new_context(timezone_id="America/Los_Angeles").new_page()
    _log_in(page, base, partner_a.email)
    page.click("nav >> text=Find a therapist")
    page.wait_for_selector("[data-testid=result-count]")
    # The cards are in the HTML; the filters apply themselves only once the page's
    # module has run (before "load"): a choice made sooner is a plain select, no visit.
    page.wait_for_load_state()
    assert page.locator("[data-testid=therapist-card]").count() == 4

    # Each choice applies at once (no submit click needed).
    with page.expect_navigation():
        page.select_option("#f-language", "ja")
    with page.expect_navigation():
        page.select_option("#f-lives-in", "US-CA")
    assert "language=ja" in page.url and "lives_in=US-CA" in page.url
    assert "fee_min" not in page.url  # empty fields stay out of shared links
    cards = page.locator("[data-testid=therapist-card]")
    assert cards.count() == 1
    assert "Elena Hale" in cards.first.inner_text()
    assert "Japanese" in cards.first.inner_text()

    # Nobody licensed in Poland speaks Japanese.
    with page.expect_navigation():
        page.select_option("#f-lives-in", "PL")
    assert page.locator("[data-testid=no-results]").is_visible()
    with page.expect_navigation():
        page.select_option("#f-lives-in", "US-CA")

    page.click("[data-testid=therapist-card] >> text=View profile")
    page.wait_for_selector("h1:has-text('Elena Hale')")
    assert page.locator("[data-testid=book-session]").is_visible()
    assert "California, United States" in page.inner_text("body")


def test_bad_filter_shows_a_message_in_the_browser(live_server, new_context, directory):
    page = new_context().new_page()
    page.goto(f"{live_server.url}/therapists/?fee_min=-5")
    assert "A fee cannot be negative." in page.inner_text("[data-testid=filter-error]")


def test_admin_deactivates_a_therapist_and_sees_it_on_the_roster(
    live_server, new_context, clinic, clinic_admin, therapist, couple
):
    from datetime import timedelta

    from django.utils import timezone

    from tests.therapists.conftest import book

    add_therapist(clinic, "colleague@example.com", "Colleague Therapist")
    book(therapist, couple, timezone.now() + timedelta(days=2), clinic=clinic)
    base = live_server.url
    page = new_context(
        timezone_id="America/Los_Angeles", viewport={"width": 390, "height": 844}
    ).new_page()
    _log_in(page, base, clinic_admin.email)
    row = page.locator("[data-testid=roster-row][data-therapist='therapist@example.com']")
    assert "Active" in row.inner_text()

    row.locator("text=Manage").click()
    page.wait_for_selector("h1:has-text('Elena Hale')")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Deactivate')")
    page.wait_for_selector("text=is deactivated")
    assert "Deactivated" in page.inner_text("[data-testid=status]")
    assert "Sam & Aiko" in page.inner_text("[data-testid=future-sessions]")

    page.click("text=← Roster")
    row = page.locator("[data-testid=roster-row][data-therapist='therapist@example.com']")
    assert "Deactivated" in row.inner_text() and "1 to reassign" in row.inner_text()
    other = page.locator("[data-testid=roster-row][data-therapist='colleague@example.com']")
    assert "Active" in other.inner_text()

    # The directory no longer lists her.
    page.goto(f"{base}/therapists/")
    assert "Elena Hale" not in page.inner_text("main")
    assert "Colleague Therapist" in page.inner_text("main")


def test_cancelling_the_confirmation_changes_nothing(
    live_server, new_context, clinic_admin, therapist
):
    from therapists.models import ClinicMembership

    page = new_context().new_page()
    _log_in(page, live_server.url, clinic_admin.email)
    membership = ClinicMembership.objects.get(user=therapist)
    page.goto(f"{live_server.url}/therapists/roster/{membership.pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button:has-text('Deactivate')")
    page.wait_for_timeout(300)  # a dismissed confirm never navigates; give it a beat
    membership.refresh_from_db()
    assert membership.is_active
