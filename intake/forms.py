from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from intake import places
from intake.models import DocumentKind


class SignForm(forms.Form):
    typed_name = forms.CharField(
        label=_("Type your full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    signed_on = forms.DateField(
        label=_("Today's date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    agree = forms.BooleanField(label=_("I have read this document and agree to it"))
    confirm_name = forms.BooleanField(required=False, widget=forms.HiddenInput)


class EmergencyContactForm(forms.Form):
    name = forms.CharField(label=_("Contact's name"), max_length=120)
    relation = forms.CharField(
        label=_("Relation to you"),
        max_length=60,
        required=False,
        help_text=_("Friend, parent, sibling…"),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("With the country code, like +1 415 555 0100."),
    )


def _country_choices() -> list[tuple[str, str]]:
    return [("", _("Choose a country")), *places.countries().items()]


def _region_choices() -> list[tuple[str, list[tuple[str, str]]] | tuple[str, str]]:
    choices: list = [("", "—")]
    for country in places.REGIONAL_COUNTRIES:
        choices.append((places.countries()[country], list(places.regions(country).items())))
    return choices


class PlaceForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=_country_choices, required=False)
    region = forms.ChoiceField(
        label=_("State or province"),
        choices=_region_choices,
        required=False,
        help_text=_("Asked for the US, Canada, Australia and India."),
    )


class LocationForm(PlaceForm):
    free_text = forms.CharField(
        label=_("Not in the list? Type where you are"),
        max_length=200,
        required=False,
        help_text=_("Your therapist sees what you type."),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    body = forms.CharField(
        label=_("Body"),
        max_length=40_000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Plain text; a blank line starts a new paragraph."),
    )


KIND_LABELS = dict(DocumentKind.choices)
