"""Template tags other apps' pages use without importing intake: the quick exit in
the base template, the safety section of the check-in, the booking page's licence
notice."""

from __future__ import annotations

from django import template
from django.conf import settings

from accounts.selectors import active_couple_for
from intake import selectors

register = template.Library()


@register.inclusion_tag("intake/_quick_exit.html", takes_context=True)
def quick_exit(context) -> dict:
    user = context.get("user")
    show = bool(user is not None and user.is_authenticated and user.is_client)
    return {
        "show": show,
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("intake/_safety_section.html", takes_context=True)
def safety_resources(context) -> dict:
    return {"resources": selectors.safety_resources_for(context["user"])}


@register.inclusion_tag("intake/_licence_notice.html", takes_context=True)
def licence_notice(context, therapist) -> dict:
    user = context["user"]
    couple = active_couple_for(user) if user.is_authenticated and user.is_client else None
    notices = selectors.licence_notices(therapist=therapist, couple=couple, viewer=user)
    return {
        "therapist": therapist,
        "notices": notices,
        "sentence": selectors.licence_sentence(therapist.full_name, notices),
        "ask_home": selectors.home_places_missing(couple),
    }


@register.filter
def located_count(panel) -> int:
    """How many partners in the room panel said where they are (the poll's baseline)."""
    return sum(1 for row in panel or () if row.location is not None)


@register.filter
def warning_count(panel) -> int:
    """How many partners sit outside the therapist's licence (shown on the folded panel)."""
    return sum(1 for row in panel or () if row.licence_warning)


@register.inclusion_tag("intake/_reminder.html", takes_context=True)
def intake_reminder(context) -> dict:
    """The client dashboard's nudge: documents to sign before joining a session."""
    user = context["user"]
    rows = selectors.documents_for_partner(user) if user.is_client else []
    return {"to_sign": [r for r in rows if r.signature is None]}
