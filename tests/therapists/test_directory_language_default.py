"""The directory's language filter defaults to the couple's own account languages."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    return [p.user.full_name for p in response.context["page"].results]


@pytest.fixture
def polish_japanese(couple, partner_a, partner_b):
    partner_a.language, partner_b.language = "pl", "ja"
    partner_a.save(update_fields=["language"])
    partner_b.save(update_fields=["language"])
    return couple


def test_couple_sees_therapists_who_speak_any_of_their_languages(
    client, directory, polish_japanese, partner_a
):
    client.force_login(partner_a)
    response = client.get("/therapists/")
    assert listed(response) == ["Elena Hale", "Tomasz Nowak"]  # ja or pl, not both
    page = response.content.decode()
    assert 'data-languages="pl,ja"' in page  # the signed-in partner's language first
    # The page is in Sam's language: the names too (the sentence once translated).
    assert "polski lub japoński" in page
    assert 'data-testid="all-languages"' in page
    assert 'href="?language=any"' in page


def test_the_notice_names_the_languages(client, directory, couple, partner_a, partner_b):
    partner_b.language = "ja"
    partner_b.save(update_fields=["language"])
    client.force_login(partner_b)
    response = client.get("/therapists/")
    notice = re.search(r'data-testid="language-default"[^>]*>([^<]*)', response.content.decode())
    assert notice is not None
    # Aiko reads Duet in Japanese: her language first, both named in Japanese.
    assert notice.group(1).strip().startswith("日本語または英語")
    client.force_login(partner_a)
    response = client.get("/therapists/")
    notice = re.search(r'data-testid="language-default"[^>]*>([^<]*)', response.content.decode())
    assert notice is not None
    assert notice.group(1).strip() == "Showing therapists who speak English or Japanese."
    assert len(listed(response)) == 4  # all four speak English


def test_show_all_and_explicit_filters_win(client, directory, polish_japanese, partner_a):
    client.force_login(partner_a)
    everyone = client.get("/therapists/?language=any")
    assert listed(everyone) == ["Amara Okafor", "Elena Hale", "Priya Raman", "Tomasz Nowak"]
    assert 'data-testid="language-default"' not in everyone.content.decode()
    chosen = client.get("/therapists/?language=hi")
    assert listed(chosen) == ["Priya Raman"]
    assert 'data-testid="language-default"' not in chosen.content.decode()
    # Other filters keep the default, and "show all" keeps the other filters.
    narrowed = client.get("/therapists/?lives_in=PL")
    assert listed(narrowed) == ["Tomasz Nowak"]
    assert "?lives_in=PL&amp;language=any" in narrowed.content.decode()


def test_the_default_needs_a_signed_in_partner_of_a_couple(client, directory, partner_a, therapist):
    everyone = ["Amara Okafor", "Elena Hale", "Priya Raman", "Tomasz Nowak"]
    assert listed(client.get("/therapists/")) == everyone
    client.force_login(partner_a)  # no couple yet
    assert listed(client.get("/therapists/")) == everyone
    client.force_login(therapist)
    assert listed(client.get("/therapists/")) == everyone


def test_portuguese_account_maps_to_the_language_code(client, directory, couple, partner_a):
    from therapists.selectors import couple_languages

    partner_a.language = "pt-br"
    partner_a.save(update_fields=["language"])
    assert couple_languages(partner_a) == ("pt", "en")
