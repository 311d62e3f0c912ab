"""Account emails reach each recipient in their own language, whatever language the page
that caused them was shown in (a stand-in Polish catalog, built here)."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


POLISH = {
    "Confirm your Duet account": "Potwierdź konto w Duet",
    "Someone tried to create a Duet account with your email": "Ktoś próbował założyć konto",
    "Reset your Duet password": "Zresetuj hasło do Duet",
    "%(name)s invited you to Duet": "%(name)s zaprasza cię do Duet",
    "Hello %(name)s,": "Cześć %(name)s,",
    "Hello,": "Cześć,",
}


@pytest.fixture(autouse=True)
def polish_catalog(tmp_path, monkeypatch):
    from accounts import services

    monkeypatch.setattr(services.transaction, "on_commit", lambda fn, *a, **k: fn())
    catalog = Catalog(locale="pl")
    for msgid, msgstr in POLISH.items():
        catalog.add(msgid, msgstr, flags=["python-format"] if "%(" in msgid else [])
    folder = tmp_path / "pl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "django.mo", "wb") as handle:
        write_mo(handle, catalog)
    with override_settings(LOCALE_PATHS=[tmp_path]):
        yield


def _last_to(address: str):
    return next(m for m in reversed(mail.outbox) if m.to == [address])


def test_signup_confirmation_is_in_the_language_chosen_on_the_form(client):
    client.post(
        reverse("accounts:signup"),
        {
            "full_name": "Ola Nowak",
            "display_name": "Ola",
            "email": "ola@example.com",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "time_zone": "Europe/Warsaw",
            "language": "pl",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    message = _last_to("ola@example.com")
    assert User.objects.get(email="ola@example.com").language == "pl"
    assert message.subject == "Potwierdź konto w Duet"
    assert message.body.startswith("Cześć Ola,")


def test_signup_with_a_taken_address_warns_the_owner_in_the_owner_language(client):
    owner = make_user("owner@example.com", "Jan Kowalski", display_name="Jan")
    User.objects.filter(pk=owner.pk).update(language="pl")
    client.post(
        reverse("accounts:signup"),
        {
            "full_name": "Someone Else",
            "email": "owner@example.com",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "time_zone": "UTC",
            "language": "en",
        },
    )
    message = _last_to("owner@example.com")
    assert message.subject == "Ktoś próbował założyć konto"
    assert message.body.startswith("Cześć Jan,")


def test_password_reset_is_in_the_account_language_not_the_page_language(client):
    user = make_user("reset@example.com", "Jan Kowalski", display_name="Jan")
    User.objects.filter(pk=user.pk).update(language="pl")
    client.post(reverse("accounts:password_reset"), {"email": "reset@example.com"})
    message = _last_to("reset@example.com")
    assert message.subject == "Zresetuj hasło do Duet"
    assert message.body.startswith("Cześć Jan,")
    # The page itself stays in the visitor's language.
    assert client.get(reverse("accounts:password_reset_done")).content.decode().count("Check")


def _invite(client, inviter, email, django_capture_on_commit_callbacks):
    client.force_login(inviter)
    client.post(reverse("accounts:couple_start"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:couple"), {"email": email})
    return _last_to(email)


def test_partner_invitation_uses_the_invitee_account_language(
    client, partner_a, django_capture_on_commit_callbacks
):
    invitee = make_user("ola@example.com", "Ola Nowak")
    User.objects.filter(pk=invitee.pk).update(language="pl")
    message = _invite(client, partner_a, "ola@example.com", django_capture_on_commit_callbacks)
    assert message.subject == "Sam zaprasza cię do Duet"
    assert message.body.startswith("Cześć,")
    assert re.search(r"/invite/[^\s/]+/", message.body)


def test_partner_invitation_without_an_account_uses_the_inviter_language(
    client, partner_a, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=partner_a.pk).update(language="pl")
    partner_a.refresh_from_db()
    message = _invite(client, partner_a, "new@example.com", django_capture_on_commit_callbacks)
    assert message.subject == "Sam zaprasza cię do Duet"
    User.objects.filter(pk=partner_a.pk).update(language="en")
    partner_a.refresh_from_db()
    english = _invite(client, partner_a, "new2@example.com", django_capture_on_commit_callbacks)
    assert english.subject == "Sam invited you to Duet"
    assert english.body.startswith("Hello,")
