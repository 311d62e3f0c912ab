from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import User
from accounts.timezones import time_zone_choices


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(choices=time_zone_choices, **kwargs)

    def valid_value(self, value: str) -> bool:
        from accounts.timezones import all_time_zones

        return value in all_time_zones()


class SignupForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    display_name = forms.CharField(
        max_length=60,
        required=False,
        label="What should we call you?",
        help_text="Shown to your partner and therapist. Leave empty to use your first name.",
    )
    email = forms.EmailField(label="Email")
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password.",
    )
    password2 = forms.CharField(
        label="Repeat password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    time_zone = TimeZoneField(
        label="Your time zone",
        initial="UTC",
        help_text="Filled in from this device. Every time you see in Duet is in this zone.",
    )

    def clean_email(self) -> str:
        # Whether the address has an account is never said here (issue 13): the owner
        # is emailed instead, and the page answers as password reset does.
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def clean(self) -> dict:
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
        elif p1:
            probe = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": (
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": "This account is not active. Contact your clinic.",
    }


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    display_name = forms.CharField(max_length=60, required=False, label="Display name")
    time_zone = TimeZoneField(label="Time zone")


class InviteForm(forms.Form):
    email = forms.EmailField(label="Your partner's email")
