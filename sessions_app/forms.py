"""Forms: input validation only; the services decide."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from sessions_app.models import CheckIn, ExerciseTemplate, Goal, HomeworkAssignment, JournalEntry
from sessions_app.models import HomeworkResponse as Response
from sessions_app.services.reminders import ALLOWED_OFFSETS, offset_label

RADIO = forms.RadioSelect(attrs={"class": "choice-row"})


class CheckInForm(forms.Form):
    mood = forms.TypedChoiceField(
        label=_("How are you feeling about the relationship right now?"),
        choices=[(i, str(i)) for i in range(1, 11)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        help_text=_("1 = very low, 10 = very good."),
    )
    talking_points = forms.CharField(
        label=_("What would you like to talk about in the session?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few words are enough. Only your therapist sees this."),
    )
    feels_safe = forms.ChoiceField(
        label=_("Do you feel safe at home?"), choices=CheckIn.Answer.choices, widget=RADIO
    )
    can_speak_freely = forms.ChoiceField(
        label=_("Can you speak freely where you will join the session from?"),
        choices=CheckIn.Answer.choices,
        widget=RADIO,
    )
    safety_note = forms.CharField(
        label=_("Anything your therapist should know before the session?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Private to your therapist. Your partner never sees your check-in."),
    )


class ReflectionForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How helpful was the session?"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        help_text=_("1 = not helpful, 5 = very helpful."),
    )
    what_helped = forms.CharField(
        label=_("What helped?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    what_to_work_on = forms.CharField(
        label=_("What would you like to work on next?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResponseForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer or notes"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can read it?"),
        choices=Response.Visibility.choices,
        initial=Response.Visibility.PRIVATE,
        widget=RADIO,
    )
    done = forms.BooleanField(label=_("I have done this exercise"), required=False)


class AssignHomeworkForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("From the library"),
        queryset=ExerciseTemplate.objects.none(),
        required=False,
        empty_label=_("— Write a new exercise —"),
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=120,
        help_text=_("Leave empty to use the library title."),
    )
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Leave empty to use the library text."),
    )
    audience = forms.ChoiceField(
        label=_("Who does it"),
        choices=HomeworkAssignment.Audience.choices,
        initial="both",
        widget=RADIO,
    )
    assignee = forms.TypedChoiceField(
        label=_("Which partner"), coerce=int, required=False, choices=[]
    )
    due_date = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    reveal_when_both_done = forms.BooleanField(
        label=_("Reveal answers when both have finished"),
        required=False,
        help_text=_(
            "Each partner's shared answer stays hidden from the other until both are done."
        ),
    )

    def __init__(self, *args, templates=None, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates
        self.fields["assignee"].choices = [("", "—")] + [(p.pk, p.name) for p in partners]

    def due_at(self, tz) -> datetime:
        """End of the due day on the therapist's clock."""
        day = self.cleaned_data["due_date"]
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz) - timedelta(minutes=1)


class JournalForm(forms.Form):
    kind = forms.ChoiceField(choices=JournalEntry.Kind.choices, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("New entry"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class GoalForm(forms.Form):
    title = forms.CharField(label=_("New goal"), max_length=500)


class GoalProgressForm(forms.Form):
    progress = forms.IntegerField(min_value=0, max_value=100)
    status = forms.ChoiceField(choices=Goal.Status.choices)


class ReminderSettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Send me session reminders"), required=False)
    offsets_minutes = forms.TypedMultipleChoiceField(
        label=_("Remind me before each session"),
        choices=[(o, lazy(offset_label, str)(o)) for o in sorted(ALLOWED_OFFSETS, reverse=True)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Day reminders keep your clock time, even across a daylight-saving change."),
    )
    email = forms.BooleanField(label=_("By email (with a calendar file)"), required=False)
    homework_reminders = forms.BooleanField(
        label=_("Remind me of homework due within a day"), required=False
    )
