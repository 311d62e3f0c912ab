"""Pages: the questionnaires inside the check-in and the reflection, the therapist's couple
page and preparation flags, a partner's own progress, the clinic plan and figures; and the
answers in their owner's export and gone with their owner's account."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone

from accounts.account_deletion import account_delete
from accounts.data_export import user_data_zip
from measures.models import MeasurePlan, MeasureResponse
from sessions_app.models import CheckIn, Reflection, Reminder
from tests.measures.helpers import answer_after, answer_before, fill
from tests.sessions_app.conftest import make_booking

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post_items(slug: str, values: dict[str, int]) -> dict[str, str]:
    return {f"{slug}-{k}": str(v) for k, v in values.items()}


CHECK_IN = {"mood": "6", "talking_points": "", "feels_safe": "yes", "can_speak_freely": "yes"}


def test_check_in_embeds_the_due_questionnaires_and_saves_both(
    couple, therapist, clinic, partner_a
):
    first = make_booking(couple, therapist, timezone.now() + timedelta(days=1), clinic=clinic)
    c = _client(partner_a)
    page = c.get(f"/sessions/{first.pk}/check-in/").content.decode()
    for slug in ("wellbeing", "csi4", "phq9", "gad7"):
        assert f'data-testid="measure-{slug}"' in page
    assert "measure-alliance" not in page
    data = {**CHECK_IN}
    for slug in ("wellbeing", "csi4", "gad7"):
        data.update(_post_items(slug, fill(slug, 2)))
    data.update(_post_items("phq9", {**fill("phq9", 1), "q9": 0}))
    r = c.post(f"/sessions/{first.pk}/check-in/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert CheckIn.objects.filter(user=partner_a).count() == 1
    assert sorted(MeasureResponse.objects.values_list("instrument", flat=True)) == [
        "csi4",
        "gad7",
        "phq9",
        "wellbeing",
    ]
    assert not Reminder.objects.filter(kind=Reminder.Kind.SAFETY_ALERT).exists()


def test_a_missing_item_shows_a_field_error_and_saves_nothing(couple, therapist, clinic, partner_a):
    first = make_booking(couple, therapist, timezone.now() + timedelta(days=1), clinic=clinic)
    MeasurePlan.objects.create(clinic=clinic, schedule={"phq9": {"when": "before", "every": 1}})
    answers = _post_items("phq9", fill("phq9", 1))
    del answers["phq9-q4"]
    r = _client(partner_a).post(f"/sessions/{first.pk}/check-in/", {**CHECK_IN, **answers})
    assert r.status_code == 200
    assert "Please answer this question." in r.content.decode()
    assert not CheckIn.objects.exists() and not MeasureResponse.objects.exists()


def test_a_questionnaire_may_be_skipped(couple, therapist, clinic, partner_a):
    first = make_booking(couple, therapist, timezone.now() + timedelta(days=1), clinic=clinic)
    data = {**CHECK_IN, **_post_items("wellbeing", fill("wellbeing", 6))}
    assert _client(partner_a).post(f"/sessions/{first.pk}/check-in/", data).status_code == 302
    assert list(MeasureResponse.objects.values_list("instrument", flat=True)) == ["wellbeing"]


def test_phq9_item_9_in_the_check_in_alerts_the_therapist(couple, therapist, clinic, partner_a):
    first = make_booking(couple, therapist, timezone.now() + timedelta(days=1), clinic=clinic)
    MeasurePlan.objects.create(clinic=clinic, schedule={"phq9": {"when": "before", "every": 1}})
    data = {**CHECK_IN, **_post_items("phq9", {**fill("phq9", 0), "q9": 2})}
    assert _client(partner_a).post(f"/sessions/{first.pk}/check-in/", data).status_code == 302
    alert = Reminder.objects.get(kind=Reminder.Kind.SAFETY_ALERT)
    assert (alert.recipient_id, alert.booking_id) == (therapist.pk, first.pk)
    prep = _client(therapist).get(f"/sessions/{first.pk}/prepare/").content.decode()
    assert 'data-flag="safety"' in prep


def test_reflection_embeds_the_session_feedback(couple, therapist, clinic, partner_a):
    past = make_booking(couple, therapist, timezone.now() - timedelta(hours=2), clinic=clinic)
    c = _client(partner_a)
    assert (
        'data-testid="measure-alliance"' in c.get(f"/sessions/{past.pk}/reflect/").content.decode()
    )
    data = {"rating": "4", "what_helped": "", "what_to_work_on": ""}
    data.update(_post_items("alliance", fill("alliance", 8)))
    assert c.post(f"/sessions/{past.pk}/reflect/", data).status_code == 302
    assert Reflection.objects.count() == 1
    assert MeasureResponse.objects.get().total == 32


def test_therapist_page_and_prep_card_show_both_partners_and_the_split(
    sessions, couple, therapist, partner_a, partner_b
):
    past, upcoming = sessions
    for b in past:
        answer_before(partner_a, b)
        answer_before(partner_b, b)
        answer_after(partner_a, b, 10)
        answer_after(partner_b, b, 7)
    page = _client(therapist).get(f"/measures/couples/{couple.pk}/").content.decode()
    assert page.count('data-testid="partner-trends"') == 2
    assert page.count('data-testid="trend-alliance"') == 2 and "<svg" in page
    assert 'data-flag="split"' in page and "40 / 40" in page and "28 / 40" in page
    for r in MeasureResponse.objects.all():
        assert str(r.pk) in page  # every answer is in a data table row
    prep = _client(therapist).get(f"/sessions/{upcoming.pk}/prepare/").content.decode()
    assert 'data-flag="split"' in prep and "differ by 12" in prep
    # The preparation card on the therapist's dashboard flags it too.
    home = _client(therapist).get("/dashboard/").content.decode()
    assert 'data-testid="prep-list"' in home and 'data-flag="split"' in home


def test_own_progress_shows_only_my_trend_in_plain_words(sessions, partner_a, partner_b):
    past, _ = sessions
    for b, each in zip(past, (3, 4, 5), strict=True):
        answer_before(partner_a, b, wellbeing=fill("wellbeing", each))
    answer_before(partner_b, past[0])
    page = _client(partner_a).get("/measures/").content.decode()
    assert "Your wellbeing score has improved by more than chance" in page
    mine = set(MeasureResponse.objects.filter(user=partner_a).values_list("pk", flat=True))
    theirs = set(MeasureResponse.objects.filter(user=partner_b).values_list("pk", flat=True))
    assert all(str(pk) in page for pk in mine)
    assert not any(str(pk) in page for pk in theirs)
    other = _client(partner_b).get("/measures/").content.decode()
    assert not any(str(pk) in other for pk in mine)


@pytest.mark.parametrize("who", ["partner_b", "other_partner", "other_therapist", "clinic_admin"])
def test_couple_page_is_the_therapists_only(sessions, couple, partner_a, who, request):
    past, _ = sessions
    answer_before(partner_a, past[0])
    r = _client(request.getfixturevalue(who)).get(f"/measures/couples/{couple.pk}/")
    assert r.status_code in (403, 404)


def test_plan_page_saves_and_refuses_bad_input(clinic, clinic_admin, other_admin):
    url = f"/measures/clinics/{clinic.pk}/plan/"
    c = _client(clinic_admin)
    page = c.get(url).content.decode()
    assert "Kroenke" in page and "Funk" in page
    data = {"split_gap": "8", "on_track_by": "4"}
    for slug in ("wellbeing", "csi4", "phq9", "gad7", "alliance"):
        data[f"{slug}_when"] = "before"
        data[f"{slug}_every"] = "1"
    data["alliance_when"] = "after"
    assert c.post(url, data).status_code == 302
    assert MeasurePlan.objects.get(clinic=clinic).split_gap == 8
    bad = c.post(url, {**data, "split_gap": "99"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    assert _client(other_admin).get(url).status_code == 404


def test_figures_page(sessions, clinic, clinic_admin, partner_a):
    past, _ = sessions
    answer_before(partner_a, past[0])
    page = _client(clinic_admin).get(f"/measures/clinics/{clinic.pk}/figures/").content.decode()
    assert 'data-testid="outcome-figures"' in page
    # The clinic overview carries the same figures. Due at three held sessions, per
    # partner: 4 + 1 + 1 before, 3 after = 9, so 18; Sam answered the 4 before session 1.
    overview = _client(clinic_admin).get("/therapists/overview/").content.decode()
    assert 'data-testid="outcome-figures"' in overview and "(4/18)" in overview


def test_answers_are_in_their_owners_export_only_and_go_with_the_account(
    sessions, partner_a, partner_b
):
    past, _ = sessions
    answer_before(partner_a, past[0])
    answer_before(partner_b, past[0])
    with zipfile.ZipFile(BytesIO(user_data_zip(partner_a, now=timezone.now()))) as z:
        rows = json.loads(z.read("measures.measureresponse.json"))
    assert {r["user"] for r in rows} == {partner_a.pk}
    assert {(r["instrument"], r["version"]) for r in rows} >= {("phq9", 1), ("wellbeing", 1)}
    phq = next(r for r in rows if r["instrument"] == "phq9")
    assert json.loads(phq["payload"])["total"] == 8
    account_delete(user=partner_a, now=timezone.now())
    assert not MeasureResponse.objects.filter(user=partner_a).exists()
    assert MeasureResponse.objects.filter(user=partner_b).count() == 4


def test_reading_answers_is_audited(sessions, couple, therapist, partner_a):
    from core.models import AuditEvent

    past, _ = sessions
    answer_after(partner_a, past[0], 9)
    answer = MeasureResponse.objects.get()
    _client(therapist).get(f"/measures/couples/{couple.pk}/")
    events = AuditEvent.objects.filter(action="measureresponse.read", actor_id=therapist.pk)
    assert [(e.object_id, e.couple_id) for e in events] == [(str(answer.pk), couple.pk)]
