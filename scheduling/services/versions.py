"""Versions of what a couple's free slots depend on; cached slot lists are keyed on them.

Every write that can change a therapist's or a couple's free slots calls
``slots_versions_bump`` inside its own transaction, so the new version becomes visible
together with the change: a reader that sees the new version also sees the new rows,
and a list cached under an old version is never read again. A version is a fresh
random number, not a count: a count would come back after a rollback or a restore
(or in a recreated database) and find lists cached for other data.

One bump comes just after the commit instead: a couple's hold with another therapist,
released by a new hold (taking that therapist's row after the couple's could deadlock);
until then that therapist's lists hide the freed time a moment longer, never the other
way round.

What is keyed on elsewhere needs no bump: the therapist's and partners' time zones and
who the partners are (the cache key names them), notice and horizon (applied when
reading), and a hold running out (a cached list remembers when its first hold expires
and is recomputed from then on).
"""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import Couple, User, new_slots_version


def slots_versions_bump(
    *,
    therapist_id: int | None = None,
    couple_id: int | None = None,
    therapist_ids: Iterable[int] = (),
    couple_ids: Iterable[int] = (),
    partner_id: int | None = None,
) -> None:
    """Invalidate the cached slots of these therapists and couples (therapists first,
    the order ``_lock`` takes its row locks in). ``partner_id``: every couple that
    person is an active partner of."""
    therapists = set(therapist_ids)
    if therapist_id is not None:
        therapists.add(therapist_id)
    couples = set(couple_ids)
    if couple_id is not None:
        couples.add(couple_id)
    version = new_slots_version()
    if therapists:
        User.objects.filter(pk__in=sorted(therapists)).update(slots_version=version)
    if couples:
        Couple.objects.filter(pk__in=sorted(couples)).update(slots_version=version)
    if partner_id is not None:
        Couple.objects.filter(
            memberships__user_id=partner_id, memberships__left_at__isnull=True
        ).update(slots_version=version)
