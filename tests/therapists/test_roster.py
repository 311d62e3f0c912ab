"""Clinics and rosters: invitations, (de)activation, assignments, the change log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.invitations import invitation_link
from accounts.models import User
from core.errors import Conflict, DomainError, Forbidden
from tests.therapists.conftest import book
from therapists import services
from therapists.models import (
    ClinicMembership,
    CoupleAssignment,
    RosterChange,
    TherapistInvitation,
)
from therapists.selectors import (
    is_bookable,
    roster_rows,
    therapist_clients,
)

pytestmark = pytest.mark.django_db


def test_invitation_creates_a_therapist_account_and_attaches_it(
    client, clinic, clinic_admin, django_capture_on_commit_callbacks
):
    client.force_login(clinic_admin)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/therapists/roster/invite/",
            {"email": "New.Therapist@example.com", "full_name": "Noa Newman"},
        )
    assert sent.status_code == 302
    assert mail.outbox[-1].to == ["new.therapist@example.com"]
    assert "Riverside" in mail.outbox[-1].subject
    link = re.search(r"http://\S+/therapists/join/\S+/", mail.outbox[-1].body).group(0)
    path = re.sub(r"^http://[^/]+", "", link)
    client.logout()
    page = client.get(path)
    assert page.status_code == 200 and "Join Riverside" in page.content.decode()
    bad = client.post(
        path,
        {"full_name": "Noa Newman", "password1": "short", "password2": "short", "time_zone": "UTC"},
    )
    assert bad.status_code == 422
    assert not User.objects.filter(email="new.therapist@example.com").exists()
    response = client.post(
        path,
        {
            "full_name": "Noa Newman",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "time_zone": "Europe/Warsaw",
        },
    )
    assert response.status_code == 302 and response.url == "/therapists/me/"
    user = User.objects.get(email="new.therapist@example.com")
    assert user.is_therapist and user.time_zone == "Europe/Warsaw"
    assert ClinicMembership.objects.get(user=user).clinic == clinic
    assert user.therapist_profile.clinic == clinic
    actions = list(RosterChange.objects.order_by("at", "id").values_list("action", flat=True))
    assert actions == ["invited", "joined"]
    # Single use.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410 and "already been used" in again.content.decode()


def test_existing_therapist_accepts_after_logging_in(client, clinic, clinic_admin, settings):
    from tests.factories import make_user

    free = make_user("free@example.com", "Free Agent", role="therapist")
    invitation = services.therapist_invitation_create(
        clinic=clinic, invited_by=clinic_admin, email="FREE@example.com", now=timezone.now()
    )
    token = invitation_link(invitation).rsplit("/join/", 1)[1].strip("/")
    path = f"/therapists/join/{token}/"
    assert "Log in to accept" in client.get(path).content.decode()
    assert client.post(path).url.startswith("/login/")
    client.force_login(free)
    assert client.post(path).status_code == 302
    assert ClinicMembership.objects.filter(user=free, clinic=clinic, is_active=True).exists()


def test_expired_invitation_says_so_and_changes_nothing(client, clinic, clinic_admin):
    past = timezone.now() - timedelta(days=30)
    invitation = services.therapist_invitation_create(
        clinic=clinic, invited_by=clinic_admin, email="late@example.com", now=past
    )
    token = invitation_link(invitation).rsplit("/join/", 1)[1].strip("/")
    response = client.get(f"/therapists/join/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    post = client.post(
        f"/therapists/join/{token}/",
        {
            "full_name": "Late",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "time_zone": "UTC",
        },
    )
    assert post.status_code == 410
    assert not User.objects.filter(email="late@example.com").exists()
    assert TherapistInvitation.objects.get().accepted_at is None


def test_tampered_or_wrong_user_links_are_refused(client, clinic, clinic_admin, partner_a):
    assert client.get("/therapists/join/not-a-token/").status_code == 404
    invitation = services.therapist_invitation_create(
        clinic=clinic, invited_by=clinic_admin, email="someone@example.com", now=timezone.now()
    )
    token = invitation_link(invitation).rsplit("/join/", 1)[1].strip("/")
    client.force_login(partner_a)
    response = client.get(f"/therapists/join/{token}/")
    assert response.status_code == 403 and "someone@example.com" in response.content.decode()


def test_new_invitation_replaces_the_old_link(clinic, clinic_admin):
    first = services.therapist_invitation_create(
        clinic=clinic, invited_by=clinic_admin, email="x@example.com", now=timezone.now()
    )
    services.therapist_invitation_create(
        clinic=clinic, invited_by=clinic_admin, email="x@example.com", now=timezone.now()
    )
    token = invitation_link(first).rsplit("/join/", 1)[1].strip("/")
    with pytest.raises(DomainError) as info:
        services.therapist_invitation_check(token=token, user=None, now=timezone.now())
    assert info.value.code == "revoked"


def test_invite_refuses_clients_members_and_other_admins(
    client, clinic, clinic_admin, other_admin, partner_a, therapist
):
    with pytest.raises(Conflict):
        services.therapist_invitation_create(
            clinic=clinic, invited_by=clinic_admin, email=partner_a.email, now=timezone.now()
        )
    with pytest.raises(Conflict):
        services.therapist_invitation_create(
            clinic=clinic, invited_by=clinic_admin, email=therapist.email, now=timezone.now()
        )
    with pytest.raises(Forbidden):
        services.therapist_invitation_create(
            clinic=clinic, invited_by=other_admin, email="y@example.com", now=timezone.now()
        )
    client.force_login(clinic_admin)
    page = client.post("/therapists/roster/invite/", {"email": partner_a.email})
    assert page.status_code == 422 and "client or admin account" in page.content.decode()


def test_deactivate_hides_profile_blocks_booking_and_lists_future_sessions(
    client, clinic_admin, therapist, couple
):
    from tests.therapists.conftest import open_session_type

    open_session_type(therapist)
    start = timezone.now() + timedelta(days=3)
    book(therapist, couple, start)
    membership = ClinicMembership.objects.get(user=therapist)
    profile_url = f"/therapists/{therapist.therapist_profile.pk}/"
    assert client.get(profile_url).status_code == 200 and is_bookable(therapist)
    client.force_login(clinic_admin)
    response = client.post(f"/therapists/roster/{membership.pk}/deactivate/", follow=True)
    page = response.content.decode()
    assert "is deactivated" in page and "1 upcoming session" in page
    assert 'data-testid="future-sessions"' in page and "Sam &amp; Aiko" in page
    assert not is_bookable(therapist)
    client.logout()
    assert client.get(profile_url).status_code == 404
    client.force_login(clinic_admin)
    roster = client.get("/dashboard/").content.decode()
    assert "Deactivated" in roster and "1 to reassign" in roster
    client.post(f"/therapists/roster/{membership.pk}/reactivate/")
    assert is_bookable(therapist)
    actions = list(RosterChange.objects.order_by("id").values_list("action", "actor"))
    assert actions == [("deactivated", clinic_admin.pk), ("reactivated", clinic_admin.pk)]


def test_deactivating_twice_is_a_clear_message(clinic_admin, therapist):
    membership = ClinicMembership.objects.get(user=therapist)
    services.therapist_deactivate(membership=membership, by=clinic_admin, now=timezone.now())
    with pytest.raises(Conflict, match="already deactivated"):
        services.therapist_deactivate(membership=membership, by=clinic_admin, now=timezone.now())


def test_assign_then_transfer_keeps_history(
    client, clinic, clinic_admin, therapist, couple, partner_a
):
    from tests.therapists.conftest import add_therapist

    second = add_therapist(clinic, "second@example.com", "Second Therapist").user
    book(therapist, couple, timezone.now() - timedelta(days=2), status="completed", clinic=clinic)
    client.force_login(clinic_admin)
    page = client.get("/therapists/roster/assign/").content.decode()
    assert "Sam &amp; Aiko" in page
    r = client.post(
        "/therapists/roster/assign/",
        {"couple": couple.pk, "therapist": therapist.pk, "note": "intake"},
    )
    assert r.status_code == 302
    r = client.post("/therapists/roster/assign/", {"couple": couple.pk, "therapist": second.pk})
    assert r.status_code == 302
    rows = list(CoupleAssignment.objects.order_by("started_at", "id"))
    assert [a.therapist for a in rows] == [therapist, second]
    assert rows[0].ended_at is not None and rows[0].ended_by == clinic_admin
    assert rows[1].ended_at is None
    log = list(RosterChange.objects.order_by("id").values_list("action", flat=True))
    assert log == ["assigned", "transferred"]
    assert (
        "from Elena Hale to Second Therapist" in RosterChange.objects.order_by("id").last().summary
    )
    # Same therapist again: a clear message, nothing written.
    again = client.post("/therapists/roster/assign/", {"couple": couple.pk, "therapist": second.pk})
    assert again.status_code == 422 and "already with" in again.content.decode()
    assert CoupleAssignment.objects.count() == 2
    # The new therapist sees the couple; the old one still does through the booking.
    assert couple in therapist_clients(second)
    assert couple in therapist_clients(therapist)


def test_assign_refuses_couples_and_therapists_of_other_clinics(
    clinic, clinic_admin, other_admin, therapist, other_therapist, couple, other_couple
):
    book(therapist, couple, timezone.now() - timedelta(days=1), clinic=clinic)
    with pytest.raises(DomainError):
        services.couple_assign(
            clinic=clinic,
            couple=couple,
            therapist=other_therapist,
            by=clinic_admin,
            now=timezone.now(),
        )
    with pytest.raises(DomainError) as info:
        services.couple_assign(
            clinic=clinic,
            couple=other_couple,
            therapist=therapist,
            by=clinic_admin,
            now=timezone.now(),
        )
    assert info.value.code == "unknown_couple"
    with pytest.raises(Forbidden):
        services.couple_assign(
            clinic=clinic, couple=couple, therapist=therapist, by=other_admin, now=timezone.now()
        )
    assert not CoupleAssignment.objects.exists() and not RosterChange.objects.exists()


def test_assign_form_rejects_unknown_ids(client, clinic_admin, therapist):
    client.force_login(clinic_admin)
    r = client.post("/therapists/roster/assign/", {"couple": 999999, "therapist": therapist.pk})
    assert r.status_code == 422 and "Select a valid choice" in r.content.decode()


def test_change_log_is_append_only(clinic, clinic_admin):
    change = RosterChange.objects.create(
        clinic=clinic, actor=clinic_admin, action="invited", summary="x"
    )
    with pytest.raises(TypeError):
        change.summary = "rewritten"
        change.save()
    with pytest.raises(TypeError):
        change.delete()
    with pytest.raises(TypeError):
        RosterChange.objects.filter(pk=change.pk).update(summary="y")
    with pytest.raises(TypeError):
        RosterChange.objects.all().delete()
    assert RosterChange.objects.get().summary == "x"


def test_change_log_page_shows_who_and_when(client, clinic_admin, other_admin, therapist):
    membership = ClinicMembership.objects.get(user=therapist)
    services.therapist_set_weekly_hours(
        membership=membership, by=clinic_admin, hours=20, now=timezone.now()
    )
    client.force_login(clinic_admin)
    page = client.get("/therapists/roster/log/").content.decode()
    assert "Morgan Reyes set Elena Hale&#x27;s weekly hours to 20" in page
    client.force_login(other_admin)
    assert "Elena Hale" not in client.get("/therapists/roster/log/").content.decode()


def test_weekly_hours_validation(client, clinic_admin, therapist):
    membership = ClinicMembership.objects.get(user=therapist)
    client.force_login(clinic_admin)
    r = client.post(f"/therapists/roster/{membership.pk}/hours/", {"hours": "-3"}, follow=True)
    assert "greater than or equal to 0" in r.content.decode()
    membership.refresh_from_db()
    assert membership.weekly_hours is None


def test_roster_rows_count_this_week_in_clinic_zone(clinic, clinic_admin, therapist, couple):
    # Wednesday 25 Nov 2026, noon in Los Angeles.
    now = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    membership = ClinicMembership.objects.get(user=therapist)
    membership.weekly_hours = 10
    membership.save()
    # Monday 23 Nov 00:30 LA = 08:30 UTC: this week. Sunday 22 Nov 23:00 LA: last week.
    book(therapist, couple, datetime(2026, 11, 23, 8, 30, tzinfo=UTC), status="completed")
    book(therapist, couple, datetime(2026, 11, 23, 7, 0, tzinfo=UTC), status="completed")
    book(therapist, couple, datetime(2026, 11, 27, 18, 0, tzinfo=UTC), minutes=100)
    book(therapist, couple, datetime(2026, 11, 26, 18, 0, tzinfo=UTC), status="cancelled")
    [row] = roster_rows(clinic_admin, now=now)
    assert row.sessions_this_week == 2
    assert row.booked_hours == pytest.approx(2.5, abs=0.05)
    assert row.free_hours == pytest.approx(7.5, abs=0.05)
    assert row.utilization_percent == 25
    assert row.active_couples == 1 and row.future_sessions == 1


def test_roster_without_agreed_hours_shows_booked_hours_only(clinic_admin, therapist):
    [row] = roster_rows(clinic_admin, now=timezone.now())
    assert row.free_hours is None and row.utilization is None and row.active_couples == 0


def test_roster_query_count_is_bounded(
    client, clinic, clinic_admin, couple, django_assert_max_num_queries
):
    from tests.therapists.conftest import add_therapist

    client.force_login(clinic_admin)
    add_therapist(clinic, "r0@example.com", "R 0")
    with django_assert_max_num_queries(12) as small:
        client.get("/dashboard/")
    for i in range(1, 15):
        t = add_therapist(clinic, f"r{i}@example.com", f"R {i}").user
        book(t, couple, timezone.now() + timedelta(hours=i))
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get("/dashboard/").content.decode()
    assert page.count('data-testid="roster-row"') == 15


def test_clinic_settings_are_edited_by_its_admin_and_logged(
    client, clinic, clinic_admin, other_admin, therapist
):
    url = f"/therapists/clinic/{clinic.pk}/settings/"
    data = {
        "name": "Riverside",
        "time_zone": "America/Los_Angeles",
        "late_cancel_hours": "48",
        "late_cancel_fee": "75",
        "currency": "USD",
        "private_messages": "shared",
    }
    client.force_login(other_admin)
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    client.force_login(therapist)
    assert client.get(url).status_code == 403
    client.force_login(clinic_admin)
    assert client.post(url, data).status_code == 302
    clinic.refresh_from_db()
    assert (clinic.late_cancel_hours, clinic.private_messages) == (48, "shared")
    assert not clinic.serves_outside_license
    change = RosterChange.objects.get()
    assert change.action == "settings_changed" and "late cancel hours" in change.summary
    bad = client.post(url, {**data, "late_cancel_fee": "-1", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "Mars/Olympus" in page and "greater than or equal to 0" in page
    clinic.refresh_from_db()
    assert clinic.late_cancel_fee == 75 and RosterChange.objects.count() == 1
