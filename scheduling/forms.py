"""Forms for availability editing. Ranges are typed as "09:00-12:00, 13:00-17:00"."""

from __future__ import annotations

import re
from datetime import time
from itertools import pairwise

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scheduling.models import SessionType, Weekday

RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def parse_ranges(text: str) -> list[tuple[time, time]]:
    """Parse "09:00-12:00, 13:00-17:00"; raise a ValidationError a person can act on."""
    out = []
    for part in [p for p in re.split(r"[,;]", text or "") if p.strip()]:
        m = RANGE.match(part)
        if not m:
            raise forms.ValidationError(
                _("“%(range)s” is not like 09:00-17:00.") % {"range": part.strip()}
            )
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise forms.ValidationError(
                _("“%(range)s” is not a time of day.") % {"range": part.strip()}
            )
        end = time(23, 59) if h2 == 24 else time(h2, m2)
        start = time(h1, m1)
        if end <= start:
            raise forms.ValidationError(
                _("“%(range)s”: the end must be after the start.") % {"range": part.strip()}
            )
        out.append((start, end))
    out.sort()
    for a, b in pairwise(out):
        if b[0] < a[1]:
            raise forms.ValidationError(_("Ranges on one day must not overlap."))
    return out


def format_ranges(ranges: list[tuple[time, time]]) -> str:
    return ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in ranges)


class WeeklyForm(forms.Form):
    """One text box per weekday."""

    def __init__(self, *args, initial_weekly: dict[int, list] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for day in Weekday:
            self.fields[f"day_{day.value}"] = forms.CharField(
                label=day.label,
                required=False,
                initial=format_ranges((initial_weekly or {}).get(day.value, [])),
                widget=forms.TextInput(
                    attrs={"placeholder": "e.g. 09:00-12:00, 13:00-17:00", "data-ranges": ""}
                ),
            )

    def clean(self) -> dict:
        data = super().clean()
        weekly = {}
        for day in Weekday:
            key = f"day_{day.value}"
            try:
                weekly[day.value] = parse_ranges(data.get(key, ""))
            except forms.ValidationError as exc:
                self.add_error(key, exc)
        data["weekly"] = weekly
        return data


class OverrideForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    hours = forms.CharField(
        required=False,
        label=gettext_lazy("Hours"),
        help_text=gettext_lazy("Leave empty to be unavailable all day."),
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. 10:00-14:00")}),
    )

    def clean_hours(self) -> list:
        return parse_ranges(self.cleaned_data.get("hours", ""))


class TimeOffForm(forms.Form):
    start_date = forms.DateField(
        label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=gettext_lazy("Last day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(required=False, max_length=120, label=gettext_lazy("Note"))

    def clean(self) -> dict:
        data = super().clean()
        if (
            data.get("start_date")
            and data.get("end_date")
            and data["end_date"] < data["start_date"]
        ):
            self.add_error("end_date", _("The last day must not be before the first."))
        return data


class SessionTypeForm(forms.ModelForm):
    class Meta:
        model = SessionType
        fields = [
            "name",
            "length_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "min_notice_minutes",
            "horizon_days",
            "step_minutes",
            "format",
        ]
        labels = {
            "name": gettext_lazy("Name"),
            "length_minutes": gettext_lazy("Length (minutes)"),
            "buffer_before_minutes": gettext_lazy("Buffer before (minutes)"),
            "buffer_after_minutes": gettext_lazy("Buffer after (minutes)"),
            "min_notice_minutes": gettext_lazy("Minimum notice (minutes)"),
            "horizon_days": gettext_lazy("Bookable up to (days ahead)"),
            "step_minutes": gettext_lazy("Start times every (minutes)"),
            "format": gettext_lazy("Format"),
        }


class ObjectIdForm(forms.Form):
    """The id of a row a calendar button acts on (time off, session type)."""

    id = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class DateForm(forms.Form):
    """The date a calendar button acts on (clearing a date override)."""

    date = forms.DateField(input_formats=["%Y-%m-%d"])
