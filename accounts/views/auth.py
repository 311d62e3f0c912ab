from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import QueuedPasswordResetForm, SignupForm
from accounts.services import partner_invitation_accept, signup_confirm, signup_request
from core.errors import DomainError
from core.next_url import safe_next


def _accept_invitation_in(target: str | None, user) -> str:
    """Someone who signs up from a partner invitation ("Create my account") has said yes
    already: accept it now instead of asking them to press Accept again. Returns the
    message that says whom they joined, or "" (no invitation, or one that no longer works:
    the invitation page then explains why)."""
    if not target:
        return ""
    try:
        match = resolve(target.split("?")[0])
    except Resolver404:
        return ""
    if match.view_name != "accounts:invitation":
        return ""
    try:
        couple = partner_invitation_accept(
            token=match.kwargs["token"], user=user, now=timezone.now()
        )
    except DomainError:
        return ""
    partner = couple.partner_of(user)
    if partner is None:
        return _("You joined your partner on Duet.")
    return _("You joined %(name)s on Duet.") % {"name": partner.name}


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard:dashboard")
    form = SignupForm(
        request.POST or None,
        initial={"email": request.GET.get("email", ""), "language": translation.get_language()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        signup_request(
            email=data["email"],
            password=data["password1"],
            full_name=data["full_name"],
            display_name=data["display_name"],
            time_zone=data["time_zone"],
            next_url=safe_next(request),
            language=data["language"] or translation.get_language(),
        )
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form, "next": safe_next(request)})


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html")


def signup_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = signup_confirm(token=token)
    except DomainError as exc:
        messages.info(request, exc.detail)
        return redirect("accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Welcome to Duet, %(name)s.") % {"name": user.name})
    target = safe_next(request)
    joined = _accept_invitation_in(target, user)
    if joined:
        messages.success(request, joined)
        return redirect("dashboard:dashboard")
    return redirect(target or "dashboard:dashboard")


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "emails/password_reset.txt"
    html_email_template_name = "emails/password_reset.html"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_email_context = {"site_url": settings.SITE_URL}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
