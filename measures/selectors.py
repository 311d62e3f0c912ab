"""Reads: what is due when, who may read which answers, trends, flags and clinic figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Couple, User
from core.audit import audit_read
from measures import instruments
from measures.instruments import Instrument
from measures.models import MeasurePlan, MeasureResponse, Moment, When
from scheduling.models import Booking
from scheduling.selectors import clinic_of
from therapists.models import Clinic
from therapists.selectors import clinic_of_care, is_admin_of, is_client_of

HELD = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


# --- When ---------------------------------------------------------------------------


def session_number(booking: Booking) -> int:
    """The couple's n-th session with this therapist (cancelled ones do not count)."""
    return (
        Booking.objects.filter(
            couple_id=booking.couple_id,
            therapist_id=booking.therapist_id,
            status__in=HELD,
            starts_at__lt=booking.starts_at,
        ).count()
        + 1
    )


def plan_for_clinic(clinic: Clinic | None) -> MeasurePlan:
    """The clinic's plan, or the defaults (unsaved) until an admin changes them."""
    if clinic is not None:
        plan = MeasurePlan.objects.filter(clinic=clinic).first()
        if plan is not None:
            return plan
    return MeasurePlan(clinic=clinic)


def plan_for_booking(booking: Booking) -> MeasurePlan:
    return plan_for_clinic(booking.clinic or clinic_of(booking.therapist))


def plan_for_couple(couple: Couple, therapist: User) -> MeasurePlan:
    return plan_for_clinic(clinic_of_care(therapist, couple) or clinic_of(therapist))


def due_instruments(booking: Booking, moment: str, *, user: User | None = None) -> list[Instrument]:
    """Instruments the clinic asks at this session and moment, in form order.

    Intake is asked before the first session a partner checks in for (not only session
    1: a partner who joins later, or skipped the first check-in, still gets it once).
    Every N sessions counts from the first: sessions 1, 1+N, 1+2N...
    """
    plan = plan_for_booking(booking)
    number = session_number(booking)
    due = []
    for slug, instrument in instruments.CURRENT.items():
        rule = plan.schedule.get(slug) or {"when": When.OFF}
        when, every = rule.get("when"), rule.get("every") or 1
        if moment == Moment.AFTER:
            if when == When.AFTER:
                due.append(instrument)
            continue
        if when == When.BEFORE or (when == When.EVERY_N and (number - 1) % every == 0):
            due.append(instrument)
        elif when == When.INTAKE:
            if user is None:
                if number == 1:
                    due.append(instrument)
            elif (
                not MeasureResponse.objects.filter(
                    user=user, couple_id=booking.couple_id, instrument=slug
                )
                .exclude(booking=booking)
                .exists()
            ):
                due.append(instrument)
    return due


def own_answers_for(user: User, booking: Booking, moment: str) -> dict[str, dict[str, int]]:
    """A partner's earlier answers at this session and moment (to prefill a form)."""
    rows = list(MeasureResponse.objects.filter(user=user, booking=booking, moment=moment))
    return {r.instrument: r.answers for r in _audited(user, rows)}


# --- Who may read -------------------------------------------------------------------


def _audited(viewer: User, rows: list[MeasureResponse]) -> list[MeasureResponse]:
    """Record each answer handed to ``viewer`` in the audit log (one INSERT, no content)."""
    if rows:
        audit_read(None, rows, actor=viewer)
    return rows


def can_read(viewer: User, response: MeasureResponse) -> bool:
    """The partner who answered, and a therapist of the couple. Never the other partner."""
    if not viewer.is_authenticated:
        return False
    if response.user_id == viewer.pk:
        return True
    return bool(
        viewer.is_therapist
        and response.couple_id is not None
        and is_client_of(viewer, response.couple_id)
    )


def couple_for_therapist(therapist: User, couple_id: int) -> Couple:
    couple = Couple.objects.filter(pk=couple_id).prefetch_related("memberships__user").first()
    if couple is None or not therapist.is_therapist or not is_client_of(therapist, couple_id):
        raise Http404("No such couple.")
    return couple


def clinic_for_admin(user: User, clinic_id: int) -> Clinic:
    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None or not is_admin_of(user, clinic.pk):
        raise Http404("No such clinic.")
    return clinic


