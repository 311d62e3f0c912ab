"""A real Chromium: Aiko's browser speaks Japanese, Kasia's Polish. Each signs up, they
form a couple and Aiko books; each reads the pages, the booking email, the reminder and
the calendar file in her own language and date format, whoever caused them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import translation
from icalendar import Calendar

from core.l10n import format_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-enough-passphrase"


@pytest.fixture
def open_type(therapist):
    from tests.scheduling.conftest import open_type as scheduling_open_type

    return scheduling_open_type.__wrapped__(therapist)


def t(language: str, text: str) -> str:
    """``text`` as the catalog has it in ``language``; a test of a missing translation
    fails here, not with a confusing selector timeout."""
    with translation.override(language):
        translated = translation.gettext(text)
    assert translated != text, f"no {language} translation for {text!r}"
    return translated


def _latest_to(email: str):
    return next(m for m in reversed(mail.outbox) if m.to == [email])


def _sign_up(page, base, language, name, email, *, path="/signup/"):
    page.goto(base + path)
    assert page.get_attribute("html", "lang") == language
    # The language picker on the form starts at the browser's language.
    assert page.input_value("#id_language") == language
    page.fill("#id_full_name", name)
    if not page.input_value("#id_email"):
        page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/signup/sent/"))
    confirm = _latest_to(email)
    link = re.search(r"http://\S+/signup/confirm/\S+", confirm.body).group(0)
    page.goto(link)
    page.wait_for_url(re.compile(r".*/dashboard/"))
    return confirm


def test_japanese_and_polish_partners_each_in_their_own_language(
    live_server, new_context, settings, therapist, open_type
):
    from accounts.models import User
    from scheduling.models import Booking
    from sessions_app.models import Reminder
    from sessions_app.services.dispatch import reminders_dispatch_due

    settings.SITE_URL = live_server.url
    base = live_server.url
    aiko = new_context(locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
    confirm = _sign_up(aiko, base, "ja", "Aiko Tanaka", "aiko@example.com")
    assert confirm.subject == t("ja", "Confirm your Duet account")
    assert User.objects.get(email="aiko@example.com").language == "ja"

    # Aiko starts the couple and invites Kasia; Kasia's Polish browser takes it from there.
    aiko.goto(f"{base}/couple/")
    aiko.get_by_role("button", name=t("ja", "Start a couple")).click()
    aiko.fill("#id_email", "kasia@example.com")
    aiko.get_by_role("button", name=t("ja", "Send invitation")).click()
    aiko.wait_for_selector(".messages")
    invite = _latest_to("kasia@example.com")
    link = re.search(r"http://\S+/invite/\S+/", invite.body).group(0)

    kasia = new_context(locale="pl-PL", timezone_id="Europe/Warsaw").new_page()
    kasia.goto(link)
    kasia.click(f"text={t('pl', 'Create my account')}")
    _sign_up(kasia, base, "pl", "Kasia Nowak", "kasia@example.com", path=kasia.url[len(base) :])
    assert User.objects.get(email="kasia@example.com").language == "pl"
    assert kasia.get_attribute("html", "lang") == "pl"

    # Aiko books the last free slot of the week shown (days ahead: every reminder exists).
    aiko.goto(f"{base}/scheduling/book/{therapist.pk}/")
    aiko.wait_for_selector("[data-testid=slot]")
    aiko.locator("[data-testid=slot]").last.click()
    aiko.wait_for_selector("[data-testid=policy]")
    aiko.get_by_role("button", name=t("ja", "Confirm booking")).click()
    aiko.wait_for_selector("[data-testid=add-to-calendar]")
    booking = Booking.objects.get(couple__memberships__user__email="kasia@example.com")
    aiko_user = User.objects.get(email="aiko@example.com")
    kasia_user = User.objects.get(email="kasia@example.com")

    # Pages: each partner's list of sessions, in her words and her calendar's format.
    expectations = {
        "ja": (aiko, aiko_user, "My sessions"),
        "pl": (kasia, kasia_user, "My sessions"),
    }
    for language, (page, user, heading) in expectations.items():
        page.goto(f"{base}/scheduling/mine/")
        row = page.locator("[data-testid=session]").first.inner_text()
        local = booking.starts_at.astimezone(user.tz)
        assert format_local(local, "H:i", language=language) in row
        assert t(language, heading) in page.inner_text("h1")

    # The booking email: each partner's in her language, with her calendar file.
    booked = {
        m.to[0]: m for m in mail.outbox if "booking-" in m.extra_headers.get("Message-ID", "")
    }
    for language, user in (("ja", aiko_user), ("pl", kasia_user)):
        message = booked.get(user.email) or _latest_to(user.email)
        local = booking.starts_at.astimezone(user.tz)
        assert format_local(local, "l j F Y", language=language) in message.body, message.body
        ics = next(a for a in message.attachments if a[0].endswith(".ics"))[1]
        summary = str(Calendar.from_ical(ics).walk("VEVENT")[0]["SUMMARY"])
        title = t(language, "Duet session with %(therapist)s")
        assert summary == title % {"therapist": therapist.full_name}

    # The session reminder: Aiko's in Japanese, Kasia's in Polish, each date written her
    # way ("2026年12月3日", "3 gru 2026"), sent when the last one is due.
    mail.outbox.clear()
    due = Reminder.objects.filter(booking=booking, kind="session").order_by("due_at")
    assert due.exists()
    reminders_dispatch_due(now=due.last().due_at + timedelta(seconds=1))
    for language, user in (("ja", aiko_user), ("pl", kasia_user)):
        reminder = _latest_to(user.email)
        local = booking.starts_at.astimezone(user.tz)
        assert format_local(local, "l j F Y", language=language) in reminder.body
        with translation.override("en"):
            english_date = format_local(local, "l j F Y")
        assert english_date not in reminder.body
        ics = next(a for a in reminder.attachments if a[0].endswith(".ics"))[1]
        event = Calendar.from_ical(ics).walk("VEVENT")[0]
        assert str(event["UID"]).startswith(f"duet-booking-{booking.pk}@")
        title = t(language, "Duet session with %(therapist)s")
        assert str(event["SUMMARY"]) == title % {"therapist": therapist.full_name}
