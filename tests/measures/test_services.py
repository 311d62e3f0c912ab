"""Answering, the clinic's schedule, encryption, the safety alert and the flags."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection

from core.errors import DomainError
from measures import instruments
from measures.models import MeasureResponse
from measures.selectors import couple_measures, due_instruments, own_series, session_number
from measures.services import measure_plan_update, measures_answer
from sessions_app.models import Reminder
from tests.measures.helpers import answer_after, answer_before, fill
from tests.sessions_app.conftest import make_booking

pytestmark = pytest.mark.django_db


def _slugs(items):
    return [i.slug for i in items]


def test_default_schedule(sessions, partner_a):
    past, upcoming = sessions
    assert [session_number(b) for b in [*past, upcoming]] == [1, 2, 3, 4]
    first, second = past[0], past[1]
    assert _slugs(due_instruments(first, "before", user=partner_a)) == [
        "wellbeing",
        "csi4",
        "phq9",
        "gad7",
    ]
    assert _slugs(due_instruments(second, "before", user=partner_a)) == ["wellbeing"]
    assert _slugs(due_instruments(second, "after", user=partner_a)) == ["alliance"]


def test_clinic_schedule_every_n_and_intake(
    sessions, partner_a, clinic, clinic_admin, couple, therapist
):
    past, upcoming = sessions
    measure_plan_update(
        user=clinic_admin,
        clinic=clinic,
        schedule={
            "phq9": {"when": "every_n", "every": 2},
            "csi4": {"when": "intake", "every": 1},
            "alliance": {"when": "after", "every": 1},
        },
        split_gap=8,
        on_track_by=5,
        now=upcoming.starts_at,
    )
    # Sessions 1 and 3 get the PHQ-9; wellbeing and GAD-7 are now off.
    assert _slugs(due_instruments(past[0], "before", user=partner_a)) == ["csi4", "phq9"]
    assert _slugs(due_instruments(past[1], "before", user=partner_a)) == ["csi4"]
    answer_before(partner_a, past[1])  # intake answered at session 2
    assert _slugs(due_instruments(past[2], "before", user=partner_a)) == ["phq9"]


def test_plan_is_for_admins_of_the_clinic_and_validated(
    clinic, therapist, other_admin, clinic_admin
):
    for user in (therapist, other_admin):
        with pytest.raises(DomainError) as exc:
            measure_plan_update(
                user=user, clinic=clinic, schedule={}, split_gap=6, on_track_by=4, now=None
            )
        assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        measure_plan_update(
            user=clinic_admin,
            clinic=clinic,
            schedule={"phq9": {"when": "sometimes"}},
            split_gap=6,
            on_track_by=4,
            now=None,
        )
    assert (exc.value.status, exc.value.extra["field"]) == (422, "schedule.phq9")


def test_answers_are_encrypted_and_scored_once(sessions, partner_a):
    past, _ = sessions
    saved = answer_before(partner_a, past[0], phq9=fill("phq9", 2))
    phq = next(r for r in saved if r.instrument == "phq9")
    assert (phq.total, phq.version, phq.session_number, phq.moment) == (18, 1, 1, "before")
    with connection.cursor() as cur:
        cur.execute("SELECT payload FROM measures_measureresponse WHERE id = %s", [phq.pk.hex])
        raw = cur.fetchone()[0]
    assert raw.startswith("duet1:") and "total" not in raw and "answers" not in raw
    fresh = MeasureResponse.objects.get(pk=phq.pk)
    assert fresh.answers == fill("phq9", 2) and fresh.total == 18


def test_a_new_instrument_version_never_rescores_old_answers(sessions, partner_a, monkeypatch):
    past, _ = sessions
    answer_before(partner_a, past[0], phq9=fill("phq9", 1))
    changed = instruments.Instrument(**{**instruments.PHQ9_V1.__dict__, "version": 2})
    monkeypatch.setitem(instruments.CURRENT, "phq9", changed)
    monkeypatch.setitem(instruments.ALL, ("phq9", 2), changed)
    monkeypatch.setattr(instruments.Instrument, "score", lambda self, a: 999)
    old = MeasureResponse.objects.get(instrument="phq9")
    assert (old.version, old.total) == (1, 9)
    assert own_series(partner_a)[2].points[0].total == 9


def test_bad_input_names_the_item_and_saves_nothing(sessions, partner_a):
    past, _ = sessions
    good = {s: fill(s, 1) for s in ("wellbeing", "csi4", "phq9", "gad7")}
    cases = [
        ({**good, "phq9": {**good["phq9"], "q3": 7}}, "phq9.q3", "invalid_answer"),
        ({}, "answers", "missing"),
        ({**good, "gad7": {}}, "gad7.q1", "invalid_answer"),
        ({**good, "alliance": fill("alliance", 5)}, "alliance", "not_due"),
    ]
    for answers, field, code in cases:
        with pytest.raises(DomainError) as exc:
            measures_answer(
                user=partner_a,
                booking=past[0],
                moment="before",
                answers=answers,
                now=past[0].starts_at - timedelta(hours=1),
            )
        assert (exc.value.status, exc.value.code, exc.value.extra["field"]) == (422, code, field)
    assert MeasureResponse.objects.count() == 0


def test_only_partners_answer_and_only_when_open(sessions, other_partner, partner_a, therapist):
    _, upcoming = sessions
    for user in (other_partner, therapist):
        with pytest.raises(DomainError) as exc:
            answer_before(user, upcoming)
        assert exc.value.code == "not_yours"
    with pytest.raises(DomainError) as exc:  # after the session, not before it
        measures_answer(
            user=partner_a,
            booking=upcoming,
            moment="after",
            answers={"alliance": fill("alliance", 9)},
            now=upcoming.starts_at - timedelta(hours=1),
        )
    assert exc.value.code == "not_over"


def test_phq9_item_9_raises_the_private_safety_alert(sessions, partner_a, partner_b, therapist):
    _, upcoming = sessions
    answer_before(partner_b, upcoming)
    assert not Reminder.objects.filter(kind=Reminder.Kind.SAFETY_ALERT).exists()
    item9 = {**fill("phq9", 0), "q9": 1}
    # Session 4 does not ask the PHQ-9 by default: ask it before every session.
    from measures.models import MeasurePlan

    MeasurePlan.objects.create(
        clinic=upcoming.clinic,
        schedule={"phq9": {"when": "before", "every": 1}},
    )
    answer_before(partner_a, upcoming, phq9=item9)
    alerts = Reminder.objects.filter(kind=Reminder.Kind.SAFETY_ALERT)
    assert [(a.recipient_id, a.booking_id, a.key) for a in alerts] == [
        (therapist.pk, upcoming.pk, f"safety:{upcoming.pk}:{partner_a.pk}")
    ]
    answer_before(partner_a, upcoming, phq9=item9)  # answering again alerts once
    assert alerts.count() == 1


def _three_sessions(past, a, b, *, a_alliance, b_alliance, a_wellbeing=(), b_wellbeing=()):
    for i, booking in enumerate(past):
        for user, wb in ((a, a_wellbeing), (b, b_wellbeing)):
            extra = {"wellbeing": fill("wellbeing", wb[i])} if wb else {}
            answer_before(user, booking, **extra)
        answer_after(a, booking, a_alliance[i])
        answer_after(b, booking, b_alliance[i])


def test_alliance_split_flag(sessions, partner_a, partner_b, therapist, couple):
    past, _ = sessions
    _three_sessions(past, partner_a, partner_b, a_alliance=[9, 9, 10], b_alliance=[9, 9, 9])
    view = couple_measures(therapist, couple)
    assert [f.kind for f in view.flags] == []
    assert [(p.pk, pt.total) for p, pt in view.alliance_latest] == [
        (partner_a.pk, 40),
        (partner_b.pk, 36),
    ]
    answer_after(partner_b, past[2], 8)  # 40 vs 32: gap 8 >= 6
    flags = couple_measures(therapist, couple).flags
    assert [f.kind for f in flags] == ["split"]
    assert "differ by 8" in flags[0].detail


def test_split_when_one_partner_is_under_the_cutoff(
    sessions, partner_a, partner_b, therapist, couple
):
    past, _ = sessions
    answer_after(partner_a, past[0], 9)  # 36
    answer_after(partner_b, past[0], 8)  # 32: gap 4, but under 36
    assert [f.kind for f in couple_measures(therapist, couple).flags] == ["split"]


def test_not_on_track_and_deteriorating(sessions, couple, therapist, partner_a, partner_b, clinic):
    past, upcoming = sessions
    # Partner A: wellbeing 4 per item (16) -> 6 (24): +8, reliably better.
    # Partner B: 7 (28) -> 7 (28) -> 5 (20): -8, reliably worse.
    _three_sessions(
        past,
        partner_a,
        partner_b,
        a_alliance=[9, 9, 9],
        b_alliance=[9, 9, 9],
        a_wellbeing=[4, 5, 6],
        b_wellbeing=[7, 7, 5],
    )
    kinds = {(f.kind, f.user_id) for f in couple_measures(therapist, couple).flags}
    assert kinds == {("deteriorating", partner_b.pk)}
    answer_before(partner_b, upcoming, wellbeing=fill("wellbeing", 7))  # back to 28: no change
    kinds = {(f.kind, f.user_id) for f in couple_measures(therapist, couple).flags}
    assert kinds == {("not_on_track", partner_b.pk)}  # session 4, no reliable improvement


def test_a_partner_who_leaves_keeps_their_history(
    sessions, couple, therapist, partner_a, partner_b
):
    from django.utils import timezone

    past, _ = sessions
    answer_before(partner_a, past[0])
    answer_before(partner_b, past[0])
    couple.memberships.filter(user=partner_b).update(left_at=timezone.now())
    couple.refresh_from_db()
    view = couple_measures(therapist, couple)
    assert [p.pk for p in view.partners] == [partner_a.pk]
    assert partner_b.pk not in view.by_partner
    assert own_series(partner_b) != []


def test_readings_in_plain_words(sessions, partner_a):
    past, _ = sessions
    for booking, each in zip(past, (3, 4, 5), strict=True):
        answer_before(partner_a, booking, wellbeing=fill("wellbeing", each))
    wb = next(s for s in own_series(partner_a) if s.instrument.slug == "wellbeing")
    assert wb.reading() == (
        "Your wellbeing score has improved by more than chance since the start (12 → 20 of 40)."
    )
    phq = next(s for s in own_series(partner_a) if s.instrument.slug == "phq9")
    assert phq.reading().startswith("This is your starting point: 8 of 27 (mild)")


def test_session_number_skips_cancelled(couple, therapist, clinic):
    from django.utils import timezone

    from scheduling.models import Booking

    now = timezone.now()
    make_booking(couple, therapist, now - timedelta(days=14), status=Booking.Status.CANCELLED)
    b = make_booking(couple, therapist, now - timedelta(days=7), status=Booking.Status.COMPLETED)
    assert session_number(b) == 1


def test_the_safety_alert_goes_to_the_therapist_only_and_says_nothing(
    sessions, partner_a, partner_b, therapist, clinic, mailoutbox
):
    from measures.models import MeasurePlan
    from sessions_app.models import Notification
    from sessions_app.services.dispatch import reminders_dispatch_due

    _, upcoming = sessions
    MeasurePlan.objects.create(clinic=clinic, schedule={"phq9": {"when": "before", "every": 1}})
    answer_before(partner_a, upcoming, phq9={**fill("phq9", 2), "q9": 3})
    reminders_dispatch_due(now=upcoming.starts_at - timedelta(minutes=59))
    assert [m.to for m in mailoutbox] == [[therapist.email]]
    notes = list(Notification.objects.all())
    assert [n.user_id for n in notes] == [therapist.pk]
    for text in (mailoutbox[0].subject, mailoutbox[0].body, notes[0].title):
        # The session's own date, time and link may hold an 18 (06:18, 18 Dec): not a score.
        bare = re.sub(r"\d{1,2}:\d{2}|\b\d{1,2} \w{3}\b|\d{4}|https?://\S+", "", text)
        assert "PHQ" not in text and "dead" not in text and not re.search(r"\b18\b", bare)
    assert not Notification.objects.filter(user__in=[partner_a, partner_b]).exists()


def test_clinic_figures_hand_computed(
    sessions, couple, partner_a, partner_b, therapist, clinic, other_couple, other_therapist
):
    from django.utils import timezone

    from measures.selectors import outcome_figures
    from therapists.models import ClinicMembership

    past, _ = sessions
    # Sam improves (wellbeing 16 -> 24 of 40); the alliance splits at session 3 (40 vs 28).
    _three_sessions(
        past,
        partner_a,
        partner_b,
        a_alliance=[9, 10, 10],
        b_alliance=[9, 9, 7],
        a_wellbeing=[4, 5, 6],
        b_wellbeing=[5, 5, 5],
    )
    # A second therapist's couple came once, six weeks ago, and never again: a dropout.
    ClinicMembership.objects.create(clinic=clinic, user=other_therapist, role="therapist")
    make_booking(other_couple, other_therapist, timezone.now() - timedelta(weeks=6), clinic=clinic)
    result = outcome_figures(clinic, now=timezone.now())
    by_name = {f.label: f for f in result.therapists}
    hale, nowak = by_name[therapist.name], by_name[other_therapist.name]
    assert (hale.couples, hale.improved, hale.measurable, hale.improved_pct) == (1, 1, 1, 100)
    assert (hale.split, hale.split_pairs, hale.dropouts) == (1, 1, 0)
    # Both partners answered everything due: 6 before + 3 after each.
    assert (hale.answered, hale.due, hale.completion_pct) == (18, 18, 100)
    assert (nowak.couples, nowak.dropouts, nowak.measurable, nowak.due, nowak.answered) == (
        1,
        1,
        0,
        10,
        0,
    )
    total = result.total
    assert (total.label, total.couples, total.dropout_pct, total.completion_pct) == (
        clinic.name,
        2,
        50,
        64,  # 18 of 28
    )
