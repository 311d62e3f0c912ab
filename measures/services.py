"""Writes: answering an instrument, and a clinic's plan. Keyword-only, ``now`` explicit."""

from __future__ import annotations

import json
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import is_partner
from core.errors import DomainError, Forbidden
from measures import instruments
from measures.models import MeasurePlan, MeasureResponse, Moment, When
from measures.selectors import due_instruments, session_number
from measures.signals import safety_concern
from scheduling.models import Booking
from scheduling.occasions import require_after_session, require_before_session
from therapists.models import Clinic
from therapists.selectors import is_admin_of


def _check_occasion(booking: Booking, moment: str, now: datetime) -> None:
    if moment == Moment.BEFORE:
        require_before_session(booking, now)
    elif moment == Moment.AFTER:
        require_after_session(booking, now)
    else:
        raise DomainError(
            _("moment is 'before' or 'after'."), code="bad_moment", status=422, field="moment"
        )


def measures_answer(
    *,
    user: User,
    booking: Booking,
    moment: str,
    answers: dict[str, dict],
    now: datetime,
) -> list[MeasureResponse]:
    """Save a partner's answers to instruments due at this session and moment.

    ``answers`` maps instrument slug to ``{item: value}``. A partner may skip a
    questionnaire, but one they answer is answered in full; a bad item answers 422 naming
    ``<slug>.<item>``. Re-answering replaces the earlier answer for the same session and
    moment. PHQ-9 item 9 above zero raises the therapist's private safety alert.
    """
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if not is_partner(user, booking.couple_id):
            raise Forbidden(_("This session is not yours."), code="not_yours")
        _check_occasion(booking, moment, now)
        due = {i.slug: i for i in due_instruments(booking, moment, user=user)}
        if not isinstance(answers, dict):
            raise DomainError(_("answers: an object per instrument."), code="invalid", status=422)
        for slug in answers:
            if slug not in due:
                raise DomainError(
                    _("%(instrument)s is not asked at this session.") % {"instrument": repr(slug)},
                    code="not_due",
                    status=422,
                    field=str(slug),
                )
        saved, concerns = [], False
        number = session_number(booking)
        if not answers:
            raise DomainError(
                _("Answer at least one questionnaire."),
                code="missing",
                status=422,
                field="answers",
            )
        for slug, instrument in due.items():
            given = answers.get(slug)
            if given is None:
                continue  # skipped: completion figures count it as not answered
            response = measure_record(
                user=user,
                booking=booking,
                moment=moment,
                instrument=instrument,
                answers=given,
                session=number,
                now=now,
            )
            saved.append(response)
            concerns = concerns or instrument.safety_concern(response.answers)
        if concerns:
            # Sent inside the transaction: the alert row commits with the answers or not at all.
            safety_concern.send(sender=MeasureResponse, booking=booking, user=user, now=now)
    return saved


def measure_record(
    *,
    user: User,
    booking: Booking,
    moment: str,
    instrument: instruments.Instrument,
    answers: object,
    session: int,
    now: datetime,
) -> MeasureResponse:
    """Validate, score and store one answer (replacing an earlier one for the same session
    and moment). ``measures_answer`` decides whether it may be given; the demo seeds
    history through here too."""
    clean = instrument.validate(answers)
    if isinstance(clean, tuple):
        item, message = clean
        raise DomainError(
            _("%(instrument)s: %(message)s")
            % {"instrument": instrument.short_name, "message": message},
            code="invalid_answer",
            status=422,
            field=f"{instrument.slug}.{item}" if item else instrument.slug,
        )
    response = MeasureResponse.objects.filter(
        user=user, booking=booking, instrument=instrument.slug, moment=moment
    ).first() or MeasureResponse(
        user=user, booking=booking, instrument=instrument.slug, moment=moment
    )
    response.couple_id = booking.couple_id
    response.version = instrument.version
    response.session_number = session
    response.payload = json.dumps(
        {"answers": clean, "total": instrument.score(clean)}, sort_keys=True
    )
    response.__dict__.pop("_data", None)
    response.answered_at = now
    response.save()
    return response


def measure_plan_update(
    *,
    user: User,
    clinic: Clinic,
    schedule: dict[str, dict],
    split_gap: int,
    on_track_by: int,
    now: datetime,
) -> MeasurePlan:
    """A clinic admin chooses when each instrument is asked and the flag thresholds."""
    if not is_admin_of(user, clinic.pk):
        raise Forbidden(_("Only this clinic's admins change its measures."), code="not_admin")
    if not isinstance(split_gap, int) or not 1 <= split_gap <= 40:
        raise DomainError(
            _("The split gap is 1 to 40 points."), code="bad_gap", status=422, field="split_gap"
        )
    if not isinstance(on_track_by, int) or not 2 <= on_track_by <= 52:
        raise DomainError(
            _("Choose session 2 to 52."), code="bad_session", status=422, field="on_track_by"
        )
    clean: dict[str, dict] = {}
    for slug in instruments.CURRENT:
        rule = schedule.get(slug) or {"when": When.OFF, "every": 1}
        when = rule.get("when")
        every = rule.get("every", 1)
        if when not in When.values:
            raise DomainError(
                _("Choose when to ask %(instrument)s.")
                % {"instrument": instruments.CURRENT[slug].short_name},
                code="bad_schedule",
                status=422,
                field=f"schedule.{slug}",
            )
        if not isinstance(every, int) or not 1 <= every <= 52:
            raise DomainError(
                _("Every 1 to 52 sessions."),
                code="bad_schedule",
                status=422,
                field=f"schedule.{slug}.every",
            )
        clean[slug] = {"when": when, "every": every}
    unknown = set(schedule) - set(instruments.CURRENT)
    if unknown:
        raise DomainError(
            _("No instrument %(instrument)s.") % {"instrument": repr(sorted(unknown)[0])},
            code="bad_schedule",
            status=422,
            field="schedule",
        )
    with transaction.atomic():
        plan, _created = MeasurePlan.objects.select_for_update().get_or_create(clinic=clinic)
        plan.schedule = clean
        plan.split_gap = split_gap
        plan.on_track_by = on_track_by
        plan.updated_at = now
        plan.save()
    return plan
