"""Flags a therapist sees before a session: alliance split, deterioration, not on track, safety."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.models import Couple, User
from core.l10n import format_number
from measures import instruments
from measures.models import MeasurePlan, MeasureResponse
from measures.selectors.access import audited
from measures.selectors.due import plan_for_clinic, plan_for_couple
from measures.selectors.trends import Point, Series, series_by_partner, series_for
from scheduling.models import Booking
from scheduling.selectors import clinic_of


@dataclass(frozen=True)
class Flag:
    kind: str  # split, not_on_track, deteriorating, safety
    title: str
    detail: str
    user_id: int | None = None


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
        s = series_for(by_partner.get(p.pk, []), instruments.ALLIANCE)
        if s is not None and s.latest is not None:
            latest[p.pk] = s.latest.total
    if len(partners) == 2 and len(latest) == 2:
        a, b = partners
        gap = abs(latest[a.pk] - latest[b.pk])
        low = [p for p in partners if alliance.in_clinical_range(latest[p.pk])]
        if gap >= plan.split_gap or low:
            if gap >= plan.split_gap:
                reason = _("totals differ by %(gap)s (the clinic flags %(split_gap)s or more)") % {
                    "gap": gap,
                    "split_gap": plan.split_gap,
                }
            elif len(low) == 2:
                reason = _("%(first)s and %(second)s below %(cutoff)s") % {
                    "first": low[0].name,
                    "second": low[1].name,
                    "cutoff": format_number(alliance.cutoff),
                }
            else:
                reason = _("%(name)s below %(cutoff)s") % {
                    "name": low[0].name,
                    "cutoff": format_number(alliance.cutoff),
                }
            flags.append(
                Flag(
                    "split",
                    _("Alliance split"),
                    _(
                        "Latest session feedback: %(first)s %(first_total)s/40, %(second)s "
                        "%(second_total)s/40 — %(reason)s."
                    )
                    % {
                        "first": a.name,
                        "first_total": latest[a.pk],
                        "second": b.name,
                        "second_total": latest[b.pk],
                        "reason": reason,
                    },
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
            flags.append(
                Flag(
                    "deteriorating",
                    _("%(name)s: deteriorating") % {"name": p.name},
                    names,
                    p.pk,
                )
            )
        reached = max(
            (s.latest.session_number for s in outcome if s.measurable and s.latest is not None),
            default=0,
        )
        if reached >= plan.on_track_by and not any(s.change == "improved" for s in outcome):
            flags.append(
                Flag(
                    "not_on_track",
                    _("%(name)s: not on track") % {"name": p.name},
                    _(
                        "No reliable improvement on any outcome measure by session %(reached)s "
                        "(the clinic expects it by session %(expected)s)."
                    )
                    % {"reached": reached, "expected": plan.on_track_by},
                    p.pk,
                )
            )
    phq = instruments.CURRENT["phq9"]
    for r in rows:
        if r.instrument == "phq9" and phq.safety_concern(r.answers):
            latest_phq = series_for(by_partner.get(r.user_id, []), "phq9")
            if latest_phq and latest_phq.latest and latest_phq.latest.response_id == str(r.pk):
                who = next((p.name for p in partners if p.pk == r.user_id), None)
                title = (
                    _("%(name)s: PHQ-9 question 9 answered above zero") % {"name": who}
                    if who is not None
                    else _("A partner: PHQ-9 question 9 answered above zero")
                )
                flags.append(
                    Flag(
                        "safety",
                        title,
                        _(
                            "Thoughts of being better off dead or of self-harm were reported on "
                            "the latest PHQ-9. Reach out privately before the session."
                        ),
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
    rows = audited(therapist, list(found))
    by_partner = series_by_partner(rows, partners)
    plan = plan_for_couple(couple, therapist)
    alliance_latest = []
    for p in partners:
        s = series_for(by_partner[p.pk], instruments.ALLIANCE)
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
    for r in audited(therapist, found):
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
