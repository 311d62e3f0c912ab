"""The footer's language switcher: a cookie for visitors, the account's setting for
people signed in, and back to the page it was used on."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_visitor_switches_by_cookie_and_returns_to_the_page():
    client = Client()
    answer = client.post(
        "/language/", {"language": "pl"}, HTTP_REFERER="http://testserver/login/?next=/x/"
    )
    assert answer.status_code == 302 and answer["Location"] == "/login/?next=/x/"
    assert client.cookies["duet_language"].value == "pl"
    page = client.get("/login/")
    assert 'lang="pl"' in page.content.decode()[:300]
    assert page["Content-Language"] == "pl"


def test_signed_in_person_keeps_the_language_on_the_account(partner_a):
    client = Client()
    client.force_login(partner_a)
    client.post("/language/", {"language": "ja"})
    partner_a.refresh_from_db()
    assert partner_a.language == "ja"
    # Another device, no cookie: the account's language wins over the browser's.
    other = Client(HTTP_ACCEPT_LANGUAGE="es")
    other.force_login(partner_a)
    assert 'lang="ja"' in other.get("/dashboard/").content.decode()[:300]


def test_other_sites_and_unknown_languages_change_nothing(partner_a):
    client = Client()
    client.force_login(partner_a)
    answer = client.post("/language/", {"language": "xx"}, HTTP_REFERER="https://evil.example/")
    assert answer["Location"] == "/"
    partner_a.refresh_from_db()
    assert partner_a.language == "en"


def test_pages_never_echo_their_own_address():
    """Ids in a URL never come back in the page through the switcher (a sweep that
    plants ids in URLs would take that for a leak; a shared screen would show it)."""
    body = Client().get("/login/?probe=e5f68f6b20").content.decode()
    assert "e5f68f6b20" not in body
