"""``{% load l10n_duet %}``: ``|ldate:"D j M, H:i"``, ``|money:currency``, ``|num``.

``ldate`` replaces Django's ``date`` and ``time`` filters everywhere a person reads the
result: same format strings, each language's own order and names (core.l10n).
"""

from __future__ import annotations

from django import template

from core.l10n import format_local, format_money, format_number

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def ldate(value, fmt: str = "j M Y") -> str:  # type: ignore[no-untyped-def]
    return format_local(value, fmt)


@register.filter(is_safe=False)
def money(value, currency: str = "EUR") -> str:  # type: ignore[no-untyped-def]
    if value is None or value == "":
        return ""
    return format_money(value, currency)


@register.filter(is_safe=False)
def num(value) -> str:  # type: ignore[no-untyped-def]
    if value is None or value == "":
        return ""
    return format_number(value)
