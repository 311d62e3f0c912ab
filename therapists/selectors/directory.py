"""Profiles and the directory, and THE bookable rule (what the directory lists)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.selectors import active_couple_for
from therapists import catalog
from therapists.bookings import bookings

if TYPE_CHECKING:
    pass
from therapists.filters import PAGE_SIZE, DirectoryFilters
from therapists.models import (
    ClinicMembership,
    ProfileFacet,
    TherapistProfile,
)
from therapists.selectors.clinics import is_admin_of

# --- Profiles and the directory --------------------------------------------------


def public_profiles() -> QuerySet[TherapistProfile]:
    """Profiles couples may see: active accounts with an active membership in their clinic."""
    active_member = ClinicMembership.objects.filter(
        user=OuterRef("user"),
        clinic=OuterRef("clinic"),
        role=ClinicMembership.Role.THERAPIST,
        is_active=True,
    )
    return (
        TherapistProfile.objects.filter(Exists(active_member), user__is_active=True)
        .select_related("user", "clinic")
        .prefetch_related("facets")
        .order_by("user__full_name", "pk")
    )


def is_bookable(therapist: User) -> bool:
    """THE bookable rule: couples may book ``therapist`` now.

    An active account with an active therapist membership and a profile in that clinic
    (what the directory lists). Scheduling asks before every hold and booking, and the
    directory lists only these; a deactivated therapist is not bookable, and neither is one
    who has not opened a session type yet (their booking page would be a dead end).
    """
    return bookable_profiles().filter(user=therapist).exists()


def bookable_profiles() -> QuerySet[TherapistProfile]:
    """The bookable rule as a queryset: public profiles whose therapist offers at least one
    active session type (through the reverse relation: no import of scheduling)."""
    open_type = User.objects.filter(pk=OuterRef("user_id"), session_types__is_active=True)
    return public_profiles().filter(Exists(open_type))


def profile_for_editor(user: User, profile_id: int) -> TherapistProfile | None:
    """The profile if ``user`` may edit it: its therapist, or an admin of its clinic."""
    if not user.is_authenticated:
        return None
    profile = (
        TherapistProfile.objects.select_related("user", "clinic")
        .prefetch_related("facets")
        .filter(pk=profile_id)
        .first()
    )
    if profile is None:
        return None
    if profile.user_id == user.pk or is_admin_of(user, profile.clinic_id):
        return profile
    return None


def _has_facet(kind: str, codes: Iterable[str]) -> Exists:
    return Exists(
        ProfileFacet.objects.filter(profile=OuterRef("pk"), kind=kind, code__in=list(codes))
    )


def directory_queryset(filters: DirectoryFilters) -> QuerySet[TherapistProfile]:
    """Public profiles matching every filter. Several values of one filter must all match:
    a couple asking for English and Japanese wants a therapist who speaks both. Only
    bookable therapists are listed: every card leads to times a couple can pick."""
    qs = bookable_profiles()
    kinds = ProfileFacet.Kind
    for kind, codes in (
        (kinds.SPECIALTY, filters.specialties),
        (kinds.APPROACH, filters.approaches),
        (kinds.LANGUAGE, filters.languages),
    ):
        for code in codes:
            qs = qs.filter(_has_facet(kind, [code]))
    if filters.any_languages:
        qs = qs.filter(_has_facet(kinds.LANGUAGE, filters.any_languages))
    for place in filters.lives_in:
        # A licence for the whole country covers its regions (US licence rules aside,
        # GB or PL is the unit there). Partners living apart need both places covered.
        licensed = _has_facet(kinds.JURISDICTION, {place, catalog.jurisdiction_covers(place)})
        qs = qs.filter(licensed | Q(clinic__serves_outside_license=True))
    if filters.format:
        qs = qs.filter(_has_facet(kinds.FORMAT, catalog.FORMAT_MATCHES[filters.format]))
    if filters.fee_min is not None:
        qs = qs.filter(fee__gte=filters.fee_min)
    if filters.fee_max is not None:
        qs = qs.filter(fee__lte=filters.fee_max)
    if filters.currency:
        qs = qs.filter(currency=filters.currency)
    if filters.accepting is not None:
        qs = qs.filter(accepting_new_couples=filters.accepting)
    if filters.q:
        qs = qs.filter(
            Q(user__full_name__icontains=filters.q)
            | Q(headline__icontains=filters.q)
            | Q(clinic__name__icontains=filters.q)
        )
    order = {
        "name": [F("user__full_name").asc(), F("pk").asc()],
        "fee": [F("fee").asc(nulls_last=True), F("user__full_name").asc(), F("pk").asc()],
        "-fee": [F("fee").desc(nulls_last=True), F("user__full_name").asc(), F("pk").asc()],
    }.get(
        filters.sort, [F("user__full_name").asc(), F("pk").asc()]
    )  # "soonest" re-sorts by name first
    return qs.order_by(*order)


# How far ahead "soonest availability" looks when no free-within filter is set.
SOONEST_HORIZON_DAYS = 30


def _ordered_by_availability(
    qs: QuerySet[TherapistProfile], filters: DirectoryFilters, *, now: datetime
) -> tuple[list[int], dict[int, datetime | None]]:
    """Profile ids in directory order after the availability filter and sort.

    One query for the ids plus scheduling's fixed number of queries, however many
    therapists match; directory sizes make one id list per request cheap.
    """
    rows = list(qs.values_list("pk", "user_id"))
    days = filters.free_within_days or SOONEST_HORIZON_DAYS
    starts = bookings().earliest_free_start_by_therapist([u for _, u in rows], now=now, days=days)
    if filters.free_within_days is not None:
        rows = [(pk, user_id) for pk, user_id in rows if starts.get(user_id) is not None]
    if filters.sort == "soonest":
        far = now + timedelta(days=3650)
        # ``rows`` is already in name order, and sorted() is stable: ties stay by name.
        rows = sorted(rows, key=lambda row: starts.get(row[1]) or far)
    return [pk for pk, _ in rows], {pk: starts.get(user_id) for pk, user_id in rows}


@dataclass
class DirectoryPage:
    results: list[TherapistProfile]
    count: int
    number: int
    num_pages: int
    page_size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def directory_page(
    filters: DirectoryFilters, *, page_size: int = PAGE_SIZE, now: datetime
) -> DirectoryPage:
    """One page of the directory in a bounded number of queries however many match:
    the count, the page (with user and clinic joined), and every facet of the page; with
    an availability filter or sort, the ordered id list and scheduling's queries instead
    of the count. Each result carries ``next_free_start`` when availability was asked."""
    qs = directory_queryset(filters)
    offset = (filters.page - 1) * page_size
    if filters.needs_availability:
        ids, starts = _ordered_by_availability(qs, filters, now=now)
        count = len(ids)
        page_ids = ids[offset : offset + page_size]
        by_pk = {p.pk: p for p in qs.filter(pk__in=page_ids)} if page_ids else {}
        results = [by_pk[pk] for pk in page_ids if pk in by_pk]
        for profile in results:
            profile.next_free_start = starts.get(profile.pk)  # type: ignore[attr-defined]
    else:
        count = qs.count()
        results = list(qs[offset : offset + page_size]) if offset < count else []
    num_pages = max(1, math.ceil(count / page_size))
    return DirectoryPage(
        results=results,
        count=count,
        number=filters.page,
        num_pages=num_pages,
        page_size=page_size,
    )


def licence_covers(codes: Iterable[str], place: str) -> bool:
    """Whether licence places ``codes`` cover ``place`` (``US-CA``, ``JP``): the place
    itself or its whole country. The directory's ``lives_in`` filter is the same rule
    written as a query."""
    held = set(codes)
    return bool(place) and (place in held or catalog.jurisdiction_covers(place) in held)


def licence_places_of(therapist: User) -> list[str]:
    return list(
        ProfileFacet.objects.filter(
            profile__user=therapist, kind=ProfileFacet.Kind.JURISDICTION
        ).values_list("code", flat=True)
    )


def couple_languages(user: User) -> tuple[str, ...]:
    """The directory language codes of a signed-in client's couple: their own account
    language first, then their partner's ("pt-br" is "pt"); empty for anyone else."""
    if not user.is_authenticated or not user.is_client:
        return ()
    couple = active_couple_for(user)
    if couple is None:
        return ()
    known = catalog.languages()
    codes: list[str] = []
    for person in sorted(couple.partners, key=lambda p: p.pk != user.pk):
        code = (person.language or "").split("-")[0].lower()
        if code in known and code not in codes:
            codes.append(code)
    return tuple(codes)
