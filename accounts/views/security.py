"""Sign-in with a second factor, 2FA enrolment, password change, sign-out everywhere."""

from __future__ import annotations

import time

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import throttle, twofactor
from accounts.forms import LoginForm
from accounts.middleware import ENROL_REQUIRED
from accounts.models import User
from accounts.security_models import TotpDevice
from accounts.session_control import IDLE_SECONDS, idle_seconds_for, user_sessions_revoke
from core.audit import audit_record, client_ip
from core.errors import DomainError
from core.next_url import safe_next

PENDING = "_duet_pending_2fa"
PENDING_MAX_AGE = 300
SETUP_DEVICE = "_duet_setup_device"
BACKEND = "django.contrib.auth.backends.ModelBackend"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text=gettext_lazy(
            "The 6-digit code from your authenticator app, or one of your recovery codes."
        ),
    )


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: email and password. Nobody is signed in until every factor passed."""
    if request.user.is_authenticated:
        return redirect("dashboard:dashboard")
    form = LoginForm(request, data=request.POST or None)
    next_url = safe_next(request)
    if request.method == "POST":
        email = request.POST.get("username", "")
        ip = client_ip(request)
        if throttle.login_blocked_until(email=email, ip=ip, now=timezone.now()) is not None:
            form = LoginForm(request)
            form.cleaned_data = {}
            form.add_error(None, throttle.LOCKED_ERROR)
            audit_record(actor=None, action="auth.login_blocked", request=request, outcome="denied")
            return render(request, "accounts/login.html", {"form": form, "next": next_url or ""})
        if form.is_valid():
            user = form.get_user()
            if twofactor.has_2fa(user):
                # Counters are cleared only once the second factor passed too.
                request.session.cycle_key()
                request.session[PENDING] = {"uid": user.pk, "at": time.time(), "next": next_url}
                return redirect("accounts:login_verify")
            throttle.login_failures_clear(email=email)
            login(request, user, backend=BACKEND)
            if twofactor.requires_2fa(user):
                request.session[ENROL_REQUIRED] = True
                messages.info(request, _("Set up two-step sign-in to protect your clients' data."))
                return redirect("accounts:twofactor_setup")
            return redirect(next_url or "dashboard:dashboard")
        throttle.login_failure_record(email=email, ip=ip, now=timezone.now())
        audit_record(actor=None, action="auth.login_failed", request=request, outcome="denied")
    return render(request, "accounts/login.html", {"form": form, "next": next_url or ""})


def login_verify(request: HttpRequest) -> HttpResponse:
    """Step two: a TOTP code or a recovery code."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_MAX_AGE:
        request.session.pop(PENDING, None)
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        if throttle.code_blocked_until(email=user.email, ip=ip, now=timezone.now()) is not None:
            form.add_error(None, throttle.LOCKED_ERROR)
        elif twofactor.second_factor_verify(user=user, code=form.cleaned_data["code"]):
            request.session.pop(PENDING, None)
            throttle.login_failures_clear(email=user.email)
            login(request, user, backend=BACKEND)
            return redirect(pending.get("next") or "dashboard:dashboard")
        else:
            throttle.code_failure_record(email=user.email, ip=ip, now=timezone.now())
            audit_record(actor=user, action="auth.2fa_failed", request=request, outcome="denied")
            form.add_error(
                "code", _("That code is not valid. Codes work once; wait for a new one.")
            )
    return render(request, "accounts/login_verify.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Signing out ends this person's sessions on every device."""
    if request.user.is_authenticated:
        user = request.user
        audit_record(actor=user, action="auth.logout", obj=user, request=request)
        user_sessions_revoke(user=user, reason="logout")
    logout(request)
    messages.info(request, _("You are signed out on all your devices."))
    return redirect("accounts:login")


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "has_2fa": twofactor.has_2fa(user),
            "requires_2fa": twofactor.requires_2fa(user),
            "codes_left": twofactor.recovery_codes_left(user),
            "sessions": user.tracked_sessions.order_by("-created_at"),
            "current_key": request.session.session_key,
            "idle_minutes": (request.session.get(IDLE_SECONDS) or idle_seconds_for(user)) // 60,
        },
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@login_required
def twofactor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = None
    device_id = request.session.get(SETUP_DEVICE)
    if device_id:
        device = TotpDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = twofactor.totp_device_start(user=user)
        request.session[SETUP_DEVICE] = str(device.pk)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = _("The 6-digit code your app shows for Duet.")
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.totp_device_confirm(
                device=device, token=form.cleaned_data["code"], request=request
            )
        except DomainError as exc:
            form.add_error("code", exc.detail)
        else:
            request.session.pop(SETUP_DEVICE, None)
            request.session.pop(ENROL_REQUIRED, None)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
    uri = twofactor.totp_uri(device)
    return render(
        request,
        "accounts/twofactor_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(_qr_svg(uri)),  # noqa: S308 - SVG generated here, no input
            "secret": twofactor.totp_secret_b32(device),
            "required": request.session.get(ENROL_REQUIRED, False),
        },
    )


@login_required
@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CodeForm(request.POST)
    device = twofactor.confirmed_device(user)
    if (
        device is None
        or not form.is_valid()
        or not twofactor.totp_verify(device=device, token=form.cleaned_data["code"])
    ):
        messages.error(request, _("Enter a current code from your authenticator app to do that."))
        return redirect("accounts:security")
    codes = twofactor.recovery_codes_regenerate(user=user)
    audit_record(actor=user, action="2fa.recovery_codes_new", obj=user, request=request)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
@sensitive_post_parameters("proof")
def twofactor_disable(request: HttpRequest) -> HttpResponse:
    try:
        twofactor.totp_disable(
            user=request.user, proof=request.POST.get("proof", ""), request=request
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Two-step sign-in is off."))
    return redirect("accounts:security")


@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()  # the post_save receiver ends every session of this person
        audit_record(actor=user, action="auth.password_change", obj=user, request=request)
        logout(request)
        messages.success(request, _("Password changed. You were signed out everywhere; sign in."))
        return redirect("accounts:login")
    return render(request, "accounts/password_change.html", {"form": form})
