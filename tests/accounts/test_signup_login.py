import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_now(monkeypatch):
    """Sign-up mails are sent on commit; these tests run inside one transaction."""
    from accounts import services

    monkeypatch.setattr(services.transaction, "on_commit", lambda fn, *a, **k: fn())


GOOD = {
    "full_name": "Sam Carter",
    "display_name": "Sam",
    "email": "Sam@Example.com",
    "password1": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
    "time_zone": "America/Los_Angeles",
}


def _confirm_link(to: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [to])
    return re.search(r"https?://[^/\s]+(/signup/confirm/\S+)", message.body).group(1)


def test_signup_creates_client_with_time_zone_and_logs_in(client):
    response = client.post(reverse("accounts:signup"), GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_sent")
    assert not User.objects.get(email="sam@example.com").is_active  # until the link is opened
    response = client.get(_confirm_link("sam@example.com"))
    assert response["Location"] == reverse("dashboard:dashboard")
    user = User.objects.get(email="sam@example.com")
    assert user.is_active
    assert user.time_zone == "America/Los_Angeles"
    assert user.role == User.Role.CLIENT
    assert user.password.startswith("argon2$")
    dashboard = client.get(reverse("dashboard:dashboard"))
    assert "Hello, Sam" in dashboard.content.decode()


def test_signup_page_fills_time_zone_from_browser_script(client):
    page = client.get(reverse("accounts:signup")).content.decode()
    assert 'src="/static/js/signup.js"' in page
    assert 'id="id_time_zone"' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus_Mons", "Select a valid choice"),
        ("email", "not-an-email", "Enter a valid email address"),
        ("password2", "something-else-entirely", "do not match"),
        ("password1", "short", "too short"),
        ("full_name", "", "required"),
    ],
)
def test_signup_shows_field_errors_in_place_and_keeps_input(client, field, value, message):
    data = {**GOOD, field: value}
    if field == "password1":
        data["password2"] = value
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors[field]
    assert not User.objects.exists()
    if field != "full_name":
        assert 'value="Sam Carter"' in response.content.decode()


def test_signup_does_not_tell_whether_an_email_has_an_account(client, partner_a):
    """The same answer for a taken and a free address; the owner of
    the taken one gets an email instead."""
    taken = client.post(reverse("accounts:signup"), {**GOOD, "email": "A@example.com"})
    free = client.post(reverse("accounts:signup"), {**GOOD, "email": "new@example.com"})
    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"] == reverse("accounts:signup_sent")
    assert "already" not in client.get(taken["Location"]).content.decode()
    owner_mail = next(m for m in mail.outbox if m.to == ["a@example.com"])
    assert (
        "already have an account" in owner_mail.body and "/signup/confirm/" not in owner_mail.body
    )
    partner_a.refresh_from_db()
    assert partner_a.check_password(PASSWORD) and partner_a.full_name == "Sam Carter"
    # The attacker's password does not sign in to the new address before it is confirmed.
    login = client.post("/login/", {"username": "new@example.com", "password": GOOD["password1"]})
    assert login.status_code == 200


def test_a_confirm_link_works_once(client):
    client.post(reverse("accounts:signup"), GOOD)
    link = _confirm_link("sam@example.com")
    assert client.get(link)["Location"] == reverse("dashboard:dashboard")
    client.logout()
    assert client.get(link)["Location"] == reverse("accounts:login")


def test_login_and_logout(client, partner_a):
    response = client.post(
        reverse("accounts:login"), {"username": "a@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard:dashboard")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("dashboard:dashboard")).status_code == 302


def test_login_wrong_password_shows_error(client, partner_a):
    response = client.post(
        reverse("accounts:login"), {"username": "a@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_root_shows_strangers_what_duet_is_and_sends_people_home(client, partner_a):
    page = client.get("/").content.decode()
    for text in ("Privacy", "Terms", reverse("accounts:login"), reverse("accounts:signup")):
        assert text in page
    client.force_login(partner_a)
    assert client.get("/")["Location"] == reverse("dashboard:dashboard")


def test_password_reset_by_email(client, partner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "a@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/password-reset/\S+/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1] if "8000" in link else link
    response = client.get(path, follow=True)
    assert "Choose a new password" in response.content.decode()
    set_url = response.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {"new_password1": "brand-new-passphrase-9", "new_password2": "brand-new-passphrase-9"},
    )
    assert done.status_code == 302
    partner_a.refresh_from_db()
    assert partner_a.check_password("brand-new-passphrase-9")
    # The link works once.
    again = client.get(path, follow=True)
    assert "no longer works" in again.content.decode()


def test_password_reset_unknown_email_does_not_reveal(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "ghost@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


def test_profile_changes_time_zone_and_rejects_unknown(client, partner_a):
    client.force_login(partner_a)
    url = reverse("accounts:profile")
    bad = client.post(url, {"full_name": "Sam Carter", "display_name": "", "time_zone": "Nowhere"})
    assert bad.status_code == 200 and bad.context["form"].errors["time_zone"]
    ok = client.post(
        url, {"full_name": "Sam Carter", "display_name": "Sammy", "time_zone": "Europe/Warsaw"}
    )
    assert ok.status_code == 302
    partner_a.refresh_from_db()
    assert (partner_a.time_zone, partner_a.name) == ("Europe/Warsaw", "Sammy")
