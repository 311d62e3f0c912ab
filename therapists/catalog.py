"""The vocabularies of a therapist profile: stable codes stored, human names shown.

Languages (ISO 639-1), countries (ISO 3166-1) and regions (ISO 3166-2) come from
pycountry, which ships the ISO tables, rather than a hand-kept list that drifts.
Specialties, approaches and formats are Duet's own short lists.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry
from django.conf.locale import LANG_INFO

SPECIALTIES: dict[str, str] = {
    "communication": "Communication",
    "conflict": "Conflict and repair",
    "trust_infidelity": "Trust and infidelity",
    "premarital": "Premarital",
    "parenting_stress": "Parenting stress",
    "lgbtq_affirming": "LGBTQ+ affirming",
    "neurodiverse": "Neurodiverse couples",
    "cross_cultural": "Cross-cultural couples",
    "long_distance": "Long-distance relationships",
    "intimacy": "Intimacy and sexuality",
    "life_transitions": "Life transitions",
    "separation": "Separation and co-parenting",
    "grief": "Grief and loss",
    "blended_families": "Blended families",
}

APPROACHES: dict[str, str] = {
    "eft": "Emotionally focused (EFT)",
    "gottman": "Gottman-informed",
    "cbt": "CBT for couples",
    "integrative": "Integrative",
    "imago": "Imago relationship therapy",
    "narrative": "Narrative therapy",
    "psychodynamic": "Psychodynamic",
    "solution_focused": "Solution-focused",
    "discernment": "Discernment counselling",
}

# Hybrid means the therapist offers both, so a couple can alternate.
FORMATS: dict[str, str] = {
    "video": "Video",
    "in_person": "In person",
    "hybrid": "Hybrid (video and in person)",
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
        name = getattr(country, "common_name", None) or country.name
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


def label(kind: str, code: str) -> str:
    table = {
        "specialty": SPECIALTIES,
        "approach": APPROACHES,
        "format": FORMATS,
        "language": languages(),
        "jurisdiction": jurisdictions(),
    }[kind]
    return table.get(code, code)


def choices(table: dict[str, str]) -> list[tuple[str, str]]:
    return list(table.items())
