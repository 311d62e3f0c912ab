"""The demo seed enrols therapists and the admin in 2FA so their logins still work."""

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def test_demo_therapist_signs_in_with_password_and_demo_code(capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: still one device each
    out = capsys.readouterr().out
    assert "two-step code" in out and "demo_totp" in out
    call_command("demo_totp")
    codes = dict(line.split(": ") for line in capsys.readouterr().out.splitlines() if "@" in line)
    client = Client()
    response = client.post(
        "/login/", {"username": "dr.hale@riverside.example", "password": "duet-demo-2026"}
    )
    assert response["Location"] == "/login/verify/"
    response = client.post("/login/verify/", {"code": codes["dr.hale@riverside.example"]})
    assert response["Location"] == "/dashboard/"
    assert client.get("/sessions/notes/").status_code == 200
