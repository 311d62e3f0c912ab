"""The shared navigation, by role."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


def _item(label: str, url_name: str, request: HttpRequest) -> dict | None:
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return None
    current = request.path == url or (url != "/" and request.path.startswith(url))
    return {"label": label, "url": url, "current": current}


NAV = {
    "client": [
        ("Home", "accounts:dashboard"),
        ("Find a therapist", "therapists:directory"),
        ("My sessions", "scheduling:my_sessions"),
        ("Between sessions", "sessions_app:hub"),
        ("Progress", "measures:mine"),
        ("Couple", "accounts:couple"),
        ("Messages", "sessions_app:inbox"),
    ],
    "therapist": [
        ("Today", "accounts:dashboard"),
        ("Calendar", "scheduling:calendar"),
        ("Clients", "therapists:clients"),
        ("Directory", "therapists:directory"),
        ("Notes", "sessions_app:notes"),
        ("Messages", "sessions_app:inbox"),
    ],
    "clinic_admin": [
        ("Roster", "accounts:dashboard"),
        ("Overview", "therapists:overview"),
        ("Directory", "therapists:directory"),
        ("Audit log", "accounts:audit_log"),
    ],
    "anonymous": [("Find a therapist", "therapists:directory")],
}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else "anonymous"
    items = [_item(label, name, request) for label, name in NAV.get(role, [])]
    return {"nav_items": [i for i in items if i]}
