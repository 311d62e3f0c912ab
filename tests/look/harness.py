"""What a person sees: the page catalogue, the checks, and logging in by cookie.

Shared by the "tests that look" (test_pages_look.py, test_room_look.py) and by
``make screenshots`` (screenshots.py), so a page added here is both checked and shown.
Data comes from ``seed_demo``: the same clinic, therapists and couple a visitor tries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_URL = "/static/vendor/axe-core/axe.min.js"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
ROLES = ("anonymous", "client", "therapist", "clinic_admin")
DEMO_EMAILS = {
    "client": "sam@example.com",
    "partner": "aiko@example.com",
    "therapist": "dr.hale@riverside.example",
    "clinic_admin": "admin@riverside.example",
}


@dataclass(frozen=True)
class Page:
    role: str
    name: str
    path: str


def _model(name: str):
    """Find a model by class name wherever it lives (apps move; pages stay)."""
    from django.apps import apps

    return next(m for m in apps.get_models() if m.__name__ == name)


def demo_user(role: str):
    from accounts.models import User

    return User.objects.get(email=DEMO_EMAILS[role])


def seed() -> None:
    from django.core.management import call_command

    call_command("seed_demo", quiet_logins=True)


def catalogue() -> list[Page]:
    """Every page of every role, with real ids from the demo data."""
    from django.utils import timezone

    Booking = _model("Booking")
    therapist, client = demo_user("therapist"), demo_user("client")
    profile = _model("TherapistProfile").objects.get(user=therapist)
    couple = _model("CoupleMembership").objects.get(user=client, left_at__isnull=True).couple
    now = timezone.now()
    soon = (
        Booking.objects.filter(
            couple=couple, therapist=therapist, format="video", status="confirmed", ends_at__gt=now
        )
        .order_by("starts_at")
        .first()
    )
    later = (
        Booking.objects.filter(
            couple=couple, status="confirmed", starts_at__gt=now + timedelta(hours=2)
        )
        .order_by("starts_at")
        .first()
        or soon
    )
    membership = _model("ClinicMembership").objects.get(user=therapist, role="therapist")
    note = _model("SessionNote").objects.filter(therapist=therapist).order_by("-pk").first()
    thread = _model("Thread").objects.filter(couple=couple).first()
    homework = _model("HomeworkAssignment").objects.filter(couple=couple).first()
    pages = [
        Page("anonymous", "home", "/"),
        Page("anonymous", "login", "/login/"),
        Page("anonymous", "signup", "/signup/"),
        Page("anonymous", "password-reset", "/password-reset/"),
        Page("anonymous", "directory", "/therapists/"),
        Page("anonymous", "therapist-profile", f"/therapists/{profile.pk}/"),
        Page("client", "dashboard", "/dashboard/"),
        Page("client", "directory", "/therapists/"),
        Page("client", "therapist-profile", f"/therapists/{profile.pk}/"),
        Page("client", "book", f"/scheduling/book/{therapist.pk}/"),
        Page("client", "my-sessions", "/scheduling/mine/"),
        Page("client", "session", f"/scheduling/sessions/{later.pk}/"),
        Page("client", "reschedule", f"/scheduling/sessions/{later.pk}/reschedule/"),
        Page("client", "sessions-hub", "/sessions/"),
        Page("client", "homework", "/sessions/homework/"),
        Page("client", "journal", "/sessions/journal/"),
        Page("client", "goals", "/sessions/goals/"),
        Page("client", "notifications", "/sessions/notifications/"),
        Page("client", "messages", "/sessions/messages/"),
        Page("client", "reminders", "/sessions/settings/reminders/"),
        Page("client", "windows", "/scheduling/windows/"),
        Page("client", "couple", "/couple/"),
        Page("client", "profile", "/profile/"),
        Page("client", "security", "/account/security/"),
        Page("client", "your-data", "/account/data/"),
        Page("client", "tech-check", "/rooms/tech-check/"),
        Page("client", "room", f"/rooms/{soon.room_id}/"),
        Page("therapist", "dashboard", "/dashboard/"),
        Page("therapist", "calendar", "/scheduling/calendar/"),
        Page("therapist", "clients", "/therapists/clients/"),
        Page("therapist", "profile-edit", f"/therapists/{profile.pk}/edit/"),
        Page("therapist", "session", f"/scheduling/sessions/{later.pk}/"),
        Page("therapist", "notes", "/sessions/notes/"),
        Page("therapist", "messages", "/sessions/messages/"),
        Page("therapist", "room", f"/rooms/{soon.room_id}/"),
        Page("clinic_admin", "dashboard", "/dashboard/"),
        Page("clinic_admin", "overview", "/therapists/overview/"),
        Page("clinic_admin", "directory", "/therapists/"),
        Page("clinic_admin", "roster-therapist", f"/therapists/roster/{membership.pk}/"),
        Page("clinic_admin", "invite", "/therapists/roster/invite/"),
        Page("clinic_admin", "assign", "/therapists/roster/assign/"),
        Page("clinic_admin", "change-log", "/therapists/roster/log/"),
        Page(
            "clinic_admin",
            "clinic-settings",
            f"/therapists/clinic/{membership.clinic_id}/settings/",
        ),
        Page("clinic_admin", "clinic-notes", "/sessions/notes/clinic/"),
        Page("clinic_admin", "audit", "/account/audit/"),
    ]
    if note:
        pages.append(Page("therapist", "note", f"/sessions/notes/{note.pk}/"))
    if thread:
        pages.append(Page("client", "thread", f"/sessions/messages/{thread.pk}/"))
        pages.append(Page("therapist", "thread", f"/sessions/messages/{thread.pk}/"))
    if homework:
        pages.append(Page("client", "homework-detail", f"/sessions/homework/{homework.pk}/"))
    return pages


def session_cookie(role: str, base: str) -> list[dict]:
    """A signed-in session for the demo person of ``role`` (no password or TOTP typing:
    the login pages have their own tests)."""
    if role == "anonymous":
        return []
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(demo_user(role))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": base}]


# One script, run in the page: overflow, landmark + h1 placement, hidden things shown.
LAYOUT_CHECK = (Path(__file__).parent / "layout_check.js").read_text()

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => ['critical', 'serious'].includes(v.impact)).map(v =>
    `axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length}x, e.g. ${v.nodes[0].target.join(' ')})`);
}"""


