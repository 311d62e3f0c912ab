import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.models import CoupleMembership, PartnerInvitation
from accounts.selectors import active_couple_for
from accounts.services import couple_create, partner_invitation_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    # Invitation emails go out on commit; run those callbacks inside the test.
    global _capture
    _capture = django_capture_on_commit_callbacks


def _invite(client, inviter, email="b@example.com"):
    client.force_login(inviter)
    client.post(reverse("accounts:couple_start"))
    with _capture(execute=True):
        response = client.post(reverse("accounts:couple"), {"email": email})
    assert response.status_code == 302, response.content.decode()
    path = re.search(r"https?://[^/\s]+(/invite/[^\s/]+/)", mail.outbox[-1].body).group(1)
    client.logout()
    return path


def test_invite_accept_makes_a_couple_of_two_logins(client, partner_a, partner_b):
    path = _invite(client, partner_a)
    assert mail.outbox[-1].to == ["b@example.com"]
    assert "expires in 7 days" in mail.outbox[-1].body
    # Anonymous visitor sees who invited them and can sign up or log in.
    page = client.get(path).content.decode()
    assert "Join Sam on Duet" in page and "/signup/?next=" in page
    client.force_login(partner_b)
    response = client.post(path)
    assert response.status_code == 302
    couple = active_couple_for(partner_b)
    assert {p.email for p in couple.partners} == {"a@example.com", "b@example.com"}
    assert couple == active_couple_for(partner_a)
    dashboard = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Sam" in dashboard and "Aiko" in dashboard


def test_new_partner_signs_up_from_the_link(client, partner_a):
    path = _invite(client, partner_a, "newbie@example.com")
    signup = reverse("accounts:signup")
    with _capture(execute=True):
        response = client.post(
            f"{signup}?next={path}",
            {
                "full_name": "New Bie",
                "display_name": "",
                "email": "newbie@example.com",
                "password1": "a-long-enough-passphrase",
                "password2": "a-long-enough-passphrase",
                "time_zone": "Asia/Tokyo",
                "next": path,
            },
        )
    assert response["Location"] == reverse("accounts:signup_sent")
    body = next(m for m in reversed(mail.outbox) if m.to == ["newbie@example.com"]).body
    confirm = re.search(r"https?://[^/\s]+(/signup/confirm/\S+)", body).group(1)
    # Confirming the account made from the invitation is the yes: no second "Accept".
    assert client.get(confirm)["Location"] == reverse("dashboard:dashboard")
    assert len(active_couple_for(partner_a).partners) == 2


def test_reused_link_is_refused_with_explanation(client, partner_a, partner_b):
    path = _invite(client, partner_a)
    client.force_login(partner_b)
    client.post(path)
    client.post(reverse("accounts:couple_leave"), {"confirm": "yes"})
    response = client.get(path)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_expired_link_is_refused(client, partner_a, partner_b):
    path = _invite(client, partner_a)
    PartnerInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(partner_b)
    response = client.post(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert active_couple_for(partner_b) is None


def test_signature_older_than_seven_days_is_refused(client, partner_a, partner_b, monkeypatch):
    path = _invite(client, partner_a)
    real_time = __import__("time").time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() + 8 * 86400)
    client.force_login(partner_b)
    assert client.get(path).status_code == 410


def test_tampered_link_is_refused(client, partner_a, partner_b):
    path = _invite(client, partner_a)
    client.force_login(partner_b)
    response = client.get(path[:-3] + "xx/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_link_opened_by_the_wrong_account(client, partner_a, other_partner):
    path = _invite(client, partner_a)
    client.force_login(other_partner)
    response = client.post(path)
    assert response.status_code == 403
    page = response.content.decode()
    assert "different email address" in page and "Log out and continue" in page
    assert active_couple_for(other_partner) is None
    assert PartnerInvitation.objects.get().accepted_at is None


def test_person_already_in_a_couple_cannot_accept(client, partner_a, partner_b, other_couple):
    other = other_couple.partners[0]
    path = _invite(client, partner_a, other.email)
    client.force_login(other)
    response = client.post(path)
    assert response.status_code == 409
    assert "already in a couple" in response.content.decode()


def test_newer_invitation_replaces_older(client, partner_a, partner_b):
    first = _invite(client, partner_a)
    client.force_login(partner_a)
    with _capture(execute=True):
        client.post(reverse("accounts:couple"), {"email": "b@example.com"})
    client.force_login(partner_b)
    response = client.get(first)
    assert response.status_code == 410 and "replaced" in response.content.decode()


def test_invite_form_errors(client, partner_a):
    client.force_login(partner_a)
    client.post(reverse("accounts:couple_start"))
    response = client.post(reverse("accounts:couple"), {"email": "a@example.com"})
    assert "not your own" in response.content.decode()
    response = client.post(reverse("accounts:couple"), {"email": "nope"})
    assert "valid email" in response.content.decode()
    assert not PartnerInvitation.objects.exists()


def test_leave_couple_keeps_other_partner(client, couple, partner_a, partner_b):
    client.force_login(partner_a)
    response = client.post(reverse("accounts:couple_leave"))
    assert response.status_code == 302 and active_couple_for(partner_a) == couple  # unconfirmed
    response = client.post(reverse("accounts:couple_leave"), {"confirm": "yes"})
    assert response.status_code == 302
    assert active_couple_for(partner_a) is None
    assert active_couple_for(partner_b) == couple
    assert CoupleMembership.objects.filter(user=partner_a, left_at__isnull=False).exists()


def test_couple_never_has_a_third_partner(couple):
    third = make_user("c@example.com", "Third Person")
    with pytest.raises(IntegrityError):
        CoupleMembership.objects.create(couple=couple, user=third, seat=1)


def test_invite_to_full_couple_is_refused(couple, partner_a):
    from core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        partner_invitation_create(
            couple=couple, invited_by=partner_a, email="c@example.com", now=timezone.now()
        )
    assert exc.value.code == "couple_full"


def test_one_active_couple_per_person(partner_a):
    from core.errors import DomainError

    couple_create(user=partner_a, now=timezone.now())
    with pytest.raises(DomainError) as exc:
        couple_create(user=partner_a, now=timezone.now())
    assert exc.value.code == "already_in_couple"


def test_therapist_cannot_start_a_couple(client, therapist):
    client.force_login(therapist)
    assert client.post(reverse("accounts:couple_start")).status_code == 403


def test_leaving_warns_about_booked_sessions_and_tells_the_therapist(
    client, couple, partner_a, therapist, clinic
):
    from datetime import timedelta

    from django.utils import timezone

    from scheduling.models import Booking
    from sessions_app.models import Notification

    start = timezone.now() + timedelta(days=2)
    Booking.objects.create(
        therapist=therapist, couple=couple, clinic=clinic, starts_at=start,
        ends_at=start + timedelta(minutes=50), status="confirmed",
    )  # fmt: skip
    client.force_login(partner_a)
    page = client.get(reverse("accounts:couple")).content.decode()
    assert 'data-testid="leave-booked"' in page and "1 booked session" in page
    client.post(reverse("accounts:couple_leave"), {"confirm": "yes"})
    told = Notification.objects.get(user=therapist)
    assert "left their couple" in told.title and "1 booked session" in told.title
