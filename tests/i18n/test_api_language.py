"""The API's error ``detail`` is a sentence for people, in the request's language;
``code`` is for programs and never changes."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _is_pseudo(text: str) -> bool:
    return text.startswith("⟦") and text.endswith("⟧")


def test_anonymous_error_follows_accept_language(pseudo_locale):
    english = Client().get("/api/scheduling/bookings")
    pseudo = Client().get("/api/scheduling/bookings", HTTP_ACCEPT_LANGUAGE=pseudo_locale)
    assert english.status_code == pseudo.status_code == 401
    assert english.json()["code"] == pseudo.json()["code"]
    assert not _is_pseudo(english.json()["detail"])
    assert _is_pseudo(pseudo.json()["detail"]), pseudo.json()


def _signed_in_in(language: str, user) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_domain_error_follows_the_account_language(pseudo_locale, partner_a):
    client = _signed_in_in(pseudo_locale, partner_a)
    # A year no calendar reaches: refused with a sentence, never a 500.
    answer = client.get(
        "/api/scheduling/slots",
        {"therapist_id": 1, "session_type_id": 1, "start": "9999-12-31", "end": "9999-12-31"},
    )
    assert 400 <= answer.status_code < 500, answer.content
    body = answer.json()
    assert body["code"] and _is_pseudo(body["detail"]), body


def test_validation_messages_are_sentences_in_the_request_language(pseudo_locale, partner_a):
    client = _signed_in_in(pseudo_locale, partner_a)
    answer = client.get(
        "/api/scheduling/slots",
        {"therapist_id": "x", "session_type_id": 1, "start": "2026-13-01", "end": "2026-12-01"},
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid"
    assert all(_is_pseudo(e["message"]) and e["type"] for e in body["errors"]), body
