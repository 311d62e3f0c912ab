"""Reads for therapists, clinics and rosters."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Couple, CoupleMembership, User
from therapists import catalog
from therapists.bookings import bookings

if TYPE_CHECKING:
    from scheduling.models import Booking
from therapists.filters import PAGE_SIZE, DirectoryFilters
from therapists.models import (
    Clinic,
    ClinicMembership,
    CoupleAssignment,
    ProfileFacet,
    RosterChange,
    TherapistInvitation,
    TherapistProfile,
)

# --- Clinics and admins --------------------------------------------------------


def clinics_administered_by(user: User) -> QuerySet[Clinic]:
    if not user.is_authenticated:
        return Clinic.objects.none()
    return Clinic.objects.filter(
        Exists(
            ClinicMembership.objects.filter(
                clinic=OuterRef("pk"),
                user=user,
                role=ClinicMembership.Role.ADMIN,
                is_active=True,
            )
        )
    )


def is_admin_of(user: User, clinic_id: int | None) -> bool:
    if clinic_id is None or not user.is_authenticated:
        return False
    return ClinicMembership.objects.filter(
        clinic_id=clinic_id, user=user, role=ClinicMembership.Role.ADMIN, is_active=True
    ).exists()


def roster_for_admin(user: User) -> list[ClinicMembership]:
    """Therapist memberships of every clinic ``user`` administers."""
    return list(
        ClinicMembership.objects.filter(
            clinic__in=clinics_administered_by(user), role=ClinicMembership.Role.THERAPIST
        )
        .select_related("user", "clinic", "user__therapist_profile")
        .order_by("clinic__name", "-is_active", "user__full_name")
    )


def membership_for_admin(user: User, membership_id: int) -> ClinicMembership | None:
    """A therapist membership in a clinic ``user`` runs, or None (callers answer 404)."""
    return (
        ClinicMembership.objects.filter(
            pk=membership_id,
            role=ClinicMembership.Role.THERAPIST,
            clinic__in=clinics_administered_by(user),
        )
        .select_related("user", "clinic")
        .first()
    )


def active_therapists_of(clinic: Clinic) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            clinic_memberships__clinic=clinic,
            clinic_memberships__role=ClinicMembership.Role.THERAPIST,
            clinic_memberships__is_active=True,
        ).order_by("full_name")
    )


def is_bookable(therapist: User) -> bool:
    """THE bookable rule: couples may book ``therapist`` now.

    An active account with an active therapist membership and a profile in that clinic
    (what the directory lists). Scheduling asks before every hold and booking, and the
    directory lists only these; a deactivated therapist is not bookable.
    """
    return public_profiles().filter(user=therapist).exists()


def roster_changes(clinic_ids: list[int], *, limit: int = 100) -> list[RosterChange]:
    return list(
        RosterChange.objects.filter(clinic_id__in=clinic_ids)
        .select_related("actor", "therapist", "clinic")
        .prefetch_related(_partners("couple__memberships"))[:limit]
    )


def pending_invitations(clinic_ids: list[int], *, now: datetime) -> list[TherapistInvitation]:
    return list(
        TherapistInvitation.objects.filter(
            clinic_id__in=clinic_ids,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).select_related("clinic", "invited_by")
    )


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
    a couple asking for English and Japanese wants a therapist who speaks both."""
    qs = public_profiles()
    kinds = ProfileFacet.Kind
    for kind, codes in (
        (kinds.SPECIALTY, filters.specialties),
        (kinds.APPROACH, filters.approaches),
        (kinds.LANGUAGE, filters.languages),
    ):
        for code in codes:
            qs = qs.filter(_has_facet(kind, [code]))
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


# --- Couples, clients and assignments --------------------------------------------


def _partners(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=CoupleMembership.objects.select_related("user"))


def therapist_clients(therapist: User) -> list[Couple]:
    """THE rule for who a therapist's clients are; every page and permission asks here.

    A couple is a therapist's client while it is assigned to them (an assignment that
    has not ended) or has a session with them that is booked, took place or was
    cancelled late. A hold or a cancelled-only booking gives no access to the couple's
    shared writing.
    """
    return list(
        therapist_clients_qs(therapist)
        .annotate(
            is_assigned=Exists(
                CoupleAssignment.objects.filter(
                    couple=OuterRef("pk"), therapist=therapist, ended_at__isnull=True
                )
            )
        )
        .prefetch_related(_partners("memberships"))
        .order_by("-is_assigned", "-created_at")
    )


def _care(**match: object) -> Q:
    """The clients rule as one condition, matched on therapist and couple references."""
    source = bookings()
    booked = source.model.objects.filter(status__in=source.care_statuses, **match)
    assigned = CoupleAssignment.objects.filter(ended_at__isnull=True, **match)
    return Q(Exists(booked)) | Q(Exists(assigned))


def therapist_clients_qs(therapist: User) -> QuerySet[Couple]:
    """``therapist_clients`` as a queryset, for checks and joins."""
    return Couple.objects.filter(_care(couple=OuterRef("pk"), therapist=therapist))


def couple_therapists(couple: Couple) -> list[User]:
    """The therapists ``couple`` is a client of (the same rule, from the couple's side)."""
    return list(User.objects.filter(_care(couple=couple, therapist=OuterRef("pk"))))


