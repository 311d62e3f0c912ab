"""The couple journal, private journals, consent, and goals."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from accounts.models import Couple, User
from accounts.selectors import is_partner
from core.errors import DomainError, Forbidden
from sessions_app.models import Goal, JournalConsent, JournalEntry
from therapists.selectors import is_client_of

MAX_ENTRY = 20_000


def journal_write(
    *, user: User, couple: Couple, kind: str, body: str, now: datetime
) -> JournalEntry:
    if not is_partner(user, couple.pk):
        raise Forbidden(gettext("This is not your couple's journal."), code="not_yours")
    if kind not in JournalEntry.Kind.values:
        raise DomainError(
            gettext("Choose which journal to write in."), code="bad_kind", field="kind"
        )
    body = body.strip()
    if not body:
        raise DomainError(gettext("Write something first."), code="empty", field="body")
    if len(body) > MAX_ENTRY:
        raise DomainError(gettext("That entry is too long."), code="too_long", field="body")
    return JournalEntry.objects.create(
        couple=couple, author=user, kind=kind, body=body, created_at=now
    )


def journal_delete(*, user: User, entry: JournalEntry) -> None:
    if entry.author_id != user.pk:
        raise Forbidden(gettext("You can delete only your own entries."), code="not_yours")
    entry.delete()


@transaction.atomic
def journal_consent_set(
    *, user: User, couple: Couple, therapist: User, allow: bool, now: datetime
) -> JournalConsent:
    """Consent is given to one named therapist, who must be the couple's therapist."""
    if not is_partner(user, couple.pk):
        raise Forbidden(gettext("This is not your couple."), code="not_yours")
    if allow and not is_client_of(therapist, couple.pk):
        raise Forbidden(
            gettext("You can share only with your own therapist."), code="not_your_therapist"
        )
    consent, _ = JournalConsent.objects.select_for_update().get_or_create(
        couple=couple, user=user, therapist=therapist
    )
    consent.therapist_can_read = allow
    consent.updated_at = now
    consent.save()
    return consent


def goal_create(*, user: User, couple: Couple, title: str, now: datetime) -> Goal:
    if not (is_partner(user, couple.pk) or is_client_of(user, couple.pk)):
        raise Forbidden(gettext("You cannot add goals for this couple."), code="not_yours")
    title = title.strip()
    if not title:
        raise DomainError(gettext("Describe the goal."), code="empty", field="title")
    return Goal.objects.create(
        couple=couple, created_by=user, title=title[:500], created_at=now, updated_at=now
    )


@transaction.atomic
def goal_update(*, user: User, goal: Goal, progress: int, status: str, now: datetime) -> Goal:
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if not (is_partner(user, goal.couple_id) or is_client_of(user, goal.couple_id)):
        raise Forbidden(gettext("You cannot change this goal."), code="not_yours")
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise DomainError(gettext("Progress is 0 to 100 %."), code="bad_progress", field="progress")
    if status not in Goal.Status.values:
        raise DomainError(gettext("Choose a status."), code="bad_status", field="status")
    goal.progress = 100 if status == Goal.Status.ACHIEVED else progress
    goal.status = status
    goal.updated_at = now
    goal.save()
    return goal
