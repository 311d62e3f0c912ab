"""The clinic admin's roster: invite, deactivate, reactivate, assign and transfer."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from core.errors import DomainError
from core.l10n import format_local
from core.refusals import form_error
from therapists.forms import (
    AssignForm,
    ClinicSettingsForm,
    InviteTherapistForm,
    JoinForm,
    WeeklyHoursForm,
)
from therapists.models import Clinic
from therapists.selectors import (
    active_therapists_of,
    assignment_history,
    clinic_couples,
    clinics_administered_by,
    future_sessions_of,
    membership_for_admin,
    pending_invitations,
    roster_changes,
    roster_rows,
)
from therapists.services import (
    clinic_update_settings,
    couple_assign,
    therapist_deactivate,
    therapist_invitation_accept,
    therapist_invitation_check,
    therapist_invitation_create,
    therapist_reactivate,
    therapist_set_weekly_hours,
)


def roster_context(user, *, now: datetime) -> dict:
    """What the admin dashboard (the roster) shows."""
    clinics = list(clinics_administered_by(user))
    rows = roster_rows(user, now=now)
    return {
        "clinics": clinics,
        "rows": rows,
        "roster": [r.membership for r in rows],
        "invitations": pending_invitations([c.pk for c in clinics], now=now),
    }


def _membership_or_404(request: HttpRequest, membership_id: int):
    membership = membership_for_admin(request.user, membership_id)
    if membership is None:
        raise Http404
    return membership


def _only_clinic(request: HttpRequest):
    clinics = list(clinics_administered_by(request.user))
    if not clinics:
        raise Http404
    return clinics


@role_required("clinic_admin")
def therapist_detail(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _membership_or_404(request, membership_id)
    now = timezone.now()
    context = {
        "m": membership,
        "future": future_sessions_of(membership.user, now=now),
        "history": [
            a
            for a in assignment_history([membership.clinic_id])
            if a.therapist_id == membership.user_id
        ],
        "hours_form": WeeklyHoursForm(initial={"hours": membership.weekly_hours}),
        "profile": getattr(membership.user, "therapist_profile", None),
    }
    return render(request, "therapists/roster_therapist.html", context)


@require_POST
@role_required("clinic_admin")
def deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _membership_or_404(request, membership_id)
    try:
        future = therapist_deactivate(membership=membership, by=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("therapists:roster_therapist", membership_id=membership.pk)
    name = membership.user.full_name
    if future:
        message = ngettext(
            "%(name)s is deactivated: hidden from the directory and closed to new bookings. "
            "They have %(count)s upcoming session to reassign, listed below.",
            "%(name)s is deactivated: hidden from the directory and closed to new bookings. "
            "They have %(count)s upcoming sessions to reassign, listed below.",
            len(future),
        ) % {"name": name, "count": len(future)}
    else:
        message = _(
            "%(name)s is deactivated: hidden from the directory and closed to new bookings."
        ) % {"name": name}
    messages.success(request, message)
    return redirect("therapists:roster_therapist", membership_id=membership.pk)


@require_POST
@role_required("clinic_admin")
def reactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _membership_or_404(request, membership_id)
    try:
        therapist_reactivate(membership=membership, by=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, _("%(name)s is active again.") % {"name": membership.user.full_name}
        )
    return redirect("therapists:roster_therapist", membership_id=membership.pk)


@require_POST
@role_required("clinic_admin")
def weekly_hours(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _membership_or_404(request, membership_id)
    form = WeeklyHoursForm(request.POST)
    if form.is_valid():
        therapist_set_weekly_hours(
            membership=membership,
            by=request.user,
            hours=form.cleaned_data["hours"],
            now=timezone.now(),
        )
        messages.success(request, _("Weekly hours saved."))
    else:
        messages.error(request, form.errors["hours"][0])
    return redirect("therapists:roster_therapist", membership_id=membership.pk)


@role_required("clinic_admin")
def invite(request: HttpRequest) -> HttpResponse:
    clinics = _only_clinic(request)
    form = InviteTherapistForm(request.POST or None, clinics=clinics)
    if request.method == "POST" and form.is_valid():
        clinic = clinics[0]
        if "clinic" in form.cleaned_data:
            clinic = next(c for c in clinics if str(c.pk) == form.cleaned_data["clinic"])
        try:
            invitation = therapist_invitation_create(
                clinic=clinic,
                invited_by=request.user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                now=timezone.now(),
            )
        except DomainError as exc:
            form.add_error("email", exc.detail)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works until %(date)s.")
                % {
                    "email": invitation.email,
                    "date": format_local(
                        invitation.expires_at.astimezone(request.user.tz), "d M Y"
                    ),
                },
            )
            return redirect("dashboard:dashboard")
    return render(
        request, "therapists/invite.html", {"form": form}, status=422 if form.errors else 200
    )


@role_required("clinic_admin")
def assign(request: HttpRequest) -> HttpResponse:
    clinics = _only_clinic(request)
    clinic = clinics[0]
    if len(clinics) > 1 and request.GET.get("clinic", "").isdigit():
        clinic = next((c for c in clinics if c.pk == int(request.GET["clinic"])), clinic)
    couples = clinic_couples(clinic)
    therapists = active_therapists_of(clinic)
    initial = {}
    if request.GET.get("couple", "").isdigit():
        initial["couple"] = int(request.GET["couple"])
    form = AssignForm(request.POST or None, initial=initial, couples=couples, therapists=therapists)
    if request.method == "POST" and form.is_valid():
        couple = next(c for c in couples if c.pk == form.cleaned_data["couple"])
        therapist = next(t for t in therapists if t.pk == form.cleaned_data["therapist"])
        try:
            couple_assign(
                clinic=clinic,
                couple=couple,
                therapist=therapist,
                by=request.user,
                note=form.cleaned_data["note"],
                now=timezone.now(),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(couple)s is now with %(therapist)s.")
                % {"couple": couple, "therapist": therapist.full_name},
            )
            return redirect("therapists:assign")
    context = {
        "form": form,
        "clinic": clinic,
        "history": assignment_history([clinic.pk]),
    }
    return render(request, "therapists/assign.html", context, status=422 if form.errors else 200)


@role_required("clinic_admin")
def clinic_settings(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = clinics_administered_by(request.user).filter(pk=clinic_id).first()
    if clinic is None:
        raise Http404
    form = ClinicSettingsForm(request.POST or None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        try:
            clinic_update_settings(
                clinic=clinic, by=request.user, data=form.cleaned_data, now=timezone.now()
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Clinic settings saved."))
            return redirect("therapists:clinic_settings", clinic_id=clinic.pk)
    return render(
        request,
        "therapists/clinic_settings.html",
        {"form": form, "clinic": Clinic.objects.get(pk=clinic.pk)},
        status=422 if form.errors else 200,
    )


@role_required("clinic_admin")
def change_log(request: HttpRequest) -> HttpResponse:
    clinics = _only_clinic(request)
    changes = roster_changes([c.pk for c in clinics], limit=200)
    return render(request, "therapists/change_log.html", {"changes": changes, "clinics": clinics})


@sensitive_post_parameters("password1", "password2")
def join(request: HttpRequest, token: str) -> HttpResponse:
    """A therapist opens their invitation: accept with their account, or create one."""
    from accounts.models import User

    try:
        invitation = therapist_invitation_check(token=token, user=request.user, now=timezone.now())
    except DomainError as exc:
        return render(request, "therapists/join_problem.html", {"problem": exc}, status=exc.status)
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form = None
    if not request.user.is_authenticated and not has_account:
        form = JoinForm(
            request.POST or None,
            initial={"full_name": invitation.full_name},
            email=invitation.email,
        )
    if request.method == "POST":
        if not request.user.is_authenticated and has_account:
            return redirect(f"/login/?next={request.path}")
        if form is not None and not form.is_valid():
            return render(
                request,
                "therapists/join.html",
                {"invitation": invitation, "form": form, "has_account": has_account},
                status=422,
            )
        data = form.cleaned_data if form is not None else {}
        try:
            user = therapist_invitation_accept(
                token=token,
                user=request.user if request.user.is_authenticated else None,
                full_name=data.get("full_name", ""),
                password=data.get("password1"),
                time_zone=data.get("time_zone", "UTC"),
                now=timezone.now(),
            )
        except DomainError as exc:
            return render(
                request, "therapists/join_problem.html", {"problem": exc}, status=exc.status
            )
        if not request.user.is_authenticated:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome to %(clinic)s. Fill in your profile so couples can find you.")
            % {"clinic": invitation.clinic.name},
        )
        return redirect("therapists:my_profile")
    context = {"invitation": invitation, "form": form, "has_account": has_account}
    return render(request, "therapists/join.html", context)
