"""A real Chromium: the therapist ends a session and assigns homework; Sam completes it
privately; Aiko sees that it is done but cannot read Sam's answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import browser_log_in
from tests.sessions_app.conftest import make_booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "I get defensive when money comes up"


def _log_in(page, base, email, next_path):
    from accounts.models import User

    browser_log_in(page, base, User.objects.get(email=email), next_path=next_path)


def test_end_assign_complete_privately_partner_sees_done_only(
    live_server, new_context, couple, partner_a, partner_b, therapist, clinic
):
    from sessions_app.exercise_library import library_install
    from sessions_app.models import ExerciseTemplate

    # An earlier transactional test may have flushed the rows the data migration seeded.
    library_install(ExerciseTemplate)
    base = live_server.url
    booking = make_booking(couple, therapist, timezone.now() - timedelta(minutes=45), clinic=clinic)

    # The therapist ends the session and assigns an exercise from the library.
    doc = new_context(timezone_id="America/Los_Angeles").new_page()
    _log_in(doc, base, therapist.email, f"/sessions/{booking.pk}/wrap-up/")
    doc.click("[data-testid=end-session]")
    doc.wait_for_selector("text=Session ended")
    doc.wait_for_selector("[data-testid=assign-form][data-ready]")  # the module has run
    doc.select_option("#id_template", label="Time-out plan")
    # The page's module suggests the audience and a due date from the library entry.
    assert doc.is_checked("input[name=audience][value=both]")
    assert doc.input_value("#id_due_date") != ""
    assert doc.is_hidden("[data-assignee-field]")
    doc.click("[data-testid=assign-form] button[type=submit]")
    doc.wait_for_selector("text=Homework assigned")
    assert "Time-out plan" in doc.inner_text("[aria-labelledby=assigned-h]")

    # Sam completes it, privately to the therapist.
    sam = new_context(
        timezone_id="America/Los_Angeles", viewport={"width": 390, "height": 844}
    ).new_page()
    _log_in(sam, base, partner_a.email, "/dashboard/")
    assert sam.inner_text("[data-testid=bell-count]") != ""
    sam.click("[data-testid=homework-card] >> text=Time-out plan")
    sam.fill("#id_body", SECRET)
    sam.check("input[name=visibility][value=private]")
    sam.check("#id_done")
    sam.click("[data-testid=response-form] button[type=submit]")
    sam.wait_for_selector("text=Marked as done.")
    assert SECRET in sam.content()

    # Aiko sees that Sam is done, and cannot read the answer.
    aiko = new_context(timezone_id="Asia/Tokyo").new_page()
    _log_in(aiko, base, partner_b.email, "/sessions/homework/")
    aiko.click("text=Time-out plan")
    progress = aiko.inner_text("[data-testid=progress]")
    assert "Sam: done" in progress and "You: to do" in progress
    # Nothing says a private answer exists: only a finished shared one is announced.
    assert aiko.locator("[data-testid=hidden-note]").count() == 0
    assert SECRET not in aiko.content()
    api = aiko.evaluate(
        "async (url) => (await fetch(url)).text()",
        f"/api/sessions/homework/{booking.homework.get().pk}",
    )
    assert SECRET not in api and '"done": true' in api

    # The therapist reads it before the next session.
    doc.goto(f"{base}/sessions/homework/{booking.homework.get().pk}/")
    assert SECRET in doc.content()