def load_axe(page) -> None:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # A <script src> from our own origin: allowed by the page's CSP (an inline
        # script would not be).
        page.add_script_tag(url=AXE_URL)


def look(page, *, axe: bool = True) -> list[str]:
    """Everything a person would notice is wrong with the page as it is now."""
    problems = list(page.evaluate(LAYOUT_CHECK))
    if axe:
        load_axe(page)
        problems += page.evaluate(AXE_RUN)
    return problems


def walk(browser, base: str, pages: list[Page], size: str, cookies: list[dict], check) -> dict:
    """Open each page in one Chromium context at ``size`` and collect ``check(page)``'s
    problems per path (pages that answer an error fail at once)."""
    width, height = SIZES[size]
    ctx = browser.new_context(
        viewport={"width": width, "height": height}, permissions=["camera", "microphone"]
    )
    ctx.set_default_timeout(20_000)
    ctx.add_cookies(cookies)
    page = ctx.new_page()
    found: dict[str, list[str]] = {}
    try:
        for p in pages:
            response = page.goto(base + p.path, wait_until="load")
            assert response is not None and response.status < 400, (
                f"{p.path}: {response and response.status}"
            )
            problems = check(page)
            if problems:
                found[p.path] = problems
    finally:
        ctx.close()
    return found


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}:\n  " + "\n  ".join(probs) for path, probs in found.items())
