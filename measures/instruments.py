"""The questionnaires, defined in code and versioned.

An instrument is identified by ``(slug, version)``. A stored answer keeps the version it
was given under and the total computed then, so changing an instrument (a new version
here) never re-scores old answers. Add a version; never edit a published one.

Sources are cited beside each instrument. PHQ-9 and GAD-7 are free to reproduce (Pfizer;
no permission required); the CSI-4 is free for clinical and research use (Funk & Rogge).
The two Duet scales were written for Duet and are not copies of any licensed instrument;
their cutoffs and reliable-change thresholds are provisional (see their notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LOWER_IS_BETTER = "lower"
HIGHER_IS_BETTER = "higher"


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    # (value, label) pairs, in order; a bare range is given as min/max with end labels.
    # Texts and labels are lazy (shown in the reader's language); answers are stored by
    # item key and value only, never by label, so translating them changes no data.
    options: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Instrument:
    slug: str
    version: int
    name: str
    short_name: str
    kind: str  # "outcome" or "alliance"
    stem: str
    items: tuple[Item, ...]
    better: str
    # A total on the wrong side of the cutoff is "clinical range" (outcome) or "weak" (alliance).
    cutoff: float
    reliable_change: int
    bands: tuple[Band, ...]
    source: str
    notes: str = ""
    # Items whose answer above zero raises the private safety alert.
    safety_items: tuple[str, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        return f"{self.slug}@{self.version}"

    @property
    def min_total(self) -> int:
        return sum(min(v for v, _label in item.options) for item in self.items)

    @property
    def max_total(self) -> int:
        return sum(max(v for v, _label in item.options) for item in self.items)

    def score(self, answers: dict[str, int]) -> int:
        """Sum of item values. ``answers`` must already be validated (see ``validate``)."""
        return sum(answers[item.key] for item in self.items)

    def validate(self, answers: object) -> dict[str, int] | tuple[str, str]:
        """The answers as ``{item: value}``, or ``(item key, message)`` for the first bad one."""
        if not isinstance(answers, dict):
            return ("", gettext("Answers must map each question to a number."))
        known = {item.key for item in self.items}
        for extra in answers:
            if extra not in known:
                return (
                    str(extra),
                    gettext("%(instrument)s has no question %(item)s.")
                    % {"instrument": self.short_name, "item": repr(extra)},
                )
        clean: dict[str, int] = {}
        for item in self.items:
            value = answers.get(item.key)
            if value is None or value == "":
                return (item.key, gettext("Please answer this question."))
            if isinstance(value, bool) or not isinstance(value, int):
                try:
                    value = int(str(value))
                except ValueError:
                    return (item.key, gettext("Choose one of the answers."))
            allowed = [v for v, _label in item.options]
            if value not in allowed:
                return (
                    item.key,
                    gettext("Choose an answer from %(low)s to %(high)s.")
                    % {"low": min(allowed), "high": max(allowed)},
                )
            clean[item.key] = value
        return clean

    def band(self, total: int) -> str:
        return next((b.label for b in self.bands if b.low <= total <= b.high), "")

    def in_clinical_range(self, total: float) -> bool:
        """Outcome: in the clinical range. Alliance: weaker than the cutoff."""
        if self.better == LOWER_IS_BETTER:
            return total >= self.cutoff
        return total < self.cutoff

    def change(self, first: float, last: float) -> str:
        """'improved', 'deteriorated' (both reliably, beyond the threshold) or 'no_change'."""
        delta = last - first if self.better == HIGHER_IS_BETTER else first - last
        if delta >= self.reliable_change:
            return "improved"
        if -delta >= self.reliable_change:
            return "deteriorated"
        return "no_change"

    def safety_concern(self, answers: dict[str, int]) -> bool:
        return any(answers.get(key, 0) > 0 for key in self.safety_items)


_FREQUENCY = (
    (0, _("Not at all")),
    (1, _("Several days")),
    (2, _("More than half the days")),
    (3, _("Nearly every day")),
)


def _zero_to_ten(low: str, high: str) -> tuple[tuple[int, str], ...]:
    return tuple((v, low if v == 0 else high if v == 10 else str(v)) for v in range(11))


PHQ9_V1 = Instrument(
    slug="phq9",
    version=1,
    # Translators: the PHQ-9 has official validated translations (items, answers and
    # instructions); use their exact wording rather than translating freely.
    name=_("Patient Health Questionnaire (PHQ-9)"),
    short_name="PHQ-9",
    kind="outcome",
    stem=(
        _(
            "Over the last 2 weeks, how often have you been bothered by any of the following "
            "problems?"
        )
    ),
    items=tuple(
        Item(f"q{i}", text, _FREQUENCY)
        for i, text in enumerate(
            (
                _("Little interest or pleasure in doing things"),
                _("Feeling down, depressed, or hopeless"),
                _("Trouble falling or staying asleep, or sleeping too much"),
                _("Feeling tired or having little energy"),
                _("Poor appetite or overeating"),
                _(
                    "Feeling bad about yourself — or that you are a failure or have let "
                    "yourself or your family down"
                ),
                _(
                    "Trouble concentrating on things, such as reading the newspaper or "
                    "watching television"
                ),
                _(
                    "Moving or speaking so slowly that other people could have noticed? Or the "
                    "opposite — being so fidgety or restless that you have been moving around a "
                    "lot more than usual"
                ),
                _("Thoughts that you would be better off dead or of hurting yourself in some way"),
            ),
            start=1,
        )
    ),
    better=LOWER_IS_BETTER,
    cutoff=10,
    reliable_change=6,
    bands=(
        Band(0, 4, _("Minimal")),
        Band(5, 9, _("Mild")),
        Band(10, 14, _("Moderate")),
        Band(15, 19, _("Moderately severe")),
        Band(20, 27, _("Severe")),
    ),
    source=(
        "Kroenke K, Spitzer RL, Williams JBW (2001). The PHQ-9: validity of a brief "
        "depression severity measure. J Gen Intern Med 16(9):606-613 (bands, cutoff 10). "
        "Reliable change 6 points: McMillan D, Gilbody S, Richards D (2010). Defining "
        "successful treatment outcome in depression using the PHQ-9. J Affect Disord "
        "127:122-129; as used by NHS Talking Therapies (IAPT Manual)."
    ),
    safety_items=("q9",),
)

GAD7_V1 = Instrument(
    slug="gad7",
    version=1,
    # Translators: the GAD-7 has official validated translations (items, answers and
    # instructions); use their exact wording rather than translating freely.
    name=_("Generalized Anxiety Disorder scale (GAD-7)"),
    short_name="GAD-7",
    kind="outcome",
    stem=_("Over the last 2 weeks, how often have you been bothered by the following problems?"),
    items=tuple(
        Item(f"q{i}", text, _FREQUENCY)
        for i, text in enumerate(
            (
                _("Feeling nervous, anxious, or on edge"),
                _("Not being able to stop or control worrying"),
                _("Worrying too much about different things"),
                _("Trouble relaxing"),
                _("Being so restless that it is hard to sit still"),
                _("Becoming easily annoyed or irritable"),
                _("Feeling afraid as if something awful might happen"),
            ),
            start=1,
        )
    ),
    better=LOWER_IS_BETTER,
    cutoff=10,
    reliable_change=4,
    bands=(
        Band(0, 4, _("Minimal")),
        Band(5, 9, _("Mild")),
        Band(10, 14, _("Moderate")),
        Band(15, 21, _("Severe")),
    ),
    source=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B (2006). A brief measure for assessing "
        "generalized anxiety disorder: the GAD-7. Arch Intern Med 166(10):1092-1097 "
        "(bands, cutoff 10). Reliable change 4 points: NHS Talking Therapies (IAPT) Manual, "
        "National Collaborating Centre for Mental Health (2018, updated 2023), appendix on "
        "reliable improvement."
    ),
)

_TRUE = (
    (0, _("Not at all true")),
    (1, _("A little true")),
    (2, _("Somewhat true")),
    (3, _("Mostly true")),
    (4, _("Almost completely true")),
    (5, _("Completely true")),
)
_AMOUNT = (
    (0, _("Not at all")),
    (1, _("A little")),
    (2, _("Somewhat")),
    (3, _("Mostly")),
    (4, _("Almost completely")),
    (5, _("Completely")),
)

CSI4_V1 = Instrument(
    slug="csi4",
    version=1,
    # Translators: the CSI-4 has official validated translations (items, answers and
    # instructions); use their exact wording rather than translating freely.
    name=_("Couples Satisfaction Index (CSI-4)"),
    short_name="CSI-4",
    kind="outcome",
    stem=_("About your relationship with your partner:"),
    items=(
        Item(
            "q1",
            _(
                "Please indicate the degree of happiness, all things considered, of your "
                "relationship."
            ),
            (
                (0, _("Extremely unhappy")),
                (1, _("Fairly unhappy")),
                (2, _("A little unhappy")),
                (3, _("Happy")),
                (4, _("Very happy")),
                (5, _("Extremely happy")),
                (6, _("Perfect")),
            ),
        ),
        Item("q2", _("I have a warm and comfortable relationship with my partner."), _TRUE),
        Item("q3", _("How rewarding is your relationship with your partner?"), _AMOUNT),
        Item("q4", _("In general, how satisfied are you with your relationship?"), _AMOUNT),
    ),
    better=HIGHER_IS_BETTER,
    cutoff=13.5,
    # Jacobson & Truax (1991): RCI = 1.96 * SD * sqrt(2 * (1 - alpha)). With the CSI-4's
    # alpha of .94 and a between-person SD of about 5.5 points (Funk & Rogge, 2007, CSI-4
    # in their sample; confirm against the clinic's own data) this is 1.96 * 5.5 * 0.346
    # = 3.7, rounded up to a whole point.
    reliable_change=4,
    bands=(Band(0, 13, _("Notable dissatisfaction")), Band(14, 21, _("Satisfied"))),
    source=(
        "Funk JL, Rogge RD (2007). Testing the ruler with item response theory: increasing "
        "precision of measurement for relationship satisfaction with the Couples "
        "Satisfaction Index. J Fam Psychol 21(4):572-583 (items, 0-21 total, cutoff 13.5). "
        "Reliable change by Jacobson NS, Truax P (1991). Clinical significance: a "
        "statistical approach. J Consult Clin Psychol 59(1):12-19."
    ),
    notes=_("Free for clinical and research use (Funk & Rogge)."),
)

ALLIANCE_V1 = Instrument(
    slug="alliance",
    version=1,
    name=_("Duet session feedback"),
    short_name=_("Session feedback"),
    kind="alliance",
    stem=_("Thinking about today's session, 0 = not at all, 10 = completely:"),
    items=(
        Item(
            "heard", _("I felt heard and respected."), _zero_to_ten("Not at all", _("Completely"))
        ),
        Item(
            "goals",
            _("We worked on what I wanted to work on."),
            _zero_to_ten("Not at all", _("Completely")),
        ),
        Item(
            "approach",
            _("The therapist's approach fit me."),
            _zero_to_ten("Not at all", _("Completely")),
        ),
        Item(
            "overall",
            _("Overall, today's session was right for me."),
            _zero_to_ten("Not at all", _("Completely")),
        ),
    ),
    better=HIGHER_IS_BETTER,
    cutoff=36,
    reliable_change=5,
    bands=(Band(0, 35, _("Worth talking about")), Band(36, 40, _("Good fit"))),
    source=(
        "Written for Duet (not a copy of any licensed instrument). The 0-40 total and the "
        "cutoff of 36 follow the convention of session-feedback scales used in the "
        "feedback trials with couples: Anker MG, Duncan BL, Sparks JA (2009). Using client "
        "feedback to improve couple therapy outcomes: a randomized clinical trial in a "
        "naturalistic setting. J Consult Clin Psychol 77(4):693-704; Anker MG, Owen J, "
        "Duncan BL, Sparks JA (2010). The alliance in couple therapy: partner influence, "
        "early change, and alliance patterns in a naturalistic sample. J Consult Clin "
        "Psychol 78(5):635-645."
    ),
    notes=_("Provisional cutoff and reliable-change threshold: not yet validated for this scale."),
)

WELLBEING_V1 = Instrument(
    slug="wellbeing",
    version=1,
    name=_("Duet wellbeing check"),
    short_name=_("Wellbeing"),
    kind="outcome",
    stem=_("Since your last session, how have things been? 0 = very poorly, 10 = very well:"),
    items=(
        Item("me", _("Me (how I have been feeling)"), _zero_to_ten("Very poorly", _("Very well"))),
        Item("relationship", _("My relationship"), _zero_to_ten("Very poorly", _("Very well"))),
        Item(
            "daily",
            _("Daily life (work, family, friends)"),
            _zero_to_ten("Very poorly", _("Very well")),
        ),
        Item("overall", _("Overall"), _zero_to_ten("Very poorly", _("Very well"))),
    ),
    better=HIGHER_IS_BETTER,
    cutoff=25,
    reliable_change=5,
    bands=(Band(0, 24, "Struggling"), Band(25, 40, "Doing well")),
    source=(
        "Written for Duet (not a copy of any licensed instrument). The 0-40 total, cutoff "
        "25 and reliable change of 5 points mirror the conventions of brief visual-analogue "
        "outcome scales: Miller SD, Duncan BL, Brown J, Sparks JA, Claud DA (2003). The "
        "Outcome Rating Scale. J Brief Therapy 2(2):91-100."
    ),
    notes=_("Provisional cutoff and reliable-change threshold: not yet validated for this scale."),
)

# Every version ever published, so old answers are read with the version they were given under.
ALL: dict[tuple[str, int], Instrument] = {
    (i.slug, i.version): i for i in (PHQ9_V1, GAD7_V1, CSI4_V1, ALLIANCE_V1, WELLBEING_V1)
}
# What is asked today, in the order forms show them.
CURRENT: dict[str, Instrument] = {
    i.slug: i for i in (WELLBEING_V1, CSI4_V1, PHQ9_V1, GAD7_V1, ALLIANCE_V1)
}
OUTCOME_SLUGS = tuple(s for s, i in CURRENT.items() if i.kind == "outcome")
ALLIANCE = "alliance"


def get(slug: str, version: int | None = None) -> Instrument | None:
    if version is None:
        return CURRENT.get(slug)
    return ALL.get((slug, version))
