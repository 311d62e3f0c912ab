"""Dates, times, numbers and money in the reader's language (CLDR, through Babel).

Templates keep writing Django's format strings (``|ldate:"D j M, H:i"``), which read
well in English and say which parts a date shows. In English the output stays Django's
(day month year, 24-hour clock: unambiguous for couples on two continents); in any
other language the same format string names a CLDR skeleton and Babel picks that
language's own order, month names and clock ("2 gru 2026, 18:00",
"2026年12月2日 18:00").
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time
from babel.numbers import format_currency, format_decimal
from django.template.defaultfilters import floatformat
from django.utils import formats, translation

# Django format string -> (date skeleton or None, show the time, show the zone).
# Every format the templates and emails use is listed; an unknown one is a bug that
# tests catch (KeyError), never English leaking into a Japanese page.
FORMATS: dict[str, tuple[str | None, bool, bool]] = {
    "j M Y": ("yMMMd", False, False),
    "j F Y": ("yMMMMd", False, False),
    "D j M Y": ("yMMMEd", False, False),
    "D j M Y, H:i T": ("yMMMEd", True, True),
    "d M Y": ("yMMMd", False, False),
    "D d M Y, H:i T": ("yMMMEd", True, True),
    "l j F Y": ("yMMMMEEEEd", False, False),
    "j M": ("MMMd", False, False),
    "D j M": ("MMMEd", False, False),
    "l j F": ("MMMMEEEEd", False, False),
    "D": ("EEE", False, False),
    "l": ("EEEE", False, False),
    "F Y": ("yMMMM", False, False),
    "M Y": ("yMMM", False, False),
    "H:i": (None, True, False),
    "D H:i": ("EEE", True, False),
    "j M, H:i": ("MMMd", True, False),
    "D j M, H:i": ("MMMEd", True, False),
    "l j F, H:i": ("MMMMEEEEd", True, False),
    "j M Y H:i": ("yMMMd", True, False),
    "j M Y, H:i": ("yMMMd", True, False),
    "l j F Y, H:i": ("yMMMMEEEEd", True, False),
    "j M, H:i T": ("MMMd", True, True),
    "j M Y, H:i T": ("yMMMd", True, True),
}
# Machine formats (audit logs, exports) are the same in every language.
FIXED = {"Y-m-d", "Y-m-d H:i", "Y-m-d H:i:s", "c"}


def babel_locale(language: str | None = None) -> Locale:
    """Babel's locale for a Django language code ("pt-br" -> pt_BR); default: active."""
    return _babel_locale(language or reader_language())


@lru_cache(maxsize=32)
def _babel_locale(language: str) -> Locale:
    try:
        return Locale.parse(translation.to_locale(language))
    except (ValueError, LookupError, UnknownLocaleError):
        return Locale.parse("en")  # the tests' pseudo-locale has no CLDR data


def reader_language() -> str:
    """The active language (the request's, or an email recipient's inside an override)."""
    return translation.get_language() or "en"


def is_english(language: str | None = None) -> bool:
    """English readers keep Duet's own formats and ISO/pycountry names."""
    return (language or reader_language()).split("-")[0] == "en"


def format_local(
    value: datetime | date | time | None, fmt: str, *, language: str | None = None
) -> str:
    """``value`` as ``fmt`` (a Django format string) in ``language`` (default: active).

    An aware datetime is shown on its own clock: convert it to the reader's zone first
    (templates do with ``{% timezone %}``; the filter expects local time like ``date``).
    """
    if value is None or value == "":
        return ""
    if fmt in FIXED or is_english(language):
        if language is None:
            return (
                formats.date_format(value, fmt)
                if not isinstance(value, time)
                else (formats.time_format(value, fmt))
            )
        with translation.override(language):
            return format_local(value, fmt)
    skeleton, with_time, with_zone = FORMATS[fmt]
    locale = babel_locale(language)
    parts = []
    if skeleton is not None:
        parts.append(format_skeleton(skeleton, value, locale=locale))
    clock = ""
    if with_time and isinstance(value, (datetime, time)):
        clock = format_time(value, format="short", locale=locale)
        if with_zone and isinstance(value, datetime) and value.tzinfo is not None:
            clock = f"{clock} {value.tzname()}"
    if parts and clock:
        pattern = locale.datetime_formats["medium"]
        return str(pattern).replace("{1}", parts[0]).replace("{0}", clock)
    return parts[0] if parts else clock


def format_money(
    amount: Decimal | int | float, currency: str, *, language: str | None = None
) -> str:
    """An amount in its currency, written the reader's way: "60 USD" in English (as Duet
    always wrote it), "120,00 zł", "R$ 120,00", "US$60.00" elsewhere (CLDR)."""
    if is_english(language):
        return f"{floatformat(amount, '-2')} {currency.upper()}"
    return format_currency(amount, currency.upper(), locale=babel_locale(language))


def format_number(value: Decimal | int | float, *, language: str | None = None) -> str:
    locale = babel_locale(language) if not is_english(language) else Locale.parse("en_GB")
    return format_decimal(value, locale=locale)


@lru_cache(maxsize=2048)
def _country_in(code: str, language: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    english = (getattr(country, "common_name", None) or country.name) if country else code
    if is_english(language):
        return english
    return babel_locale(language).territories.get(code) or english


def country_name(code: str, *, language: str | None = None) -> str:
    """A country's name for the reader: CLDR's ("Stany Zjednoczone", "アメリカ合衆国"),
    pycountry's common English name in English and wherever CLDR has none."""
    return _country_in(code, language or reader_language())
