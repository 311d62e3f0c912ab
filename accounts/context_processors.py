"""The shared navigation, by role."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def _item(label: str | Promise, url_name: str) -> dict | None:
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return None
    return {"label": label, "url": url, "current": False}


def _mark_current(items: list[dict], path: str) -> None:
    """Highlight one item: the longest URL the path lives under (so /therapists/overview/
    is "Overview", not also "Directory" at /therapists/)."""
    under = [
        i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))
    ]
    if under:
        max(under, key=lambda i: len(i["url"]))["current"] = True


NAV = {
    "client": [
        (_("Home"), "dashboard:dashboard"),
        (_("Find a therapist"), "therapists:directory"),
        (_("My sessions"), "scheduling:my_sessions"),
        (_("Between sessions"), "sessions_app:hub"),
        (_("Progress"), "measures:mine"),
        (_("Couple"), "accounts:couple"),
        (_("Messages"), "messaging:inbox"),
        (_("Forms & safety"), "intake:home"),
    ],
    "therapist": [
        (_("Today"), "dashboard:dashboard"),
        (_("Calendar"), "scheduling:calendar"),
        (_("Clients"), "therapists:clients"),
        (_("Directory"), "therapists:directory"),
        (_("Notes"), "notes:notes"),
        (_("Messages"), "messaging:inbox"),
    ],
    "clinic_admin": [
        (_("Roster"), "dashboard:dashboard"),
        (_("Overview"), "dashboard:overview"),
        (_("Directory"), "therapists:directory"),
        (_("Audit log"), "dashboard:audit_log"),
        (_("Intake documents"), "intake:clinic_documents"),
    ],
    "anonymous": [(_("Find a therapist"), "therapists:directory")],
}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else "anonymous"
    items = [i for i in (_item(label, name) for label, name in NAV.get(role, [])) if i]
    _mark_current(items, request.path)
    return {"nav_items": items}
