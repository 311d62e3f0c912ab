"""Therapist pages: prepare for a session, end it and assign homework, read the couple journal."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from core.errors import DomainError
from core.next_url import safe_next
from core.refusals import form_error
from measures.selectors import flags_for_booking
from sessions_app.access import booking_for_therapist, couple_for_therapist
from sessions_app.forms import AssignHomeworkForm, GoalForm
from sessions_app.models import Goal
from sessions_app.selectors import (
    homework_for_couple,
    journal_for_therapist,
    preparation_for,
)
from sessions_app.services.attendance import session_end
from sessions_app.services.homework import homework_assign, templates_for_therapist
from sessions_app.services.journal import goal_create

therapist_only = role_required("therapist")


@therapist_only
def prepare(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = booking_for_therapist(request.user, booking_id)
    prep = preparation_for(request.user, booking)
    return render(
        request,
        "sessions_app/prepare.html",
        {
            "prep": prep,
            "booking": booking,
            "statuses": Goal.Status.choices,
            "measure_flags": flags_for_booking(request.user, booking),
        },
    )


@therapist_only
def wrap_up(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = booking_for_therapist(request.user, booking_id)
    partners = booking.couple.partners
    templates = templates_for_therapist(request.user)
    form = AssignHomeworkForm(templates=templates, partners=partners)
    if request.method == "POST":
        form = AssignHomeworkForm(request.POST, templates=templates, partners=partners)
        if form.is_valid():
            data = form.cleaned_data
            assignee = next((p for p in partners if p.pk == data.get("assignee")), None)
            try:
                homework_assign(
                    therapist=request.user,
                    couple=booking.couple,
                    booking=booking,
                    template=data["template"],
                    title=data["title"],
                    instructions=data["instructions"],
                    audience=data["audience"],
                    assignee=assignee,
                    due_at=form.due_at(request.user.tz),
                    reveal_when_both_done=data["reveal_when_both_done"],
                    now=timezone.now(),
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request, gettext("Homework assigned. The couple has been notified.")
                )
                return redirect("sessions_app:wrap_up", booking_id=booking.pk)
    assigned = [
        v
        for v in homework_for_couple(booking.couple, request.user)
        if v.assignment.booking_id == booking.pk
    ]
    library = {
        str(t.pk): {
            "title": t.display_title,
            "summary": t.display_summary,
            "audience": t.suggested_audience,
            "days": t.suggested_days,
        }
        for t in templates
    }
    return render(
        request,
        "sessions_app/wrap_up.html",
        {
            "booking": booking,
            "form": form,
            "assigned": assigned,
            "library": library,
            "now": timezone.now(),
        },
    )


@therapist_only
@require_POST
def end_session(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = booking_for_therapist(request.user, booking_id)
    try:
        session_end(therapist=request.user, booking=booking, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, gettext("Session ended. Both partners get their reflection form.")
        )
    return redirect("sessions_app:wrap_up", booking_id=booking.pk)


@therapist_only
def couple_journal(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = couple_for_therapist(request.user, couple_id)
    entries = journal_for_therapist(couple, therapist=request.user, viewer=request.user)
    return render(
        request, "sessions_app/couple_journal.html", {"couple": couple, "entries": entries}
    )


@therapist_only
@require_POST
def couple_goal_add(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = couple_for_therapist(request.user, couple_id)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            goal_create(user=request.user, couple=couple, now=timezone.now(), **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, gettext("Goal added for the couple."))
    back = safe_next(request) or ""
    if back.startswith("/sessions/"):
        return redirect(back)
    raise Http404
