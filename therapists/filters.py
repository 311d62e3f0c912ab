"""Directory filters: parse what a couple (or an API client) asked for, or say clearly why not.

The page and the API share this parser, so both answer the same message for the
same mistake. Errors are ``DomainError`` with status 422 naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.errors import DomainError
from therapists import catalog

PAGE_SIZE = 12
MAX_PAGE = 10_000
SORTS = {
    "name": gettext_lazy("Name (A–Z)"),
    "soonest": gettext_lazy("Soonest availability"),
    "fee": gettext_lazy("Fee (lowest first)"),
    "-fee": gettext_lazy("Fee (highest first)"),
}
# "Has a free slot within N days": the choices offered on the page; the API takes 1-60.
FREE_WITHIN = {
    7: gettext_lazy("Within a week"),
    14: gettext_lazy("Within 2 weeks"),
    30: gettext_lazy("Within a month"),
}
MAX_FREE_WITHIN_DAYS = 60
MULTI = ("specialty", "approach", "language", "lives_in")
SINGLE = (
    "format",
    "fee_min",
    "fee_max",
    "currency",
    "accepting",
    "sort",
    "page",
    "q",
    "free_within_days",
)
KNOWN = frozenset(MULTI + SINGLE)


class InvalidFilter(DomainError):
    status = 422

    def __init__(self, detail: str, field: str) -> None:
        super().__init__(detail, code="invalid_filter", field=field)
        self.field = field


@dataclass(frozen=True)
class DirectoryFilters:
    specialties: tuple[str, ...] = ()
    approaches: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    # Set by the page, never parsed: a couple's own languages as a default, any one of
    # which a therapist must speak (``languages`` above needs every one).
    any_languages: tuple[str, ...] = ()
    lives_in: tuple[str, ...] = ()
    format: str = ""
    fee_min: Decimal | None = None
    fee_max: Decimal | None = None
    currency: str = ""
    accepting: bool | None = None
    q: str = ""
    free_within_days: int | None = None
    sort: str = "name"
    page: int = 1

    @property
    def needs_availability(self) -> bool:
        return self.free_within_days is not None or self.sort == "soonest"

    @property
    def is_filtered(self) -> bool:
        return any(
            (
                self.specialties,
                self.approaches,
                self.languages,
                self.any_languages,
                self.lives_in,
                self.format,
                self.fee_min is not None,
                self.fee_max is not None,
                self.currency,
                self.accepting is not None,
                self.q,
                self.free_within_days is not None,
            )
        )


def _values(data: Mapping, name: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    raw = getlist(name) if getlist else data.get(name, [])
    if isinstance(raw, str):
        raw = [raw]
    values: list[str] = []
    for item in raw or []:
        # Accept both ?language=en&language=ja and ?language=en,ja.
        values.extend(v.strip() for v in str(item).split(",") if v.strip())
    return values


def _single(data: Mapping, name: str) -> str:
    values = _values(data, name) if name != "q" else [str(data.get("q", "") or "").strip()]
    if len(values) > 1:
        raise InvalidFilter(
            _("Give one value for %(name)s, not %(count)s.") % {"name": name, "count": len(values)},
            field=name,
        )
    return values[0] if values else ""


def _codes(
    data: Mapping, name: str, table: Mapping[str, object], unknown: str, codes: str = ""
) -> tuple[str, ...]:
    """``unknown``: the message for a value not in ``table`` (``%(value)s``, ``%(codes)s``)."""
    codes = []
    for value in _values(data, name):
        code = value if name != "lives_in" else value.upper()
        if name == "language":
            code = value.lower()
        if code not in table:
            raise InvalidFilter(unknown % {"value": value, "codes": codes}, field=name)
        if code not in codes:
            codes.append(code)
    if len(codes) > 10:
        raise InvalidFilter(
            ngettext(
                "Choose at most %(count)s value for %(name)s.",
                "Choose at most %(count)s values for %(name)s.",
                10,
            )
            % {"count": 10, "name": name},
            field=name,
        )
    return tuple(codes)


def _money(data: Mapping, name: str) -> Decimal | None:
    value = _single(data, name)
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise InvalidFilter(_("%(name)s must be a number, like 120.") % {"name": name}, field=name)
    if amount < 0:
        raise InvalidFilter(_("A fee cannot be negative."), field=name)
    if amount > Decimal("1000000"):
        raise InvalidFilter(
            _("%(name)s is larger than any fee on Duet.") % {"name": name}, field=name
        )
    return amount


def parse_filters(data: Mapping) -> DirectoryFilters:
    """Turn query parameters into filters; raise ``InvalidFilter`` naming the bad field."""
    unknown = sorted(set(data.keys()) - KNOWN)
    if unknown:
        raise InvalidFilter(
            _("Unknown filter “%(name)s”. Known filters: %(known)s.")
            % {"name": unknown[0], "known": ", ".join(sorted(KNOWN))},
            field=unknown[0],
        )
    fmt = _single(data, "format")
    if fmt and fmt not in catalog.FORMATS:
        raise InvalidFilter(
            _("Unknown format “%(value)s”. Use one of: %(codes)s.")
            % {"value": fmt, "codes": ", ".join(catalog.FORMATS)},
            field="format",
        )
    fee_min, fee_max = _money(data, "fee_min"), _money(data, "fee_max")
    if fee_min is not None and fee_max is not None and fee_min > fee_max:
        raise InvalidFilter(
            _("The lowest fee is above the highest fee. Swap them or widen the range."),
            field="fee_min",
        )
    currency = _single(data, "currency").upper()
    if currency and currency not in catalog.currencies():
        raise InvalidFilter(
            _("Unknown currency “%(value)s”. Use an ISO 4217 code such as USD, EUR, GBP, PLN.")
            % {"value": currency},
            field="currency",
        )
    accepting_raw = _single(data, "accepting").lower()
    accepting_map = {"": None, "true": True, "1": True, "yes": True, "false": False, "0": False}
    if accepting_raw not in accepting_map:
        raise InvalidFilter(_("accepting must be true or false."), field="accepting")
    sort = _single(data, "sort") or "name"
    if sort not in SORTS:
        raise InvalidFilter(
            _("Unknown sort “%(value)s”. Use one of: %(codes)s.")
            % {"value": sort, "codes": ", ".join(SORTS)},
            field="sort",
        )
    page_raw = _single(data, "page") or "1"
    if not page_raw.isdigit() or not 1 <= int(page_raw) <= MAX_PAGE:
        raise InvalidFilter(_("page must be a whole number from 1."), field="page")
    free_raw = _single(data, "free_within_days")
    if free_raw and (not free_raw.isdigit() or not 1 <= int(free_raw) <= MAX_FREE_WITHIN_DAYS):
        raise InvalidFilter(
            _("free_within_days must be a whole number of days from 1 to %(max)s.")
            % {"max": MAX_FREE_WITHIN_DAYS},
            field="free_within_days",
        )
    q = _single(data, "q")
    if len(q) > 100:
        raise InvalidFilter(_("Search text is limited to 100 characters."), field="q")
    return DirectoryFilters(
        specialties=_codes(
            data,
            "specialty",
            catalog.SPECIALTIES,
            _("Unknown specialty “%(value)s”. Use one of: %(codes)s."),
            ", ".join(catalog.SPECIALTIES),
        ),
        approaches=_codes(
            data,
            "approach",
            catalog.APPROACHES,
            _("Unknown approach “%(value)s”. Use one of: %(codes)s."),
            ", ".join(catalog.APPROACHES),
        ),
        languages=_codes(
            data,
            "language",
            catalog.languages(),
            _("Unknown language “%(value)s”. Use an ISO 639-1 code such as en, ja or pl."),
        ),
        lives_in=_codes(
            data,
            "lives_in",
            catalog.jurisdictions(),
            _(
                "Unknown lives in “%(value)s”. Use a country code such as GB or PL, or a US "
                "state, Canadian province or Australian state such as US-CA."
            ),
        ),
        format=fmt,
        fee_min=fee_min,
        fee_max=fee_max,
        currency=currency,
        accepting=accepting_map[accepting_raw],
        q=q,
        free_within_days=int(free_raw) if free_raw else None,
        sort=sort,
        page=int(page_raw),
    )
