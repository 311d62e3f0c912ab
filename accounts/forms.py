from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.timezones import time_zone_choices
from core.mail import email_queue


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(choices=time_zone_choices, **kwargs)

    def valid_value(self, value: str) -> bool:
        from accounts.timezones import all_time_zones

        return value in all_time_zones()


def new_password_fields() -> tuple[forms.CharField, forms.CharField]:
    """A new password typed twice (``password1, password2 = new_password_fields()``)."""
    return (
        forms.CharField(
            label=_("Password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=_("At least 10 characters; not a common password."),
        ),
        forms.CharField(
            label=_("Repeat password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
    )


def check_password_pair(form: forms.Form, data: dict, *, email: str, full_name: str) -> None:
    """The two entries match and pass the password validators (judged against the person's
    own email and name); otherwise field errors on ``form``."""
    p1, p2 = data.get("password1"), data.get("password2")
    if p1 and p2 and p1 != p2:
        form.add_error("password2", gettext("The two passwords do not match."))
    elif p1:
        probe = User(email=email, full_name=full_name)
        try:
            password_validation.validate_password(p1, probe)
        except forms.ValidationError as exc:
            form.add_error("password1", exc)


# Each language is named in itself ("日本語", "Polski"): never translated.
ENDONYMS = {"translate": "no"}


class SignupForm(forms.Form):
    full_name = forms.CharField(max_length=150, label=_("Full name"))
    display_name = forms.CharField(
        max_length=60,
        required=False,
        label=_("What should we call you?"),
        help_text=_("Shown to your partner and therapist. Leave empty to use your first name."),
    )
    email = forms.EmailField(label=_("Email"))
    password1, password2 = new_password_fields()
    time_zone = TimeZoneField(
        label=_("Your time zone"),
        initial="UTC",
        help_text=_("Filled in from this device. Every time you see in Duet is in this zone."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,  # left out: the language this page is shown in
        help_text=_("Pages, emails and reminders reach you in this language."),
        widget=forms.Select(attrs=ENDONYMS),
    )

    def clean_email(self) -> str:
        # Whether the address has an account is never said here: the owner
        # is emailed instead, and the page answers as password reset does.
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def clean(self) -> dict:
        data = super().clean()
        check_password_pair(
            self, data, email=data.get("email", ""), full_name=data.get("full_name", "")
        )
        return data


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account is not active. Contact your clinic."),
    }


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=150, label=_("Full name"))
    display_name = forms.CharField(max_length=60, required=False, label=_("Display name"))
    time_zone = TimeZoneField(label=_("Time zone"))
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.Select(attrs=ENDONYMS),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Your partner's email"))


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the email queued (core.mail) instead of sent in the request."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        # In the account holder's language, whatever language the form was shown in.
        with translation.override(context["user"].language):
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            message = EmailMultiAlternatives(
                subject, render_to_string(email_template_name, context), from_email, [to_email]
            )
            if html_email_template_name is not None:
                message.attach_alternative(
                    render_to_string(html_email_template_name, context), "text/html"
                )
        # Each reset link is its own email; the key names it without carrying the token.
        digest = hashlib.sha256(context["token"].encode()).hexdigest()[:20]
        email_queue(
            key=f"password-reset-{context['user'].pk}-{digest}", message=message, now=timezone.now()
        )