def response_for(viewer: User, response_id: UUID | str) -> MeasureResponse:
    response = MeasureResponse.objects.filter(pk=response_id).select_related("user").first()
    if response is None or not can_read(viewer, response):
        raise Http404("No such answer.")
    _audited(viewer, [response])
    return response


# --- Trends -------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    response_id: str
    session_number: int
    moment: str
    total: int
    version: int
    answered_at: datetime
    change: str  # against the first answer: improved / deteriorated / no_change
    in_range: bool


@dataclass
class Series:
    instrument: Instrument
    user: User
    points: list[Point]

    @property
    def first(self) -> Point | None:
        return self.points[0] if self.points else None

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def change(self) -> str:
        latest = self.latest
        return latest.change if latest is not None and len(self.points) > 1 else "no_change"

    @property
    def measurable(self) -> bool:
        return len(self.points) > 1

    def reading(self, *, own: bool = True) -> str:
        """Plain words for a partner (``own``) or the therapist."""
        inst, first, last = self.instrument, self.first, self.latest
        if first is None or last is None:
            return ""
        whose = "your" if own else "the"
        name = (
            inst.short_name
            if any(c.isdigit() for c in inst.short_name)
            else inst.short_name.lower()
        )
        if len(self.points) == 1:
            return (
                f"This is {whose} starting point: {last.total} of {inst.max_total} "
                f"({inst.band(last.total).lower()})."
            )
        what = f"{whose.capitalize()} {name} score"
        span = f"({first.total} → {last.total} of {inst.max_total})"
        if self.change == "improved":
            return f"{what} has improved by more than chance since the start {span}."
        if self.change == "deteriorated":
            tail = " Your therapist sees this too and can talk it through with you." if own else ""
            return f"{what} has got worse by more than chance since the start {span}.{tail}"
        return f"{what} has not changed by more than chance since the start {span}."


def _series(user: User, slug: str, rows: list[MeasureResponse]) -> Series | None:
    points: list[Point] = []
    base: tuple[Instrument, int] | None = None
    for r in sorted(
        rows, key=lambda r: (r.session_number, r.moment == Moment.AFTER, r.answered_at)
    ):
        inst, total = r.definition, r.total
        if inst is None or total is None:
            continue
        if base is None:
            base = (inst, total)
        points.append(
            Point(
                response_id=str(r.pk),
                session_number=r.session_number,
                moment=r.moment,
                total=total,
                version=r.version,
                answered_at=r.answered_at,
                change=inst.change(base[1], total),
                in_range=inst.in_clinical_range(total),
            )
        )
    if not points or base is None:
        return None
    return Series(instrument=instruments.CURRENT.get(slug) or base[0], user=user, points=points)


