"""Homework pages, for partners and for the assigning therapist."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.selectors import active_couple_for
from core.errors import DomainError
from core.refusals import form_error
from sessions_app.forms import ResponseForm
from sessions_app.models import HomeworkAssignment
from sessions_app.selectors import (
    homework_for_couple,
    homework_view,
    homework_views,
    with_responses,
)
from sessions_app.services.homework import homework_cancel, homework_respond


def _visible_or_404(request: HttpRequest, assignment_id):
    assignment = (
        HomeworkAssignment.objects.select_related("therapist", "assignee", "couple", "booking")
        .prefetch_related("couple__memberships__user")
        .filter(pk=assignment_id)
        .first()
    )
    view = homework_view(assignment, request.user) if assignment else None
    if view is None:
        raise Http404("No such exercise.")
    return view


@role_required("client", "therapist")
def homework_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_therapist:
        assignments = with_responses(
            HomeworkAssignment.objects.filter(therapist=user, cancelled_at__isnull=True).order_by(
                "due_at"
            )
        ).select_related("couple")
        views = homework_views(assignments, user)
        return render(request, "sessions_app/homework_list.html", {"views": views})
    couple = active_couple_for(user)
    views = homework_for_couple(couple, user) if couple else []
    return render(request, "sessions_app/homework_list.html", {"views": views, "couple": couple})


@role_required("client", "therapist")
def homework_detail(request: HttpRequest, assignment_id) -> HttpResponse:
    view = _visible_or_404(request, assignment_id)
    form = None
    if view.can_respond:
        mine = view.mine
        form = ResponseForm(
            initial={
                "body": mine.body if mine else "",
                "visibility": mine.visibility if mine else "private",
                "done": bool(mine and mine.done_at),
            }
        )
        if request.method == "POST":
            form = ResponseForm(request.POST)
            if form.is_valid():
                try:
                    homework_respond(
                        user=request.user,
                        assignment=view.assignment,
                        now=timezone.now(),
                        **form.cleaned_data,
                    )
                except DomainError as exc:
                    form_error(form, exc)
                else:
                    messages.success(
                        request,
                        gettext("Marked as done.")
                        if form.cleaned_data["done"]
                        else gettext("Your answer is saved."),
                    )
                    return redirect("sessions_app:homework_detail", assignment_id=assignment_id)
    elif request.method == "POST":
        raise Http404("No such exercise.")
    return render(request, "sessions_app/homework_detail.html", {"view": view, "form": form})


@role_required("therapist")
@require_POST
def homework_withdraw(request: HttpRequest, assignment_id) -> HttpResponse:
    view = _visible_or_404(request, assignment_id)
    try:
        homework_cancel(therapist=request.user, assignment=view.assignment, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, gettext("Exercise withdrawn."))
    return redirect("sessions_app:homework_list")
