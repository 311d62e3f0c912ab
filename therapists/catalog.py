"""The vocabularies of a therapist profile: stable codes stored, human names shown.

Languages (ISO 639-1), countries (ISO 3166-1) and regions (ISO 3166-2) come from
pycountry, which ships the ISO tables, rather than a hand-kept list that drifts.
Specialties, approaches and formats are Duet's own short lists.

The tables below are keyed by the stored codes. The ``*_display`` functions name them
in the reader's language: Duet's own lists through gettext, languages, countries and
currencies through CLDR (Babel). English keeps the ISO names above, as it always has;
a name CLDR lacks falls back to English. Subdivisions (US-CA) have no CLDR names: they
stay as ISO has them, followed by the country's name in the reader's language.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry
from django.conf.locale import LANG_INFO
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.l10n import babel_locale, country_name, is_english, reader_language

SPECIALTIES: dict[str, Promise] = {
    "communication": _("Communication"),
    "conflict": _("Conflict and repair"),
    "trust_infidelity": _("Trust and infidelity"),
    "premarital": _("Premarital"),
    "parenting_stress": _("Parenting stress"),
    "lgbtq_affirming": _("LGBTQ+ affirming"),
    "neurodiverse": _("Neurodiverse couples"),
    "cross_cultural": _("Cross-cultural couples"),
    "long_distance": _("Long-distance relationships"),
    "intimacy": _("Intimacy and sexuality"),
    "life_transitions": _("Life transitions"),
    "separation": _("Separation and co-parenting"),
    "grief": _("Grief and loss"),
    "blended_families": _("Blended families"),
}

APPROACHES: dict[str, Promise] = {
    "eft": _("Emotionally focused (EFT)"),
    "gottman": _("Gottman-informed"),
    "cbt": _("CBT for couples"),
    "integrative": _("Integrative"),
    "imago": _("Imago relationship therapy"),
    "narrative": _("Narrative therapy"),
    "psychodynamic": _("Psychodynamic"),
    "solution_focused": _("Solution-focused"),
    "discernment": _("Discernment counselling"),
}

# Hybrid means the therapist offers both, so a couple can alternate.
FORMATS: dict[str, Promise] = {
    "video": _("Video"),
    "in_person": _("In person"),
    "hybrid": _("Hybrid (video and in person)"),
}
FORMAT_MATCHES: dict[str, tuple[str, ...]] = {
    "video": ("video", "hybrid"),
    "in_person": ("in_person", "hybrid"),
    "hybrid": ("hybrid",),
}

# Where licensing is granted by a state or province, the region is the unit;
# elsewhere the country is.
REGIONAL_LICENSING = ("US", "CA", "AU")


def _clean_language_name(name: str) -> str:
    return re.sub(r"\s*\(.*\)$", "", name).strip()


@lru_cache(maxsize=1)
def languages() -> dict[str, str]:
    """ISO 639-1 code -> English name, sorted by name."""
    names = {}
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None)
        if not code:
            continue
        # Django's names are the familiar ones ("Greek", not "Modern Greek (1453-)").
        info = LANG_INFO.get(code)
        names[code] = info["name"] if info and "name" in info else _clean_language_name(lang.name)
    return dict(sorted(names.items(), key=lambda item: item[1]))


@lru_cache(maxsize=1)
def jurisdictions() -> dict[str, str]:
    """Licensing jurisdiction code (``GB``, ``PL``, ``US-CA``) -> display name."""
    result: dict[str, str] = {}
    for country in pycountry.countries:
        name = country_name(country.alpha_2, language="en")
        result[country.alpha_2] = name
        if country.alpha_2 in REGIONAL_LICENSING:
            for sub in pycountry.subdivisions.get(country_code=country.alpha_2) or []:
                result[sub.code] = f"{sub.name}, {name}"
    return dict(sorted(result.items(), key=lambda item: item[1]))


@lru_cache(maxsize=1)
def currencies() -> dict[str, str]:
    return {c.alpha_3: c.name for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3)}


def jurisdiction_covers(licensed: str) -> str:
    """The country part of a jurisdiction code: ``US-CA`` -> ``US``."""
    return licensed.split("-", 1)[0]


def _sorted(names: dict[str, str]) -> dict[str, str]:
    return dict(sorted(names.items(), key=lambda item: item[1].casefold()))


def language_name(code: str) -> str:
    """A language's name in the reader's language ("japoński", "日本語")."""
    return languages_display().get(code, code)


def languages_display() -> dict[str, str]:
    """``languages()`` named in the active language, sorted by that name."""
    return _languages_in(reader_language())


@lru_cache(maxsize=16)
def _languages_in(language: str) -> dict[str, str]:
    english = languages()
    if is_english(language):
        return english
    cldr = babel_locale(language).languages
    return _sorted({code: cldr.get(code) or name for code, name in english.items()})


def jurisdiction_name(code: str) -> str:
    """A licensing jurisdiction in the reader's language ("Japonia", "California, Stany
    Zjednoczone": the region as ISO names it, its country as CLDR does)."""
    return jurisdictions_display().get(code, code)


def jurisdictions_display() -> dict[str, str]:
    """``jurisdictions()`` named in the active language, sorted by that name."""
    language = reader_language()
    if is_english(language):
        return jurisdictions()
    # Translators: a state or province, then its country: "California, United States".
    return _jurisdictions_in(language, gettext("%(region)s, %(country)s"))


@lru_cache(maxsize=16)
def _jurisdictions_in(language: str, region_in_country: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for code in jurisdictions():
        country = country_name(code.split("-", 1)[0], language=language)
        if "-" in code:
            sub = pycountry.subdivisions.get(code=code)
            region = sub.name if sub is not None else code
            names[code] = region_in_country % {"region": region, "country": country}
        else:
            names[code] = country
    return _sorted(names)


def currencies_display() -> dict[str, str]:
    """``currencies()`` named in the active language (sorted by code, as the codes lead)."""
    return _currencies_in(reader_language())


@lru_cache(maxsize=16)
def _currencies_in(language: str) -> dict[str, str]:
    english = currencies()
    if is_english(language):
        return english
    cldr = babel_locale(language).currencies
    return {code: cldr.get(code) or name for code, name in english.items()}


def label(kind: str, code: str) -> str:
    """The name of a stored code, in the active language."""
    if kind == "language":
        return language_name(code)
    if kind == "jurisdiction":
        return jurisdiction_name(code)
    table = {"specialty": SPECIALTIES, "approach": APPROACHES, "format": FORMATS}[kind]
    return str(table.get(code, code))


def choices(table: dict[str, str] | dict[str, Promise]) -> list[tuple[str, str]]:
    """Form choices; lazy names are resolved when the form renders."""
    return list(table.items())  # type: ignore[arg-type]
