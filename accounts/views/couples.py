from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.forms import InviteForm
from accounts.selectors import active_couple_for, pending_invitation_for
from accounts.services import (
    couple_create,
    couple_leave,
    partner_invitation_accept,
    partner_invitation_check,
    partner_invitation_create,
)
from core.errors import DomainError


@role_required("client")
def couple(request: HttpRequest) -> HttpResponse:
    current = active_couple_for(request.user)
    form = InviteForm()
    if request.method == "POST" and current is not None:
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                invitation = partner_invitation_create(
                    couple=current,
                    invited_by=request.user,
                    email=form.cleaned_data["email"],
                    now=timezone.now(),
                )
            except DomainError as exc:
                form.add_error("email", exc.detail)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s. The link works for 7 days.")
                    % {"email": invitation.email},
                )
                return redirect("accounts:couple")
    context = {
        "couple": current,
        "partner": current.partner_of(request.user) if current else None,
        "pending": pending_invitation_for(current) if current else None,
        "form": form,
        # Booked sessions stay booked when a partner leaves: say so before they do.
        "booked_ahead": (
            current.bookings.filter(status="confirmed", starts_at__gt=timezone.now())
            .select_related("therapist")
            .order_by("starts_at")
            if current
            else []
        ),
    }
    return render(request, "accounts/couple.html", context)


@require_POST
@role_required("client")
def couple_start(request: HttpRequest) -> HttpResponse:
    try:
        couple_create(user=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Your couple is set up. Now invite your partner."))
    return redirect("accounts:couple")


@require_POST
@role_required("client")
def couple_leave_view(request: HttpRequest) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you want to leave the couple."))
        return redirect("accounts:couple")
    try:
        couple_leave(user=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, _("You have left the couple. Your own account and data stay yours.")
        )
    return redirect("accounts:couple")


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Open an invitation link: show who invited you, then accept (logged in) or sign up."""
    try:
        invite = partner_invitation_check(token=token, user=request.user, now=timezone.now())
    except DomainError as exc:
        return render(
            request,
            "accounts/invitation_problem.html",
            {"problem": exc, "token": token},
            status=exc.status,
        )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/login/?next={request.path}")
        try:
            partner_invitation_accept(token=token, user=request.user, now=timezone.now())
        except DomainError as exc:
            return render(
                request,
                "accounts/invitation_problem.html",
                {"problem": exc, "token": token},
                status=exc.status,
            )
        messages.success(
            request, _("You joined %(name)s on Duet.") % {"name": invite.invited_by.name}
        )
        return redirect("dashboard:dashboard")
    return render(request, "accounts/invitation.html", {"invite": invite})


@require_POST
@login_required
def invitation_switch_account(request: HttpRequest, token: str) -> HttpResponse:
    logout(request)
    return redirect("accounts:invitation", token=token)
