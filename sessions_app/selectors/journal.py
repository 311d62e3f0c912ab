"""Reads of the couple journal (shared and private) and the couple's goals."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Couple, User
from accounts.selectors import member_since
from core.fields import unreadable_marked
from sessions_app.models import Goal, JournalConsent, JournalEntry
from sessions_app.selectors._common import audited
from therapists.selectors import couple_therapists, is_client_of


def therapist_may_read_journal(couple: Couple, therapist: User) -> bool:
    """While the couple is ``therapist``'s client and every current partner consented
    to this therapist reading."""
    partners = couple.partners
    if not partners or not is_client_of(therapist, couple.pk):
        return False
    allowed = set(
        JournalConsent.objects.filter(
            couple=couple, therapist=therapist, therapist_can_read=True, user__in=partners
        ).values_list("user_id", flat=True)
    )
    return all(p.pk in allowed for p in partners)


def consent_of(user: User, couple: Couple, therapist: User) -> bool:
    return JournalConsent.objects.filter(
        couple=couple, user=user, therapist=therapist, therapist_can_read=True
    ).exists()


@dataclass
class JournalReader:
    therapist: User
    my_consent: bool
    reads: bool


def journal_readers(user: User, couple: Couple) -> list[JournalReader]:
    """The couple's therapists (the clients rule), and who may read the couple journal."""
    return [
        JournalReader(
            therapist=t,
            my_consent=consent_of(user, couple, t),
            reads=therapist_may_read_journal(couple, t),
        )
        for t in couple_therapists(couple)
    ]


def journal_for_partner(user: User, couple: Couple) -> dict[str, list[JournalEntry]]:
    entries = JournalEntry.objects.filter(
        couple=couple, created_at__gte=member_since(user, couple.pk)
    ).select_related("author")
    return {
        "shared": audited(user, unreadable_marked(entries.filter(kind=JournalEntry.Kind.SHARED))),
        "private": audited(
            user, unreadable_marked(entries.filter(kind=JournalEntry.Kind.PRIVATE, author=user))
        ),
    }


def journal_for_therapist(
    couple: Couple, *, therapist: User, viewer: User | None = None
) -> list[JournalEntry] | None:
    """The couple journal if every partner allows this therapist; never a private one."""
    if not therapist_may_read_journal(couple, therapist):
        return None
    entries = unreadable_marked(
        JournalEntry.objects.filter(couple=couple, kind=JournalEntry.Kind.SHARED).select_related(
            "author"
        )
    )
    return audited(viewer, entries) if viewer is not None else entries


def goals_for(couple: Couple, *, partner: User | None = None) -> list[Goal]:
    """The couple's goals; for a ``partner``, only those set since they joined."""
    goals = Goal.objects.filter(couple=couple).exclude(status=Goal.Status.ARCHIVED)
    if partner is not None:
        goals = goals.filter(created_at__gte=member_since(partner, couple.pk))
    return list(goals)
