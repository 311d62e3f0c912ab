"""Dates, money and plurals as each language writes them (core.l10n over CLDR)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core.l10n import FORMATS, format_local, format_money

EVENING = datetime(2026, 12, 2, 18, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "2 Dec 2026, 18:00"),
        ("pl", "2 gru 2026, 18:00"),
        ("ja", "2026年12月2日 18:00"),
        ("es", "2 dic 2026, 18:00"),
        ("hi", "2 दिस॰ 2026, 6:00 pm"),
    ],
)
def test_date_and_time_in_each_language(language, expected):
    assert format_local(EVENING, "j M Y, H:i", language=language) == expected


def test_every_known_format_works_in_every_language():
    for language in ("en", "es", "ja", "pl", "hi", "pt-br"):
        for fmt in FORMATS:
            assert format_local(EVENING, fmt, language=language)


def test_english_keeps_duets_own_format():
    assert format_local(EVENING, "D j M, H:i", language="en") == "Wed 2 Dec, 18:00"


def test_money_in_each_language():
    assert format_money(Decimal("60.00"), "usd", language="en") == "60 USD"
    assert format_money(Decimal("120.5"), "PLN", language="pl") == "120,50\xa0zł"
    assert format_money(Decimal("120"), "BRL", language="pt-br") == "R$\xa0120,00"


def test_template_filters_follow_the_active_language():
    template = Template('{% load l10n_duet %}{{ when|ldate:"j M Y" }} · {{ fee|money:"PLN" }}')
    with translation.override("pl"):
        rendered = template.render(Context({"when": EVENING, "fee": Decimal("90")}))
    assert rendered == "2 gru 2026 · 90,00\xa0zł"


@pytest.mark.parametrize(
    ("count", "word"), [(1, "sesję"), (3, "sesje"), (5, "sesji"), (22, "sesje"), (25, "sesji")]
)
def test_polish_has_three_plural_forms(count, word):
    """One, few, many: the catalog's plural rule, not English's two forms."""
    with translation.override("pl"):
        text = translation.ngettext(
            "Cancelled %(count)s session.", "Cancelled %(count)s sessions.", count
        )
    assert text % {"count": count} == f"Odwołano {count} {word}."
