"""Pages for partners: the between-sessions hub, check-ins, reflections, journal, goals."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import User
from accounts.selectors import active_couple_for
from core.errors import DomainError
from core.fields import UNREADABLE
from core.next_url import safe_next
from core.refusals import form_error
from measures import forms as measure_forms_
from measures.models import Moment
from measures.selectors import due_instruments, own_answers_for
from measures.services import measures_answer
from sessions_app.access import booking_for_partner
from sessions_app.forms import CheckInForm, GoalForm, GoalProgressForm, JournalForm, ReflectionForm
from sessions_app.models import Goal, JournalEntry
from sessions_app.selectors import (
    goals_for,
    journal_for_partner,
    journal_readers,
    open_homework_for_partner,
    own_check_in,
    own_check_ins,
    own_reflection,
    reflections_due_for,
    upcoming_check_in_bookings,
)
from sessions_app.services.checkins import check_in_submit, reflection_submit
from sessions_app.services.journal import (
    goal_create,
    goal_update,
    journal_consent_set,
    journal_delete,
    journal_write,
)

client_only = role_required("client")


# The questionnaires the clinic asks in the check-in ("before") and the
# reflection ("after") are embedded here; measures owns their rules.
def _measure_forms(request: HttpRequest, booking, moment: str):
    due = due_instruments(booking, moment, user=request.user)
    data = request.POST if request.method == "POST" else None
    return measure_forms_.instrument_forms(
        due, data=data, initial=own_answers_for(request.user, booking, moment)
    )


def _save_with_measures(request: HttpRequest, booking, moment: str, measure_forms, save) -> None:
    """Save the check-in/reflection and its questionnaires together, or neither."""
    answers = measure_forms_.all_answers(measure_forms)
    with transaction.atomic():
        save()
        if answers:
            measures_answer(
                user=request.user,
                booking=booking,
                moment=moment,
                answers=answers,
                now=timezone.now(),
            )


def _couple_or_404(request: HttpRequest):
    couple = active_couple_for(request.user)
    if couple is None:
        raise Http404("Set up your couple first.")
    return couple


@client_only
def hub(request: HttpRequest) -> HttpResponse:
    couple = active_couple_for(request.user)
    now = timezone.now()
    context = {"couple": couple}
    if couple is not None:
        upcoming = upcoming_check_in_bookings(couple, now=now)
        done = own_check_ins(request.user, upcoming)
        context.update(
            upcoming=[(b, b.pk in done) for b in upcoming],
            homework=open_homework_for_partner(couple, request.user),
            reflections_due=reflections_due_for(request.user, couple, now=now),
            goals=goals_for(couple, partner=request.user),
        )
    return render(request, "sessions_app/hub.html", context)


@client_only
def check_in(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = booking_for_partner(request.user, booking_id)
    existing = own_check_in(request.user, booking)
    measure_forms = _measure_forms(request, booking, Moment.BEFORE)
    if request.method == "POST":
        form = CheckInForm(request.POST)
        measures_valid = [f.is_valid() for f in measure_forms]  # every form shows its errors
        if form.is_valid() & all(measures_valid):
            try:
                _save_with_measures(
                    request,
                    booking,
                    Moment.BEFORE,
                    measure_forms,
                    lambda: check_in_submit(
                        user=request.user, booking=booking, now=timezone.now(), **form.cleaned_data
                    ),
                )
            except DomainError as exc:
                if not measure_forms_.forms_error(measure_forms, exc):
                    form_error(form, exc)
            else:
                messages.success(
                    request, gettext("Check-in saved. Only your therapist will see it.")
                )
                return redirect("sessions_app:hub")
    else:
        initial = {}
        if existing is not None:
            initial = {
                "mood": existing.mood,
                "talking_points": existing.talking_points,
                "feels_safe": existing.feels_safe,
                "can_speak_freely": existing.can_speak_freely,
                "safety_note": existing.safety_note,
            }
        form = CheckInForm(initial=initial)
    return render(
        request,
        "sessions_app/check_in.html",
        {"form": form, "booking": booking, "existing": existing, "measure_forms": measure_forms},
    )


@client_only
def reflect(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = booking_for_partner(request.user, booking_id)
    existing = own_reflection(request.user, booking)
    measure_forms = _measure_forms(request, booking, Moment.AFTER)
    if request.method == "POST":
        form = ReflectionForm(request.POST)
        measures_valid = [f.is_valid() for f in measure_forms]  # every form shows its errors
        if form.is_valid() & all(measures_valid):
            try:
                _save_with_measures(
                    request,
                    booking,
                    Moment.AFTER,
                    measure_forms,
                    lambda: reflection_submit(
                        user=request.user, booking=booking, now=timezone.now(), **form.cleaned_data
                    ),
                )
            except DomainError as exc:
                if not measure_forms_.forms_error(measure_forms, exc):
                    form_error(form, exc)
            else:
                messages.success(request, gettext("Thank you — your reflection is saved."))
                return redirect("sessions_app:hub")
    else:
        initial = {}
        if existing is not None:
            initial = {
                "rating": existing.rating,
                "what_helped": existing.what_helped,
                "what_to_work_on": existing.what_to_work_on,
            }
        form = ReflectionForm(initial=initial)
    homework = [
        v
        for v in open_homework_for_partner(booking.couple, request.user)
        if v.assignment.booking_id == booking.pk
    ]
    return render(
        request,
        "sessions_app/reflect.html",
        {
            "form": form,
            "booking": booking,
            "existing": existing,
            "homework": homework,
            "measure_forms": measure_forms,
        },
    )


@client_only
def journal(request: HttpRequest) -> HttpResponse:
    couple = _couple_or_404(request)
    tab = request.GET.get("tab", "shared")
    if tab not in JournalEntry.Kind.values:
        tab = "shared"
    form = JournalForm(initial={"kind": tab})
    if request.method == "POST":
        form = JournalForm(request.POST)
        if form.is_valid():
            try:
                journal_write(
                    user=request.user, couple=couple, now=timezone.now(), **form.cleaned_data
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, gettext("Entry saved."))
                return redirect(f"{request.path}?tab={form.cleaned_data['kind']}")
        tab = request.POST.get("kind", tab)
    entries = journal_for_partner(request.user, couple)
    return render(
        request,
        "sessions_app/journal.html",
        {
            "form": form,
            "tab": tab,
            "entries": entries[tab] if tab in entries else entries["shared"],
            "readers": journal_readers(request.user, couple),
            "partner": couple.partner_of(request.user),
            "unreadable_text": UNREADABLE,
        },
    )


@client_only
@require_POST
def journal_consent(request: HttpRequest) -> HttpResponse:
    couple = _couple_or_404(request)
    allow = request.POST.get("allow") == "1"
    wanted = request.POST.get("therapist", "")
    therapist = (
        User.objects.filter(pk=int(wanted), role=User.Role.THERAPIST).first()
        if wanted.isascii() and wanted.isdigit() and len(wanted) < 19
        else None
    )
    if therapist is None:
        raise Http404("No such therapist.")
    try:
        journal_consent_set(
            user=request.user, couple=couple, therapist=therapist, allow=allow, now=timezone.now()
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            (
                gettext("You allow %(name)s to read the couple journal.")
                if allow
                else gettext("%(name)s can no longer read the couple journal.")
            )
            % {"name": therapist.name},
        )
    return redirect("sessions_app:journal")


@client_only
@require_POST
def journal_entry_delete(request: HttpRequest, entry_id) -> HttpResponse:
    couple = _couple_or_404(request)
    entry = JournalEntry.objects.filter(pk=entry_id, couple=couple, author=request.user).first()
    if entry is None:
        raise Http404("No such entry.")
    kind = entry.kind
    journal_delete(user=request.user, entry=entry)
    messages.success(request, gettext("Entry deleted."))
    return redirect(reverse("sessions_app:journal") + f"?tab={kind}")


@client_only
def goals(request: HttpRequest) -> HttpResponse:
    couple = _couple_or_404(request)
    form = GoalForm()
    if request.method == "POST":
        form = GoalForm(request.POST)
        if form.is_valid():
            try:
                goal_create(
                    user=request.user, couple=couple, now=timezone.now(), **form.cleaned_data
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, gettext("Goal added."))
                return redirect("sessions_app:goals")
    return render(
        request,
        "sessions_app/goals.html",
        {
            "form": form,
            "goals": goals_for(couple, partner=request.user),
            "statuses": Goal.Status.choices,
        },
    )


@role_required("client", "therapist")
@require_POST
def goal_progress(request: HttpRequest, goal_id) -> HttpResponse:
    goal = Goal.objects.filter(pk=goal_id).first()
    if goal is None:
        raise Http404("No such goal.")
    form = GoalProgressForm(request.POST)
    back = safe_next(request)
    if form.is_valid():
        try:
            goal_update(user=request.user, goal=goal, now=timezone.now(), **form.cleaned_data)
        except DomainError as exc:
            if exc.status == 403:
                raise Http404("No such goal.") from None
            messages.error(request, exc.detail)
        else:
            messages.success(request, gettext("Progress saved."))
    else:
        messages.error(request, gettext("Progress is 0 to 100 %."))
    if back:
        return redirect(back)
    return redirect("sessions_app:goals")
