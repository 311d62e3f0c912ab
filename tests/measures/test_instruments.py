"""Scoring against hand-computed examples, for every instrument."""

from __future__ import annotations

import pytest

from measures import instruments
from measures.instruments import ALL, CURRENT


def test_every_instrument_is_versioned_sourced_and_has_a_threshold():
    assert set(CURRENT) == {"phq9", "gad7", "csi4", "alliance", "wellbeing"}
    for inst in ALL.values():
        assert inst.version >= 1 and inst.source and inst.reliable_change > 0
        assert inst.min_total <= inst.cutoff <= inst.max_total
        assert inst.bands[0].low == inst.min_total and inst.bands[-1].high == inst.max_total


def test_phq9_hand_computed():
    phq = CURRENT["phq9"]
    answers = {"q1": 2, "q2": 3, "q3": 1, "q4": 2, "q5": 0, "q6": 1, "q7": 2, "q8": 0, "q9": 1}
    # 2+3+1+2+0+1+2+0+1 = 12
    assert phq.score(phq.validate(answers)) == 12
    assert phq.band(12) == "Moderate" and phq.in_clinical_range(12)
    assert phq.band(4) == "Minimal" and phq.band(20) == "Severe" and phq.band(27) == "Severe"
    assert not phq.in_clinical_range(9) and phq.in_clinical_range(10)
    assert (phq.min_total, phq.max_total) == (0, 27)
    # Lower is better; reliable change is 6 points.
    assert phq.change(18, 12) == "improved" and phq.change(18, 13) == "no_change"
    assert phq.change(8, 14) == "deteriorated"
    assert phq.safety_concern(answers) and not phq.safety_concern({**answers, "q9": 0})


def test_gad7_hand_computed():
    gad = CURRENT["gad7"]
    answers = {"q1": 3, "q2": 3, "q3": 2, "q4": 2, "q5": 1, "q6": 1, "q7": 3}
    assert gad.score(gad.validate(answers)) == 15  # 3+3+2+2+1+1+3
    assert gad.band(15) == "Severe" and gad.band(9) == "Mild" and gad.band(10) == "Moderate"
    assert gad.change(15, 11) == "improved" and gad.change(15, 12) == "no_change"
    assert gad.max_total == 21 and not gad.safety_items


def test_csi4_hand_computed():
    csi = CURRENT["csi4"]
    answers = {"q1": 3, "q2": 4, "q3": 3, "q4": 2}
    assert csi.score(csi.validate(answers)) == 12  # 3+4+3+2
    # Higher is better; under 13.5 is notable dissatisfaction.
    assert csi.in_clinical_range(13) and not csi.in_clinical_range(14)
    assert csi.max_total == 21  # 6 + 5 + 5 + 5
    assert csi.change(12, 16) == "improved" and csi.change(12, 15) == "no_change"
    assert csi.change(16, 12) == "deteriorated"
    assert csi.validate({**answers, "q1": 6}) == {**answers, "q1": 6}  # "Perfect"
    assert csi.validate({**answers, "q2": 6})[0] == "q2"  # item 2 tops out at 5


def test_alliance_hand_computed():
    al = CURRENT["alliance"]
    answers = {"heard": 9, "goals": 8, "approach": 10, "overall": 9}
    assert al.score(al.validate(answers)) == 36
    assert not al.in_clinical_range(36) and al.in_clinical_range(35)
    assert al.kind == "alliance" and al.max_total == 40


def test_wellbeing_hand_computed():
    wb = CURRENT["wellbeing"]
    answers = {"me": 5, "relationship": 3, "daily": 6, "overall": 4}
    assert wb.score(wb.validate(answers)) == 18
    assert wb.band(18) == "Struggling" and wb.band(25) == "Doing well"
    assert wb.change(18, 23) == "improved" and wb.change(18, 22) == "no_change"


@pytest.mark.parametrize(
    ("answers", "item", "words"),
    [
        ({"q1": 0}, "q2", "Please answer"),
        ({**{f"q{i}": 0 for i in range(1, 10)}, "q3": 4}, "q3", "0 to 3"),
        ({**{f"q{i}": 0 for i in range(1, 10)}, "q3": -1}, "q3", "0 to 3"),
        ({**{f"q{i}": 0 for i in range(1, 10)}, "q10": 1}, "q10", "no question"),
        ({**{f"q{i}": 0 for i in range(1, 10)}, "q4": "often"}, "q4", "Choose"),
        ({**{f"q{i}": 0 for i in range(1, 10)}, "q4": True}, "q4", "Choose"),
    ],
)
def test_bad_answers_name_the_item(answers, item, words):
    result = CURRENT["phq9"].validate(answers)
    assert isinstance(result, tuple) and result[0] == item and words in result[1]


def test_an_old_version_keeps_its_own_definition():
    assert instruments.get("phq9", 1) is CURRENT["phq9"]
    assert instruments.get("phq9", 99) is None
