"""A real Chromium: both partners answer their questionnaires before (check-in) and after
(reflection) three sessions; the therapist's couple page shows both partners' trends and
an alliance-split flag once their session feedback diverges; the other partner reaches
none of the first partner's answers by any page or API operation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from measures import instruments
from measures.models import MeasureResponse
from tests.factories import PASSWORD, browser_log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _answer(page, slug: str, value: int) -> None:
    for item in instruments.CURRENT[slug].items:
        top = max(v for v, _ in item.options)
        # Django numbers radio inputs by option index, which is the value here.
        page.check(f"#id_{slug}-{item.key}_{min(value, top)}")


def _check_in(page, base, booking, *, wellbeing: int) -> None:
    page.goto(f"{base}/sessions/{booking.pk}/check-in/")
    page.check("input[name=mood][value='7']")
    page.check("input[name=feels_safe][value=yes]")
    page.check("input[name=can_speak_freely][value=yes]")
    for form in page.locator("fieldset.measure").all():
        slug = form.get_attribute("data-instrument")
        value = wellbeing if slug == "wellbeing" else 1
        _answer(page, slug, value)
        if slug == "phq9":
            page.check("#id_phq9-q9_0")
    page.click("[data-testid=check-in-form] button[type=submit]")
    page.wait_for_url(f"{base}/sessions/")


def _reflect(page, base, booking, *, alliance: int) -> None:
    page.goto(f"{base}/sessions/{booking.pk}/reflect/")
    page.check("input[name=rating][value='4']")
    _answer(page, "alliance", alliance)
    page.click("[data-testid=reflection-form] button[type=submit]")
    page.wait_for_url(f"{base}/sessions/")


def test_three_sessions_split_flag_and_privacy(
    live_server, new_context, fast_hashing, couple, partner_a, partner_b, therapist, clinic
):
    from scheduling.models import Booking

    for user in (partner_a, partner_b, therapist):
        user.set_password(PASSWORD)  # an MD5 hash now that the fast hasher is on
        user.save()
    base = live_server.url
    sam = new_context(viewport=PHONE).new_page()
    aiko = new_context(viewport=PHONE).new_page()
    browser_log_in(sam, base, partner_a)
    browser_log_in(aiko, base, partner_b)

    # Sam's alliance stays high; Aiko's drops at the third session (40 vs 20 of 40).
    plan = [(4, 10, 10), (5, 10, 9), (6, 10, 5)]
    now = timezone.now()
    for number, (wellbeing, sam_alliance, aiko_alliance) in enumerate(plan, start=1):
        start = now + timedelta(hours=2)
        booking = Booking.objects.create(
            therapist=therapist, couple=couple, clinic=clinic, starts_at=start,
            ends_at=start + timedelta(minutes=50), status=Booking.Status.CONFIRMED,
        )  # fmt: skip
        _check_in(sam, base, booking, wellbeing=wellbeing)
        if number == 1:
            _no_sideways_scroll(sam)
        _check_in(aiko, base, booking, wellbeing=wellbeing)
        # The session takes place (moved into the past, in order: 3, 2, 1 days ago).
        held = now - timedelta(days=4 - number)
        # The blocked range moves too: the therapist's exclusion constraint reads it.
        Booking.objects.filter(pk=booking.pk).update(
            starts_at=held,
            ends_at=held + timedelta(minutes=50),
            blocked_start=held,
            blocked_end=held + timedelta(minutes=50),
        )
        _reflect(sam, base, booking, alliance=sam_alliance)
        _reflect(aiko, base, booking, alliance=aiko_alliance)

    answers = MeasureResponse.objects.filter(user=partner_a)
    assert answers.filter(instrument="alliance").count() == 3
    assert answers.filter(instrument="wellbeing").count() == 3
    assert sorted({a.session_number for a in answers}) == [1, 2, 3]

    # The therapist: both trends, the latest alliance side by side, and the split flag.
    doctor = new_context(viewport=DESKTOP).new_page()
    browser_log_in(doctor, base, therapist)
    doctor.goto(f"{base}/measures/couples/{couple.pk}/")
    trends = doctor.locator("[data-testid=partner-trends]")
    assert trends.count() == 2
    for i in range(2):
        assert trends.nth(i).locator("[data-testid=trend-alliance] svg").is_visible()
        assert trends.nth(i).locator("[data-testid=trend-wellbeing] svg").is_visible()
    split = doctor.locator("[data-flag=split]")
    assert split.is_visible() and "differ by 20" in split.inner_text()
    side = doctor.inner_text("[data-testid=alliance-latest]")
    assert "40 / 40" in side and "20 / 40" in side
    # Improvement 16 -> 24 of 40 is beyond the wellbeing threshold of 5: marked on the chart.
    assert doctor.locator("[data-testid=trend-wellbeing] circle.dot-improved").count() >= 2
    doctor.set_viewport_size(PHONE)
    _no_sideways_scroll(doctor)

    # Sam sees his own trend in plain words.
    sam.goto(f"{base}/measures/")
    assert "improved by more than chance" in sam.inner_text("[data-testid=reading-wellbeing]")
    _no_sideways_scroll(sam)

    # Aiko reaches none of Sam's answers: not on her own page, the therapist's page, the API.
    aiko.goto(f"{base}/measures/")
    text = aiko.content()
    assert not any(str(a.pk) in text for a in answers)
    assert aiko.goto(f"{base}/measures/couples/{couple.pk}/").status in (403, 404)
    for a in answers:
        r = aiko.request.get(f"{base}/api/measures/answers/{a.pk}")
        assert r.status == 404 and r.json()["code"] == "not_found"
    mine = aiko.request.get(f"{base}/api/measures/mine").json()
    assert mine and {m["user_id"] for m in mine} == {partner_b.pk}
    assert aiko.request.get(f"{base}/api/measures/couples/{couple.pk}").status == 404