def clinic_of_care(therapist: User, couple: Couple) -> Clinic | None:
    """The clinic under which ``therapist`` treats ``couple``: the assignment's, else the
    latest session's."""
    assignment = (
        CoupleAssignment.objects.filter(therapist=therapist, couple=couple, ended_at__isnull=True)
        .select_related("clinic")
        .first()
    )
    if assignment is not None:
        return assignment.clinic
    source = bookings()
    booking = (
        source.model.objects.filter(
            therapist=therapist, couple=couple, status__in=source.care_statuses
        )
        .select_related("clinic")
        .order_by("starts_at")
        .last()
    )
    return booking.clinic if booking is not None else None


def is_client_of(therapist: User, couple_id: int) -> bool:
    """One query: is ``couple_id`` one of ``therapist``'s clients?"""
    if not getattr(therapist, "is_therapist", False):
        return False
    return therapist_clients_qs(therapist).filter(pk=couple_id).exists()


def clinic_couples(clinic: Clinic) -> list[Couple]:
    """Couples the clinic already knows: they booked one of its sessions or were assigned."""
    booked = bookings().model.objects.filter(couple=OuterRef("pk"), clinic=clinic)
    assigned = CoupleAssignment.objects.filter(couple=OuterRef("pk"), clinic=clinic)
    current = CoupleAssignment.objects.filter(couple=OuterRef("pk"), ended_at__isnull=True)
    return list(
        Couple.objects.filter(Exists(booked) | Exists(assigned))
        .prefetch_related(
            _partners("memberships"),
            Prefetch(
                "therapist_assignments",
                queryset=CoupleAssignment.objects.filter(ended_at__isnull=True).select_related(
                    "therapist"
                ),
                to_attr="current_assignments",
            ),
        )
        .annotate(has_therapist=Exists(current))
        .order_by("has_therapist", "-created_at")
    )


def assignment_history(
    clinic_ids: list[int], *, couple_id: int | None = None
) -> list[CoupleAssignment]:
    qs = CoupleAssignment.objects.filter(clinic_id__in=clinic_ids)
    if couple_id is not None:
        qs = qs.filter(couple_id=couple_id)
    return list(
        qs.select_related("therapist", "assigned_by", "ended_by").prefetch_related(
            _partners("couple__memberships")
        )
    )


def future_sessions_of(therapist: User, *, now: datetime) -> list[Booking]:
    """Sessions still ahead for ``therapist``; listed for reassignment when they leave."""
    source = bookings()
    return list(
        source.model.objects.filter(
            therapist=therapist, status__in=source.upcoming_statuses, starts_at__gt=now
        )
        .exclude(status=source.held_status, hold_expires_at__lte=now)
        .prefetch_related(_partners("couple__memberships"))
        .order_by("starts_at")
    )


# --- Roster ---------------------------------------------------------------------------


def week_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 in ``tz``, as aware datetimes."""
    local = now.astimezone(tz).date()
    monday = local - timedelta(days=local.weekday())
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)
    return start, end


@dataclass
class RosterRow:
    membership: ClinicMembership
    active_couples: int
    sessions_this_week: int
    booked_hours: float
    free_hours: float | None
    utilization: float | None  # booked / agreed hours; None without agreed hours
    future_sessions: int

    @property
    def utilization_percent(self) -> int | None:
        return None if self.utilization is None else round(self.utilization * 100)


def roster_rows(user: User, *, now: datetime) -> list[RosterRow]:
    """The roster of every clinic ``user`` runs, in a fixed number of queries.

    Free hours and utilization use the weekly hours agreed with the clinic. Once the
    scheduling issue stores working hours, they become the capacity instead.
    """
    memberships = roster_for_admin(user)
    if not memberships:
        return []
    therapist_ids = [m.user_id for m in memberships]
    zones = {m.clinic_id: ZoneInfo(m.clinic.time_zone) for m in memberships}
    earliest = min(week_bounds(now, tz)[0] for tz in zones.values())
    recent = now - timedelta(days=30)

    source = bookings()
    rows_booked = list(
        source.model.objects.filter(
            therapist_id__in=therapist_ids, status__in=source.occupying_statuses
        )
        .filter(Q(starts_at__gte=min(earliest, recent)))
        .exclude(status=source.held_status, hold_expires_at__lte=now)
        .values_list("therapist_id", "couple_id", "clinic_id", "starts_at", "ends_at", "status")
    )
    assigned = list(
        CoupleAssignment.objects.filter(
            therapist_id__in=therapist_ids, ended_at__isnull=True
        ).values_list("therapist_id", "couple_id", "clinic_id")
    )
    rows = []
    for m in memberships:
        start, end = week_bounds(now, zones[m.clinic_id])
        mine = [b for b in rows_booked if b[0] == m.user_id]
        couples = {c for t, c, clinic_id in assigned if t == m.user_id and clinic_id == m.clinic_id}
        couples |= {b[1] for b in mine if b[3] >= recent}
        week = [b for b in mine if start <= b[3] < end]
        hours = sum((b[4] - b[3]).total_seconds() for b in week) / 3600
        capacity = m.weekly_hours
        rows.append(
            RosterRow(
                membership=m,
                active_couples=len(couples),
                sessions_this_week=len(week),
                booked_hours=round(hours, 1),
                free_hours=None if capacity is None else round(max(capacity - hours, 0), 1),
                utilization=None if not capacity else hours / capacity,
                future_sessions=sum(
                    1 for b in mine if b[3] > now and b[5] in source.upcoming_statuses
                ),
            )
        )
    return rows


def active_clinic_id_of(user: User) -> int | None:
    """The clinic a therapist or admin works for now (the first, if several)."""
    return (
        ClinicMembership.objects.filter(user=user, is_active=True)
        .values_list("clinic_id", flat=True)
        .first()
    )
