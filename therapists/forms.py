from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import TimeZoneField, check_password_pair, new_password_fields
from therapists import catalog
from therapists.photos import MAX_PHOTO_BYTES
from therapists.services import CLINIC_SETTINGS, ProfileData


def _photo_help() -> str:
    return _(
        "JPEG, PNG or WebP, up to %(megabytes)s MB. We crop it square and remove location data."
    ) % {"megabytes": MAX_PHOTO_BYTES // 1024 // 1024}


class ProfileForm(forms.Form):
    headline = forms.CharField(
        max_length=160,
        required=False,
        label=gettext_lazy("Headline"),
        help_text=gettext_lazy(
            "One line couples see first, e.g. “Gottman-informed therapy for busy parents”."
        ),
    )
    bio = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        label=gettext_lazy("Bio"),
        help_text=gettext_lazy(
            "How you work and who you work best with. Blank lines start paragraphs."
        ),
    )
    photo = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        label=gettext_lazy("Photo"),
        help_text=lazy(_photo_help, str)(),
    )
    remove_photo = forms.BooleanField(
        required=False, label=gettext_lazy("Remove the current photo")
    )
    specialties = forms.MultipleChoiceField(
        choices=catalog.choices(catalog.SPECIALTIES),
        required=False,
        label=gettext_lazy("Specialties"),
        widget=forms.CheckboxSelectMultiple,
    )
    approaches = forms.MultipleChoiceField(
        choices=catalog.choices(catalog.APPROACHES),
        required=False,
        label=gettext_lazy("Approaches"),
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        choices=lambda: catalog.choices(catalog.languages_display()),
        required=False,
        label=gettext_lazy("Languages"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=gettext_lazy(
            "Every language you can hold a session in. Hold Ctrl or ⌘ to pick several."
        ),
    )
    jurisdictions = forms.MultipleChoiceField(
        choices=lambda: catalog.choices(catalog.jurisdictions_display()),
        required=False,
        label=gettext_lazy("Licensed in"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=gettext_lazy(
            "Countries, or US states, Canadian provinces and Australian states "
            "where you hold a licence. Couples living elsewhere won't find you."
        ),
    )
    formats = forms.MultipleChoiceField(
        choices=catalog.choices(catalog.FORMATS),
        required=False,
        label=gettext_lazy("Formats offered"),
        widget=forms.CheckboxSelectMultiple,
    )
    office_address = forms.CharField(
        max_length=400,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Office address"),
        help_text=gettext_lazy("Required when you offer in-person or hybrid sessions."),
    )
    fee = forms.DecimalField(
        min_value=0,
        max_digits=8,
        decimal_places=2,
        required=False,
        label=gettext_lazy("Fee per session"),
    )
    currency = forms.ChoiceField(
        choices=lambda: _currency_choices(), label=gettext_lazy("Currency")
    )
    years_in_practice = forms.IntegerField(
        min_value=0, max_value=70, required=False, label=gettext_lazy("Years in practice")
    )
    accepting_new_couples = forms.BooleanField(
        required=False, label=gettext_lazy("Accepting new couples")
    )

    def clean(self) -> dict:
        data = super().clean()
        formats = set(data.get("formats") or [])
        if formats & {"in_person", "hybrid"} and not (data.get("office_address") or "").strip():
            self.add_error(
                "office_address", _("Add the office address where in-person sessions take place.")
            )
        if data.get("photo") and data.get("remove_photo"):
            self.add_error("remove_photo", _("Upload a new photo or remove the old one, not both."))
        return data

    def to_data(self) -> ProfileData:
        d = self.cleaned_data
        return ProfileData(
            headline=d["headline"],
            bio=d["bio"],
            office_address=d["office_address"],
            fee=d["fee"],
            currency=d["currency"],
            years_in_practice=d["years_in_practice"],
            accepting_new_couples=d["accepting_new_couples"],
            specialties=d["specialties"],
            approaches=d["approaches"],
            languages=d["languages"],
            jurisdictions=d["jurisdictions"],
            formats=d["formats"],
        )

    @classmethod
    def initial_for(cls, profile) -> dict:
        return {
            "headline": profile.headline,
            "bio": profile.bio,
            "office_address": profile.office_address,
            "fee": profile.fee,
            "currency": profile.currency,
            "years_in_practice": profile.years_in_practice,
            "accepting_new_couples": profile.accepting_new_couples,
            "specialties": [c for c, _ in profile.specialties],
            "approaches": [c for c, _ in profile.approaches],
            "languages": [c for c, _ in profile.languages],
            "jurisdictions": [c for c, _ in profile.jurisdictions],
            "formats": [c for c, _ in profile.formats],
        }


class InviteTherapistForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Therapist's work email"))
    full_name = forms.CharField(max_length=150, required=False, label=gettext_lazy("Their name"))

    def __init__(self, *args, clinics=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        clinics = list(clinics)
        if len(clinics) > 1:
            self.fields["clinic"] = forms.ChoiceField(
                choices=[(c.pk, c.name) for c in clinics], label=gettext_lazy("Clinic")
            )


class JoinForm(forms.Form):
    full_name = forms.CharField(max_length=150, label=gettext_lazy("Full name"))
    password1, password2 = new_password_fields()
    time_zone = TimeZoneField(
        label=gettext_lazy("Your time zone"),
        initial="UTC",
        help_text=gettext_lazy("Your working hours and sessions are shown in this zone."),
    )

    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        data = super().clean()
        check_password_pair(self, data, email=self.email, full_name=data.get("full_name", ""))
        return data


class AssignForm(forms.Form):
    couple = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Couple"))
    therapist = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Therapist"))
    note = forms.CharField(
        max_length=300, required=False, label=gettext_lazy("Note for the record")
    )

    def __init__(self, *args, couples=(), therapists=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["couple"].choices = [("", _("Choose a couple"))] + [
            (c.pk, _couple_label(c)) for c in couples
        ]
        self.fields["therapist"].choices = [("", _("Choose a therapist"))] + [
            (t.pk, t.full_name) for t in therapists
        ]


def _couple_label(couple) -> str:
    current = getattr(couple, "current_assignments", [])
    if current:
        return _("%(couple)s — now with %(therapist)s") % {
            "couple": couple,
            "therapist": current[0].therapist.full_name,
        }
    return _("%(couple)s — no therapist") % {"couple": couple}


def _currency_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} · {name}") for code, name in catalog.currencies_display().items()]


class ClinicSettingsForm(forms.ModelForm):
    time_zone = TimeZoneField(label=gettext_lazy("Clinic time zone"))
    currency = forms.ChoiceField(
        choices=lambda: _currency_choices(), label=gettext_lazy("Currency")
    )

    class Meta:
        from therapists.models import Clinic

        model = Clinic
        fields = list(CLINIC_SETTINGS)  # what clinic_settings_update may change
        labels = {
            "name": gettext_lazy("Name"),
            "late_cancel_hours": gettext_lazy("Late-cancellation window (hours)"),
            "late_cancel_fee": gettext_lazy("Late-cancellation fee"),
            "private_messages": gettext_lazy("Private messages"),
            "serves_outside_license": gettext_lazy("Serve couples outside therapists' licences"),
        }
        widgets = {"private_messages": forms.RadioSelect}


class WeeklyHoursForm(forms.Form):
    hours = forms.IntegerField(
        min_value=0, max_value=80, required=False, label=gettext_lazy("Weekly clinical hours")
    )
