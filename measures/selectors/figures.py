"""Clinic figures: improvement, alliance split, completion and dropout per therapist."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Couple, User
from measures import instruments
from measures.models import MeasurePlan, MeasureResponse, Moment
from measures.selectors.due import HELD, instruments_due, plan_for_clinic, session_numbers
from measures.selectors.flags import flags_for
from measures.selectors.trends import series_by_partner, series_for
from scheduling.models import Booking
from therapists.models import Clinic
from therapists.selectors import is_admin_of


@dataclass
class Figures:
    label: str
    couples: int = 0
    measurable: int = 0
    improved: int = 0
    split_pairs: int = 0
    split: int = 0
    due: int = 0
    answered: int = 0
    dropouts: int = 0

    @staticmethod
    def _pct(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def improved_pct(self) -> int | None:
        return self._pct(self.improved, self.measurable)

    @property
    def split_pct(self) -> int | None:
        return self._pct(self.split, self.split_pairs)

    @property
    def completion_pct(self) -> int | None:
        return self._pct(self.answered, self.due)

    @property
    def dropout_pct(self) -> int | None:
        return self._pct(self.dropouts, self.couples)


DROPOUT_AFTER = timedelta(days=28)


@dataclass
class _Loaded:
    """What every figure reads, loaded once for all the clinic's bookings (a handful of
    queries whatever the number of therapists, couples and sessions)."""

    responses_by_couple: dict[int | None, list[MeasureResponse]]
    answered: set[tuple[int | None, int, str, str]]
    answered_at: dict[tuple[int, int | None, str], set[int | None]]
    upcoming: set[int]
    couples: dict[int, Couple]
    numbers: dict[int, int]


def _load(bookings: list[Booking], now: datetime) -> _Loaded:
    couple_ids = {b.couple_id for b in bookings}
    every = list(MeasureResponse.objects.filter(couple_id__in=couple_ids).select_related("user"))
    rows = [r for r in every if r.answered_at <= now]
    responses_by_couple: dict[int | None, list[MeasureResponse]] = defaultdict(list)
    for r in rows:
        responses_by_couple[r.couple_id].append(r)
    # Which sessions each partner answered each instrument at (for "intake once", which
    # counts any answer, as ``due_instruments`` does).
    answered_at: dict[tuple[int, int | None, str], set[int | None]] = defaultdict(set)
    for r in every:
        answered_at[(r.user_id, r.couple_id, r.instrument)].add(r.booking_id)
    return _Loaded(
        responses_by_couple=responses_by_couple,
        answered={(r.booking_id, r.user_id, r.instrument, r.moment) for r in rows},
        answered_at=answered_at,
        upcoming=set(
            Booking.objects.filter(
                couple_id__in=couple_ids, status=Booking.Status.CONFIRMED, starts_at__gt=now
            ).values_list("couple_id", flat=True)
        ),
        couples={
            c.pk: c
            for c in Couple.objects.filter(pk__in=couple_ids).prefetch_related("memberships__user")
        },
        numbers=session_numbers(bookings),
    )


def _figures_for(
    label: str, bookings: list[Booking], now: datetime, plan: MeasurePlan, loaded: _Loaded
) -> Figures:
    fig = Figures(label=label)
    by_couple: dict[int, list[Booking]] = defaultdict(list)
    for b in bookings:
        by_couple[b.couple_id].append(b)
    fig.couples = len(by_couple)
    answered, answered_at = loaded.answered, loaded.answered_at
    for couple_id in sorted(by_couple):
        couple = loaded.couples[couple_id]
        partners = couple.partners
        series = series_by_partner(loaded.responses_by_couple[couple.pk], partners)
        outcome = [s for p in partners for s in series[p.pk] if s.instrument.kind == "outcome"]
        improved = any(s.change == "improved" for s in outcome) and not any(
            s.change == "deteriorated" for s in outcome
        )
        if any(s.measurable for s in outcome):
            fig.measurable += 1
            fig.improved += improved
        flags = flags_for(partners, series, plan)
        has_pair = len(partners) == 2 and all(
            series_for(series[p.pk], instruments.ALLIANCE) for p in partners
        )
        if has_pair:
            fig.split_pairs += 1
            fig.split += any(f.kind == "split" for f in flags)
        held = sorted(by_couple[couple.pk], key=lambda b: b.starts_at)
        for b in held:
            for p in partners:

                def elsewhere(slug: str, b: Booking = b, p: User = p) -> bool:
                    return bool(answered_at[(p.pk, b.couple_id, slug)] - {b.pk})

                for moment in (Moment.BEFORE, Moment.AFTER):
                    for inst in instruments_due(
                        plan, loaded.numbers[b.pk], moment, intake_answered_elsewhere=elsewhere
                    ):
                        fig.due += 1
                        fig.answered += (b.pk, p.pk, inst.slug, moment) in answered
        last = held[-1].starts_at
        if couple.pk not in loaded.upcoming and now - last > DROPOUT_AFTER and not improved:
            fig.dropouts += 1
    return fig


@dataclass
class ClinicFigures:
    clinic: Clinic
    since: datetime
    total: Figures
    therapists: list[Figures]


def outcome_figures(
    clinic: Clinic, *, now: datetime, weeks: int = 12, therapist: User | None = None
) -> ClinicFigures:
    """Per therapist and for the clinic, over the last ``weeks``: share of couples reliably
    improved (a partner improved on an outcome measure and none got worse), alliance-split
    rate (couples whose latest session feedback is split), completion rate (answers given
    of answers due at held sessions) and dropout (no session for 28 days, none booked,
    not improved)."""
    since = now - timedelta(weeks=weeks)
    qs = Booking.objects.filter(
        clinic=clinic, status__in=HELD, starts_at__gte=since, starts_at__lt=now
    ).select_related("therapist", "clinic")
    if therapist is not None:
        qs = qs.filter(therapist=therapist)
    plan = plan_for_clinic(clinic)
    by_therapist: dict[int, list[Booking]] = defaultdict(list)
    names: dict[int, str] = {}
    for b in qs:
        by_therapist[b.therapist_id].append(b)
        names[b.therapist_id] = b.therapist.name
    everyone = [b for bookings in by_therapist.values() for b in bookings]
    loaded = _load(everyone, now)
    rows = [
        _figures_for(names[tid], bookings, now, plan, loaded)
        for tid, bookings in sorted(by_therapist.items(), key=lambda kv: names[kv[0]])
    ]
    # Counted again as a whole, so a couple seen by two therapists counts once.
    total = _figures_for(clinic.name, everyone, now, plan, loaded) if len(rows) > 1 else None
    if total is None:
        total = replace(rows[0], label=clinic.name) if rows else Figures(label=clinic.name)
    return ClinicFigures(clinic=clinic, since=since, total=total, therapists=rows)


def figures_for_viewer(user: User, clinic_id: int, *, now: datetime) -> ClinicFigures:
    """The clinic's admins see every therapist; a therapist of the clinic sees their own."""
    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None:
        raise Http404("No such clinic.")
    if is_admin_of(user, clinic.pk):
        return outcome_figures(clinic, now=now)
    if user.is_therapist and clinic.memberships.filter(user=user, role="therapist").exists():
        return outcome_figures(clinic, now=now, therapist=user)
    raise PermissionDenied("Only this clinic's people see its figures.")
