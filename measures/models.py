from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from measures import instruments


class Moment(models.TextChoices):
    BEFORE = "before", _("Before the session (check-in)")
    AFTER = "after", _("After the session (reflection)")


class When(models.TextChoices):
    INTAKE = "intake", _("At intake (before the first session)")
    BEFORE = "before", _("Before every session")
    AFTER = "after", _("After every session")
    EVERY_N = "every_n", _("Every N sessions (before the session)")
    OFF = "off", _("Not used")


# What a clinic uses until its admin changes it.
DEFAULT_SCHEDULE = {
    "wellbeing": {"when": When.BEFORE, "every": 1},
    "csi4": {"when": When.EVERY_N, "every": 4},
    "phq9": {"when": When.EVERY_N, "every": 4},
    "gad7": {"when": When.EVERY_N, "every": 4},
    "alliance": {"when": When.AFTER, "every": 1},
}
DEFAULT_SPLIT_GAP = 6
DEFAULT_ON_TRACK_BY = 4


def default_schedule() -> dict:
    return {slug: dict(rule) for slug, rule in DEFAULT_SCHEDULE.items()}


class MeasurePlan(models.Model):
    """A clinic's choices: when each instrument is asked, and the flag thresholds."""

    clinic = models.OneToOneField(
        "therapists.Clinic", on_delete=models.CASCADE, related_name="measure_plan"
    )
    schedule = models.JSONField(default=default_schedule)
    split_gap = models.PositiveSmallIntegerField(
        default=DEFAULT_SPLIT_GAP,
        validators=[MinValueValidator(1), MaxValueValidator(40)],
        help_text=_(
            "Flag an alliance split when the partners' totals differ by this much (of 40)."
        ),
    )
    on_track_by = models.PositiveSmallIntegerField(
        default=DEFAULT_ON_TRACK_BY,
        validators=[MinValueValidator(2), MaxValueValidator(52)],
        help_text=_("Flag 'not on track' when there is no reliable improvement by this session."),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Measures plan of {self.clinic_id}"


class MeasureResponse(models.Model):
    """One partner's answers to one instrument at one session. Health data: the answers
    and their score are encrypted; only the partner who gave them and their therapist
    ever read them (never the other partner)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_responses"
    )
    # The couple and session the answer was given in; a partner who leaves keeps it.
    couple = models.ForeignKey(
        "accounts.Couple", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    booking = models.ForeignKey(
        "scheduling.Booking", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    instrument = models.CharField(max_length=20)
    version = models.PositiveSmallIntegerField()
    moment = models.CharField(max_length=10, choices=Moment.choices)
    session_number = models.PositiveSmallIntegerField()
    # JSON {"answers": {item: value}, "total": n}: the total is kept as scored then, so a
    # later version of the instrument never re-scores it.
    payload = EncryptedTextField()
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "booking", "instrument", "moment"],
                name="one_measure_answer_per_moment",
            )
        ]
        indexes = [models.Index(fields=["couple", "instrument"], name="measure_couple_idx")]

    def __str__(self) -> str:
        return f"{self.instrument}@{self.version} by {self.user_id}"

    @classmethod
    def export_queryset(cls, user):
        # Only the answers a person gave themselves: never their partner's.
        return cls.objects.filter(user=user)

    @property
    def data(self) -> dict:
        cached = self.__dict__.get("_data")
        if cached is None:
            try:
                cached = json.loads(self.payload or "{}")
            except ValueError:
                cached = {}
            if not isinstance(cached, dict):
                cached = {}
            self.__dict__["_data"] = cached
        return cached

    @property
    def answers(self) -> dict[str, int]:
        return dict(self.data.get("answers") or {})

    @property
    def total(self) -> int | None:
        total = self.data.get("total")
        return total if isinstance(total, int) else None

    @property
    def definition(self) -> instruments.Instrument | None:
        return instruments.get(self.instrument, self.version)
