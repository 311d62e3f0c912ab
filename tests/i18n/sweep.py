"""Find English nobody marked: text a person would see that the pseudo-locale left plain.

Every translated message comes out as ⟦…⟧ with accented letters (catalogs.pseudo). What
is left after cutting those out is either data (names, emails, bios, exercise titles a
therapist typed) or a string that never went through gettext.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache
from html.parser import HTMLParser

_BRACKETED = re.compile(r"⟦[^⟦⟧]*⟧")
_WORD = re.compile(r"[A-Za-z]{3,}")
# Shown as they are in every language: the brand, endonyms in the language picker,
# CLDR's fallback names for the pseudo-locale's dates, units and standard abbreviations.
ALLOWED = {
    "Duet",
    "English",
    "Español",
    "Polski",
    "Português",
    "Brasil",
    "UTC",
    "GMT",
    "PHQ",
    "GAD",
    "CSI",
    "DAS",
    "ORS",
    "SRS",
    "PDF",
    "ICS",
    "URL",
    "API",
    "TOTP",
    "kbit",
    "Mbit",
    "mailto",
    "https",
    "http",
}
# The pseudo-locale has no CLDR data: its dates fall back to English names.
_DATE_WORDS = (
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec January February March April June "
    "July August September October November December Monday Tuesday Wednesday Thursday "
    "Friday Saturday Sunday Mon Tue Wed Thu Fri Sat Sun"
)
ALLOWED |= set(_DATE_WORDS.split())
SKIP_TAGS = {"script", "style", "code", "pre", "svg", "noscript"}
ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "aria-description"}


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0
        self._no_translate = 0
        self._stack: list[tuple[str, bool, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = tag in SKIP_TAGS
        no_translate = values.get("translate") == "no"
        if tag not in {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}:
            self._stack.append((tag, skip, no_translate))
            self._skip += skip
            self._no_translate += no_translate
        if self._skip or self._no_translate or no_translate:
            return
        for name in ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name] or "")
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.texts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            name, skip, no_translate = self._stack.pop()
            self._skip -= skip
            self._no_translate -= no_translate
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._skip and not self._no_translate and data.strip():
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def unbracketed(text: str) -> list[str]:
    """The parts of ``text`` outside every ⟦…⟧ (nested ones included)."""
    previous = None
    while previous != text:
        previous, text = text, _BRACKETED.sub("\x00", text)
    return [part.strip() for part in text.split("\x00") if part.strip()]


class Data:
    """What people typed or the demo seeded: allowed to stay as written."""

    def __init__(self, blob: str, words: set[str]) -> None:
        self.blob = " ".join(blob.split())
        self.words = words

    def covers(self, fragment: str) -> bool:
        fragment = " ".join(fragment.split())
        if fragment in self.blob:
            return True
        return all(w in self.words or w in ALLOWED for w in _WORD.findall(fragment))


def database_data() -> Data:
    """Every text value in the database: long ones must match whole, short ones (names,
    titles, cities) word by word."""
    from django.apps import apps
    from django.db import models

    long_parts, words = [], set()
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.EmailField))
            and not f.choices
        ]
        if not fields:
            continue
        for row in model._default_manager.all().iterator():
            for field in fields:
                try:
                    value = getattr(row, field.attname)
                except Exception:  # noqa: S112 - an unreadable field is never shown
                    continue
                if not isinstance(value, str) or not value:
                    continue
                if len(value) <= 200:
                    words.update(_WORD.findall(value))
                long_parts.append(value)
    names = reference_names()
    long_parts.extend(names)
    for name in names:
        words.update(_WORD.findall(name))
    return Data("\n".join(long_parts), words)


@lru_cache(maxsize=1)
def reference_names() -> frozenset[str]:
    """Names that come from reference data, not from our catalogs, shown in the reader's
    language through CLDR like month names (the pseudo-locale has no CLDR data, so it
    shows the English ones): languages, countries and currencies (Babel, and the ISO
    names `therapists.catalog` falls back to), currency codes, ISO 3166-2 subdivisions
    (no CLDR names exist for states) and IANA zones (shown as they are, "_" or spaces)."""
    import pycountry
    from babel import Locale

    from therapists import catalog

    english = Locale.parse("en")
    names = {
        str(n)
        for t in (english.languages, english.territories, english.currencies)
        for n in t.values()
    }
    for table in (catalog.languages(), catalog.jurisdictions(), catalog.currencies()):
        names.update(table.values())
    names.update(catalog.currencies())
    names.update(s.name for s in pycountry.subdivisions)
    zones = zoneinfo.available_timezones()
    names.update(zones, (z.replace("_", " ") for z in zones))
    return frozenset(n for n in names if n)


_NAME_SEPARATORS = re.compile(r", | · ")


def _only_names(fragment: str) -> bool:
    """Language, country and currency names, or a list of them ("English, Japanese")."""
    names = reference_names()
    if fragment.strip() in names:  # "St. Helena, Ascension & Tristan da Cunha"
        return True
    return all(part.strip() in names for part in _NAME_SEPARATORS.split(fragment.strip()))


def unmarked(texts: list[str], data: Data) -> list[str]:
    """English fragments left in ``texts`` that no data explains."""
    found = []
    for text in texts:
        for fragment in unbracketed(text):
            if not _WORD.search(fragment):
                continue
            if data.covers(fragment) or _only_names(fragment):
                continue
            found.append(fragment[:120])
    return found
