"""Forms: one per instrument (embedded in the check-in and the reflection), and the
clinic's plan. Input shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from measures import instruments
from measures.instruments import Instrument
from measures.models import When


class InstrumentForm(forms.Form):
    """One questionnaire. A partner may skip it (every item blank); once started, every
    item needs an answer."""

    def __init__(self, *args, instrument: Instrument, **kwargs) -> None:
        kwargs.setdefault("prefix", instrument.slug)
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        wide = len(instrument.items[0].options) > 7
        for item in instrument.items:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.text,
                choices=[(v, label if not wide else str(v)) for v, label in item.options],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "scale" if wide else "choice-row"}),
                required=False,
                empty_value=None,
            )

    def clean(self) -> dict:
        data = super().clean()
        given = {k: v for k, v in data.items() if v is not None}
        if given:
            for name in self.fields:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, gettext("Please answer this question."))
        return data

    def answers(self) -> dict[str, int] | None:
        """The answers, or None when the partner skipped this questionnaire."""
        given = {k: v for k, v in self.cleaned_data.items() if v is not None}
        return given or None


def instrument_forms(due: list[Instrument], data=None, initial=None) -> list[InstrumentForm]:
    initial = initial or {}
    return [InstrumentForm(data, instrument=i, initial=initial.get(i.slug)) for i in due]


def all_answers(forms_: list[InstrumentForm]) -> dict[str, dict[str, int]]:
    """The questionnaires answered (skipped ones left out)."""
    return {f.instrument.slug: a for f in forms_ if (a := f.answers()) is not None}


def forms_error(forms_: list[InstrumentForm], exc: DomainError) -> bool:
    """Show a service's refusal on the item it names; False if it names no measure."""
    field = str(exc.extra.get("field") or "")
    slug, _dot, item = field.partition(".")
    for f in forms_:
        if f.instrument.slug == slug:
            f.add_error(item if item in f.fields else None, exc.detail)
            return True
    return False


class PlanForm(forms.Form):
    split_gap = forms.IntegerField(
        label=_("Flag an alliance split when the partners' totals differ by at least"),
        min_value=1,
        max_value=40,
        help_text=_("Points of 40. Default 6."),
    )
    on_track_by = forms.IntegerField(
        label=_("Flag 'not on track' when there is no reliable improvement by session"),
        min_value=2,
        max_value=52,
        help_text=_("Default 4."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for slug, inst in instruments.CURRENT.items():
            self.fields[f"{slug}_when"] = forms.ChoiceField(
                label=gettext("When to ask %(instrument)s") % {"instrument": inst.short_name},
                choices=When.choices,
            )
            self.fields[f"{slug}_every"] = forms.IntegerField(
                label=gettext("%(instrument)s: every N sessions") % {"instrument": inst.short_name},
                min_value=1,
                max_value=52,
                initial=4,
                help_text=_("Used with 'Every N sessions'."),
            )

    @staticmethod
    def initial_from(plan) -> dict:
        data = {"split_gap": plan.split_gap, "on_track_by": plan.on_track_by}
        for slug in instruments.CURRENT:
            rule = plan.schedule.get(slug) or {"when": When.OFF, "every": 1}
            data[f"{slug}_when"] = rule.get("when", When.OFF)
            data[f"{slug}_every"] = rule.get("every", 1)
        return data

    def schedule(self) -> dict[str, dict]:
        return {
            slug: {
                "when": self.cleaned_data[f"{slug}_when"],
                "every": self.cleaned_data[f"{slug}_every"],
            }
            for slug in instruments.CURRENT
        }

    def rows(self):
        return [
            (inst, self[f"{slug}_when"], self[f"{slug}_every"])
            for slug, inst in instruments.CURRENT.items()
        ]