def series_by_partner(rows: list[MeasureResponse], people: list[User]) -> dict[int, list[Series]]:
    """``{user id: [Series per instrument, in form order]}`` for the given people only."""
    by_user: dict[int, dict[str, list[MeasureResponse]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by_user[r.user_id][r.instrument].append(r)
    out: dict[int, list[Series]] = {}
    for person in people:
        found = []
        for slug in instruments.CURRENT:
            s = _series(person, slug, by_user[person.pk].get(slug, []))
            if s is not None:
                found.append(s)
        out[person.pk] = found
    return out


def own_answers(user: User) -> list[MeasureResponse]:
    """Every answer a partner gave (their own only)."""
    return _audited(user, list(MeasureResponse.objects.filter(user=user)))


def own_series(user: User) -> list[Series]:
    """Everything a partner answered, wherever (a partner who left keeps their history)."""
    return series_by_partner(own_answers(user), [user])[user.pk]


# --- Flags --------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    kind: str  # split, not_on_track, deteriorating, safety
    title: str
    detail: str
    user_id: int | None = None


def _latest(series: list[Series], slug: str) -> Series | None:
    return next((s for s in series if s.instrument.slug == slug), None)


def flags_for(
    partners: list[User],
    by_partner: dict[int, list[Series]],
    plan: MeasurePlan,
    rows: Iterable[MeasureResponse] = (),
) -> list[Flag]:
    flags: list[Flag] = []
    alliance = instruments.CURRENT[instruments.ALLIANCE]
    latest = {}
    for p in partners:
        s = _latest(by_partner.get(p.pk, []), instruments.ALLIANCE)
        if s is not None and s.latest is not None:
            latest[p.pk] = s.latest.total
    if len(partners) == 2 and len(latest) == 2:
        a, b = partners
        gap = abs(latest[a.pk] - latest[b.pk])
        low = [p for p in partners if alliance.in_clinical_range(latest[p.pk])]
        if gap >= plan.split_gap or low:
            reason = (
                f"totals differ by {gap} (the clinic flags {plan.split_gap} or more)"
                if gap >= plan.split_gap
                else f"{' and '.join(p.name for p in low)} below {alliance.cutoff:g}"
            )
            flags.append(
                Flag(
                    "split",
                    "Alliance split",
                    f"Latest session feedback: {a.name} {latest[a.pk]}/40, {b.name} "
                    f"{latest[b.pk]}/40 — {reason}.",
                )
            )
    for p in partners:
        outcome = [s for s in by_partner.get(p.pk, []) if s.instrument.kind == "outcome"]
        worse = [s for s in outcome if s.change == "deteriorated"]
        if worse:
            names = ", ".join(
                f"{s.instrument.short_name} {s.first.total}→{s.latest.total}"
                for s in worse
                if s.first is not None and s.latest is not None
            )
            flags.append(Flag("deteriorating", f"{p.name}: deteriorating", names, p.pk))
        reached = max(
            (s.latest.session_number for s in outcome if s.measurable and s.latest is not None),
            default=0,
        )
        if reached >= plan.on_track_by and not any(s.change == "improved" for s in outcome):
            flags.append(
                Flag(
                    "not_on_track",
                    f"{p.name}: not on track",
                    f"No reliable improvement on any outcome measure by session {reached} "
                    f"(the clinic expects it by session {plan.on_track_by}).",
                    p.pk,
                )
            )
    phq = instruments.CURRENT["phq9"]
    for r in rows:
        if r.instrument == "phq9" and phq.safety_concern(r.answers):
            latest_phq = _latest(by_partner.get(r.user_id, []), "phq9")
            if latest_phq and latest_phq.latest and latest_phq.latest.response_id == str(r.pk):
                who = next((p.name for p in partners if p.pk == r.user_id), "A partner")
                flags.append(
                    Flag(
                        "safety",
                        f"{who}: PHQ-9 question 9 answered above zero",
                        "Thoughts of being better off dead or of self-harm were reported on "
                        "the latest PHQ-9. Reach out privately before the session.",
                        r.user_id,
                    )
                )
    return flags


@dataclass
class CoupleMeasures:
    couple: Couple
    partners: list[User]
    by_partner: dict[int, list[Series]]
    flags: list[Flag]
    plan: MeasurePlan
    alliance_latest: list[tuple[User, Point | None]] = field(default_factory=list)


def couple_measures(therapist: User, couple: Couple) -> CoupleMeasures:
    """The therapist's view of a couple: both partners' series, flags, latest alliance.

    Only current partners are shown: a partner who left keeps their own history, and it
    leaves this couple's page with them."""
    partners = couple.partners
    found = MeasureResponse.objects.filter(couple=couple, user__in=[p.pk for p in partners])
    rows = _audited(therapist, list(found))
    by_partner = series_by_partner(rows, partners)
    plan = plan_for_couple(couple, therapist)
    alliance_latest = []
    for p in partners:
        s = _latest(by_partner[p.pk], instruments.ALLIANCE)
        alliance_latest.append((p, s.latest if s else None))
    return CoupleMeasures(
        couple=couple,
        partners=partners,
        by_partner=by_partner,
        flags=flags_for(partners, by_partner, plan, rows),
        plan=plan,
        alliance_latest=alliance_latest,
    )


def flags_for_booking(therapist: User, booking: Booking) -> list[Flag]:
    """Flags for the pre-session preparation page."""
    return flags_for_bookings(therapist, [booking]).get(booking.pk, [])


def flags_for_bookings(therapist: User, bookings: list[Booking]) -> dict[int, list[Flag]]:
    """Flags for the therapist's upcoming sessions, in a fixed number of queries (the
    dashboard's preparation card lists up to ten)."""
    own = [b for b in bookings if b.therapist_id == therapist.pk]
    if not own:
        return {}
    rows_by_couple: dict[int | None, list[MeasureResponse]] = defaultdict(list)
    found = list(MeasureResponse.objects.filter(couple_id__in={b.couple_id for b in own}))
    for r in _audited(therapist, found):
        rows_by_couple[r.couple_id].append(r)
    clinic_ids = {b.clinic_id for b in own if b.clinic_id}
    plans: dict[int | None, MeasurePlan] = {
        p.clinic_id: p for p in MeasurePlan.objects.filter(clinic_id__in=clinic_ids)
    }
    fallback = None
    out = {}
    for b in own:
        plan = plans.get(b.clinic_id)
        if plan is None and b.clinic_id is None:
            fallback = fallback or plan_for_clinic(clinic_of(therapist))
            plan = fallback
        plan = plan or MeasurePlan(clinic_id=b.clinic_id)  # type: ignore[misc]  # unsaved default
        partners = b.couple.partners
        ids = {p.pk for p in partners}
        rows = [r for r in rows_by_couple[b.couple_id] if r.user_id in ids]
        out[b.pk] = flags_for(partners, series_by_partner(rows, partners), plan, rows)
    return out


# --- Clinic figures -----------------------------------------------------------------


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


def _figures_for(label: str, bookings: list[Booking], now: datetime, plan: MeasurePlan) -> Figures:
    fig = Figures(label=label)
    by_couple: dict[int, list[Booking]] = defaultdict(list)
    for b in bookings:
        by_couple[b.couple_id].append(b)
    fig.couples = len(by_couple)
    if not by_couple:
        return fig
    rows = list(
        MeasureResponse.objects.filter(
            couple_id__in=by_couple, answered_at__lte=now
        ).select_related("user")
    )
    answered = {(r.booking_id, r.user_id, r.instrument, r.moment) for r in rows}
    rows_by_couple: dict[int | None, list[MeasureResponse]] = defaultdict(list)
    for r in rows:
        rows_by_couple[r.couple_id].append(r)
    upcoming = set(
        Booking.objects.filter(
            couple_id__in=by_couple, status=Booking.Status.CONFIRMED, starts_at__gt=now
        ).values_list("couple_id", flat=True)
    )
    couples = Couple.objects.filter(pk__in=by_couple).prefetch_related("memberships__user")
    for couple in couples:
        partners = couple.partners
        series = series_by_partner(rows_by_couple[couple.pk], partners)
        outcome = [s for p in partners for s in series[p.pk] if s.instrument.kind == "outcome"]
        improved = any(s.change == "improved" for s in outcome) and not any(
            s.change == "deteriorated" for s in outcome
        )
        if any(s.measurable for s in outcome):
            fig.measurable += 1
            fig.improved += improved
        flags = flags_for(partners, series, plan)
        has_pair = len(partners) == 2 and all(
            _latest(series[p.pk], instruments.ALLIANCE) for p in partners
        )
        if has_pair:
            fig.split_pairs += 1
            fig.split += any(f.kind == "split" for f in flags)
        held = sorted(by_couple[couple.pk], key=lambda b: b.starts_at)
        for b in held:
            for p in partners:
                for moment in (Moment.BEFORE, Moment.AFTER):
                    for inst in due_instruments(b, moment, user=p):
                        fig.due += 1
                        fig.answered += (b.pk, p.pk, inst.slug, moment) in answered
        last = held[-1].starts_at
        if couple.pk not in upcoming and now - last > DROPOUT_AFTER and not improved:
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
    rows = [
        _figures_for(names[tid], bookings, now, plan)
        for tid, bookings in sorted(by_therapist.items(), key=lambda kv: names[kv[0]])
    ]
    # Counted again as a whole, so a couple seen by two therapists counts once.
    everyone = [b for bookings in by_therapist.values() for b in bookings]
    total = _figures_for(clinic.name, everyone, now, plan) if len(rows) > 1 else None
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
