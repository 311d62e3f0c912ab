"""Answer like a partner would: before a session (check-in) and after it (reflection)."""

from __future__ import annotations

from datetime import timedelta

from measures import instruments
from measures.selectors import due_instruments
from measures.services import measures_answer


def fill(slug: str, value: int) -> dict[str, int]:
    """Every item of an instrument answered ``value`` (capped at the item's maximum)."""
    return {
        item.key: min(value, max(v for v, _ in item.options))
        for item in instruments.CURRENT[slug].items
    }


def _default(slug: str) -> dict[str, int]:
    # PHQ-9 item 9 stays 0: above zero raises the safety alert (tested on its own).
    return {**fill(slug, 1), "q9": 0} if slug == "phq9" else fill(slug, 1)


def answer_before(user, booking, **by_slug):
    """Answer every instrument due before ``booking``; ``by_slug`` sets item values."""
    due = due_instruments(booking, "before", user=user)
    answers = {i.slug: by_slug.get(i.slug) or _default(i.slug) for i in due}
    return measures_answer(
        user=user,
        booking=booking,
        moment="before",
        answers=answers,
        now=booking.starts_at - timedelta(hours=1),
    )


def answer_after(user, booking, alliance_each: int):
    return measures_answer(
        user=user,
        booking=booking,
        moment="after",
        answers={"alliance": fill("alliance", alliance_each)},
        now=booking.ends_at + timedelta(hours=1),
    )
