"""Countries and the states/provinces asked for where a person sits.

ISO 3166 from pycountry (the same tables as the therapist profile's licence places),
so a location code and a licence code compare directly (``US-CA``, ``JP``).
"""

from __future__ import annotations

from functools import lru_cache

import pycountry
from django.utils.translation import gettext as _

from core.l10n import country_name, reader_language

# Where a location is asked down to the state or province.
REGIONAL_COUNTRIES = ("US", "CA", "AU", "IN")


def countries() -> dict[str, str]:
    """Code -> name in the reader's language (CLDR through Babel; pycountry's English
    names for English and wherever CLDR has no name), sorted by name."""
    return _countries(reader_language())


@lru_cache(maxsize=8)
def _countries(language: str) -> dict[str, str]:
    result = {c.alpha_2: country_name(c.alpha_2, language=language) for c in pycountry.countries}
    return dict(sorted(result.items(), key=lambda item: item[1]))


@lru_cache(maxsize=8)
def regions(country: str) -> dict[str, str]:
    if country not in REGIONAL_COUNTRIES:
        return {}
    subs = pycountry.subdivisions.get(country_code=country) or []
    # Top-level subdivisions only (India lists none below states; this keeps it so).
    return dict(sorted(((s.code, s.name) for s in subs if not s.parent_code), key=lambda i: i[1]))


def all_regions() -> dict[str, dict[str, str]]:
    return {code: regions(code) for code in REGIONAL_COUNTRIES}


def label(country: str, region: str = "") -> str:
    name = countries().get(country, country)
    if region:
        # Translators: a state or province, then its country ("California, United States").
        return _("%(region)s, %(country)s") % {
            "region": regions(country).get(region, region),
            "country": name,
        }
    return name


class PlaceError(ValueError):
    def __init__(self, detail: str, field: str) -> None:
        super().__init__(detail)
        self.detail, self.field = detail, field


def clean_place(country: str, region: str) -> tuple[str, str]:
    """Normalise and check a (country, region) pair; raises PlaceError naming the field."""
    country = (country or "").strip().upper()
    region = (region or "").strip().upper()
    if country not in countries():
        raise PlaceError(_("Choose a country from the list."), "country")
    if country in REGIONAL_COUNTRIES:
        if not region:
            raise PlaceError(_("Choose your state or province."), "region")
        if region not in regions(country):
            raise PlaceError(_("Choose a state or province of the country you picked."), "region")
    elif region:
        raise PlaceError(_("This country is asked without a state or province."), "region")
    return country, region
