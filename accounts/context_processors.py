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
        ("Home", "dashboard:dashboard"),
        ("Find a therapist", "therapists:directory"),
        ("My sessions", "scheduling:my_sessions"),
        ("Between sessions", "sessions_app:hub"),
        ("Couple", "accounts:couple"),
        ("Messages", "messaging:inbox"),
        ("Forms & safety", "intake:home"),  # issue 15
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
        ("Intake documents", "intake:clinic_documents"),  # issue 15
    ],
    "anonymous": [("Find a therapist", "therapists:directory")],
}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else "anonymous"
    items = [_item(label, name, request) for label, name in NAV.get(role, [])]
    return {"nav_items": [i for i in items if i]}
