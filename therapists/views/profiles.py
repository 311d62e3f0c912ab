"""Editing a profile: the therapist themselves, or an admin of their clinic."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from core.errors import DomainError
from core.refusals import form_error
from therapists.forms import ProfileForm
from therapists.selectors import profile_for_editor, therapist_clients
from therapists.services import therapist_profile_ensure, therapist_profile_update


@role_required("therapist")
def my_profile(request: HttpRequest) -> HttpResponse:
    membership = (
        request.user.clinic_memberships.filter(role="therapist")
        .order_by("-is_active")
        .select_related("clinic")
        .first()
    )
    profile = therapist_profile_ensure(
        user=request.user, clinic=membership.clinic if membership else None
    )
    return redirect("therapists:profile_edit", pk=profile.pk)


@login_required
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = profile_for_editor(request.user, pk)
    if profile is None:
        # Someone else's profile: the same answer whether or not it exists.
        raise Http404
    is_self = profile.user_id == request.user.pk
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                therapist_profile_update(
                    profile=profile,
                    editor=request.user,
                    data=form.to_data(),
                    photo=form.cleaned_data.get("photo"),
                    remove_photo=form.cleaned_data.get("remove_photo", False),
                    now=timezone.now(),
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                if is_self:
                    messages.success(request, _("Your profile is saved."))
                else:
                    messages.success(
                        request,
                        _("%(name)s's profile is saved.") % {"name": profile.user.full_name},
                    )
                return redirect("therapists:profile_edit", pk=profile.pk)
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(profile))
    return render(
        request,
        "therapists/profile_edit.html",
        {"form": form, "profile": profile, "is_self": is_self},
        status=422 if request.method == "POST" else 200,
    )


@role_required("therapist")
def clients(request: HttpRequest) -> HttpResponse:
    return render(request, "therapists/clients.html", {"clients": therapist_clients(request.user)})
