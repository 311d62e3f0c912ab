"""The shared navigation, by role."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


def _item(label: str, url_name: str) -> dict | None:
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
        ("Home", "dashboard:dashboard"),
        ("Find a therapist", "therapists:directory"),
        ("My sessions", "scheduling:my_sessions"),
        ("Between sessions", "sessions_app:hub"),
        ("Progress", "measures:mine"),
        ("Couple", "accounts:couple"),
        ("Messages", "messaging:inbox"),
        ("Forms & safety", "intake:home"),
    ],
    "therapist": [
        ("Today", "dashboard:dashboard"),
        ("Calendar", "scheduling:calendar"),
        ("Clients", "therapists:clients"),
        ("Directory", "therapists:directory"),
        ("Notes", "notes:notes"),
        ("Messages", "messaging:inbox"),
    ],
    "clinic_admin": [
        ("Roster", "dashboard:dashboard"),
        ("Overview", "dashboard:overview"),
        ("Directory", "therapists:directory"),
        ("Audit log", "dashboard:audit_log"),
        ("Intake documents", "intake:clinic_documents"),
    ],
    "anonymous": [("Find a therapist", "therapists:directory")],
}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else "anonymous"
    items = [i for i in (_item(label, name) for label, name in NAV.get(role, [])) if i]
    _mark_current(items, request.path)
    return {"nav_items": items}
