"""Reads of the couple journal (shared and private) and the couple's goals."""

from __future__ import annotations

from accounts.models import Couple, User
from sessions_app.models import Goal, JournalConsent, JournalEntry
from sessions_app.selectors._common import audited


def therapist_may_read_journal(couple: Couple) -> bool:
    partners = couple.partners
    if not partners:
        return False
    allowed = set(
        JournalConsent.objects.filter(
            couple=couple, therapist_can_read=True, user__in=partners
        ).values_list("user_id", flat=True)
    )
    return all(p.pk in allowed for p in partners)


def consent_of(user: User, couple: Couple) -> bool:
    return JournalConsent.objects.filter(couple=couple, user=user, therapist_can_read=True).exists()


def journal_for_partner(user: User, couple: Couple) -> dict[str, list[JournalEntry]]:
    entries = JournalEntry.objects.filter(couple=couple).select_related("author")
    return {
        "shared": audited(user, list(entries.filter(kind=JournalEntry.Kind.SHARED))),
        "private": audited(user, list(entries.filter(kind=JournalEntry.Kind.PRIVATE, author=user))),
    }


def journal_for_therapist(
    couple: Couple, *, viewer: User | None = None
) -> list[JournalEntry] | None:
    """The couple journal if every partner allows it; never a private journal."""
    if not therapist_may_read_journal(couple):
        return None
    entries = list(
        JournalEntry.objects.filter(couple=couple, kind=JournalEntry.Kind.SHARED).select_related(
            "author"
        )
    )
    return audited(viewer, entries) if viewer is not None else entries


def goals_for(couple: Couple) -> list[Goal]:
    return list(Goal.objects.filter(couple=couple).exclude(status=Goal.Status.ARCHIVED))
