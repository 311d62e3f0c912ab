"""Homework: assign from the library or fresh, complete, respond, reveal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Couple, User
from accounts.selectors import is_partner
from core.errors import DomainError, Forbidden
from scheduling.models import Booking
from sessions_app.models import (
    ExerciseTemplate,
    HomeworkAssignment,
    HomeworkResponse,
    Notification,
    Reminder,
)
from sessions_app.services.notifications import notification_create
from therapists.selectors import is_client_of


def _in_language(person: User, make: Callable[[], str]) -> str:
    """Text stored for one person (a notification title), written in their language."""
    with translation.override(getattr(person, "language", "") or settings.LANGUAGE_CODE):
        return make()


DUE_REMINDER_BEFORE = timedelta(hours=24)
TITLE_MAX = 120
Audience = HomeworkAssignment.Audience


def templates_for_therapist(therapist: User) -> QuerySet[ExerciseTemplate]:
    """Built-ins plus the therapist's clinics' own templates."""
    from django.db.models import Q

    clinic_ids = therapist.clinic_memberships.filter(is_active=True).values_list(
        "clinic_id", flat=True
    )
    return ExerciseTemplate.objects.filter(is_active=True).filter(
        Q(clinic__isnull=True) | Q(clinic_id__in=clinic_ids)
    )


def required_people(assignment: HomeworkAssignment) -> list[User]:
    if assignment.audience == Audience.ONE:
        assert assignment.assignee is not None  # a one-partner exercise names its partner
        return [assignment.assignee]
    return list(assignment.couple.partners)


@transaction.atomic
def homework_assign(
    *,
    therapist: User,
    couple: Couple,
    due_at: datetime,
    audience: str,
    now: datetime,
    booking: Booking | None = None,
    template: ExerciseTemplate | None = None,
    title: str = "",
    instructions: str = "",
    assignee: User | None = None,
    reveal_when_both_done: bool = False,
) -> HomeworkAssignment:
    if not is_client_of(therapist, couple.pk):
        raise Forbidden(
            gettext("You can assign homework only to couples you see."), code="not_your_client"
        )
    if booking is not None and (
        booking.therapist_id != therapist.pk or booking.couple_id != couple.pk
    ):
        raise Forbidden(gettext("That session is not yours."), code="not_your_session")
    if (
        template is not None
        and not templates_for_therapist(therapist).filter(pk=template.pk).exists()
    ):
        raise DomainError(
            gettext("Choose an exercise from your library."), code="bad_template", field="template"
        )
    title = (title or (template.title if template else "")).strip()
    instructions = (instructions or (template.instructions if template else "")).strip()
    if not title:
        raise DomainError(
            gettext("Give the exercise a title or pick one from the library."),
            code="title_required",
            field="title",
        )
    if len(title) > TITLE_MAX:
        raise DomainError(
            gettext("Keep the title under %(max)s characters.") % {"max": TITLE_MAX},
            code="title_too_long",
            field="title",
        )
    if audience not in Audience.values:
        raise DomainError(
            gettext("Choose who the exercise is for."), code="bad_audience", field="audience"
        )
    if due_at <= now:
        raise DomainError(
            gettext("The due date must be in the future."), code="due_in_past", field="due_at"
        )
    if audience == Audience.ONE:
        if assignee is None or not is_partner(assignee, couple.pk):
            raise DomainError(
                gettext("Choose which partner the exercise is for."),
                code="assignee_required",
                field="assignee",
            )
    else:
        assignee = None
    if audience != Audience.BOTH:
        reveal_when_both_done = False
    assignment = HomeworkAssignment.objects.create(
        couple=couple,
        therapist=therapist,
        booking=booking,
        template=template,
        title=title[:120],
        instructions=instructions,
        audience=audience,
        assignee=assignee,
        due_at=due_at,
        reveal_when_both_done=reveal_when_both_done,
        created_at=now,
    )
    url = reverse("sessions_app:homework_detail", args=[assignment.pk])
    for person in required_people(assignment):
        notification_create(
            user=person,
            kind=Notification.Kind.HOMEWORK,
            title=_in_language(
                person, lambda: gettext("New exercise from %(name)s") % {"name": therapist.name}
            ),
            url=url,
            key=f"homework:{assignment.pk}:{person.pk}",
            now=now,
        )
        reminder_due = due_at - DUE_REMINDER_BEFORE
        if reminder_due > now:
            Reminder.objects.create(
                key=f"homework:{assignment.pk}:{person.pk}",
                kind=Reminder.Kind.HOMEWORK_DUE,
                recipient=person,
                assignment=assignment,
                due_at=reminder_due,
            )
    return assignment


@transaction.atomic
def homework_respond(
    *,
    user: User,
    assignment: HomeworkAssignment,
    body: str,
    visibility: str,
    done: bool,
    now: datetime,
) -> HomeworkResponse:
    assignment = HomeworkAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not is_partner(user, assignment.couple_id):
        raise Forbidden(gettext("This exercise is not yours."), code="not_yours")
    if assignment.audience == Audience.ONE and assignment.assignee_id != user.pk:
        raise Forbidden(gettext("This exercise is for your partner."), code="not_assignee")
    if assignment.cancelled_at is not None:
        raise DomainError(gettext("Your therapist withdrew this exercise."), code="cancelled")
    if visibility not in HomeworkResponse.Visibility.values:
        raise DomainError(
            gettext("Choose who can read your answer."), code="bad_visibility", field="visibility"
        )
    if assignment.audience == Audience.JOINT:
        # A joint exercise is done together: its answer is always shared.
        visibility = HomeworkResponse.Visibility.SHARED
    response = HomeworkResponse.objects.filter(assignment=assignment, user=user).first()
    if response is None:
        response = HomeworkResponse(assignment=assignment, user=user)
    response.body = body.strip()
    response.visibility = visibility
    response.updated_at = now
    was_done = response.done_at is not None
    response.done_at = (response.done_at or now) if done else None
    response.save()
    if done and not was_done:
        notification_create(
            user=assignment.therapist,
            kind=Notification.Kind.HOMEWORK,
            # Notification titles are stored in clear: they name no exercise.
            title=f"{user.name} finished a homework exercise",
            url=reverse("sessions_app:homework_detail", args=[assignment.pk]),
            key=f"homework-done:{assignment.pk}:{user.pk}:{int(now.timestamp())}",
            now=now,
        )
        partner = assignment.couple.partner_of(user)
        if partner is not None and assignment.audience != Audience.ONE:
            notification_create(
                user=partner,
                kind=Notification.Kind.HOMEWORK,
                title=f"{user.name} marked a homework exercise as done",
                url=reverse("sessions_app:homework_detail", args=[assignment.pk]),
                key=f"homework-done-partner:{assignment.pk}:{user.pk}:{int(now.timestamp())}",
                now=now,
            )
    return response


@transaction.atomic
def homework_cancel(*, therapist: User, assignment: HomeworkAssignment, now: datetime) -> None:
    if assignment.therapist_id != therapist.pk:
        raise Forbidden(
            gettext("Only the therapist who assigned it can withdraw it."), code="not_yours"
        )
    assignment.cancelled_at = now
    assignment.save(update_fields=["cancelled_at"])
    Reminder.objects.filter(assignment=assignment, status=Reminder.Status.PENDING).update(
        status=Reminder.Status.CANCELLED
    )
