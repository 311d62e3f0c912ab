"""IANA time zones: validation and the choices offered on forms."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@lru_cache(maxsize=1)
def all_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    # Region/City names only: legacy aliases such as "US/Pacific" or "EST5EDT"
    # are valid but confusing in a picker.
    names = sorted(
        z for z in all_time_zones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/"))
    )
    return [("UTC", "UTC"), *((z, z.replace("_", " ")) for z in names)]


def grouped_time_zone_choices(people) -> list[tuple[str, list[tuple[str, str]]]]:
    """For a picker: the zones of the people concerned first (labelled with their names),
    then every zone grouped by region ("America", "Europe", …) instead of ~600 in a row."""
    mine: dict[str, list[str]] = {}
    for person in people:
        if person is not None:
            mine.setdefault(person.time_zone, []).append(person.name)
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if mine:
        groups.append(
            (
                _("Your people"),
                [(z, f"{z.replace('_', ' ')} ({', '.join(names)})") for z, names in mine.items()],
            )
        )
    by_region: dict[str, list[tuple[str, str]]] = {}
    for value, label in time_zone_choices():
        region = value.split("/", 1)[0] if "/" in value else _("Other")
        by_region.setdefault(region, []).append((value, label))
    groups.extend(sorted(by_region.items()))
    return groups


def validate_time_zone(value: str) -> None:
    if value not in all_time_zones():
        raise ValidationError(
            _("%(value)s is not a known time zone; pick one like Europe/Warsaw."),
            code="invalid_time_zone",
            params={"value": value},
        )
