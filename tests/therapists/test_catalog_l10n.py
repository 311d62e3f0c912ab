"""Vocabulary names in the reader's language; English stays as the ISO tables have it."""

from __future__ import annotations

from django.utils import translation

from therapists import catalog


def test_english_names_are_the_iso_ones():
    with translation.override("en"):
        assert catalog.language_name("ja") == "Japanese"
        assert catalog.jurisdiction_name("US-CA") == "California, United States"
        assert catalog.label("specialty", "communication") == "Communication"
        assert catalog.languages_display() == catalog.languages()


def test_other_languages_use_cldr_names():
    with translation.override("pl"):
        assert catalog.language_name("ja") == "japoński"
        assert catalog.jurisdiction_name("JP") == "Japonia"
        assert catalog.jurisdiction_name("US-CA").endswith("Stany Zjednoczone")
        assert catalog.currencies_display()["PLN"] == "złoty polski"
    with translation.override("ja"):
        assert catalog.language_name("ja") == "日本語"
