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
    under = [i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))]
    if under:
        max(under, key=lambda i: len(i["url"]))["current"] = True


NAV = {
    "client": [
        ("Home", "accounts:dashboard"),
        ("Find a therapist", "therapists:directory"),
        ("My sessions", "scheduling:my_sessions"),
        ("Between sessions", "sessions_app:hub"),
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
    items = [i for i in (_item(label, name) for label, name in NAV.get(role, [])) if i]
    _mark_current(items, request.path)
    return {"nav_items": items}
