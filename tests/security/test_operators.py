"""Clinic admins are not Django superusers; operators are made by a command and every
admin action is in the app's audit log."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.models import User
from core.models import AuditEvent
from tests.security.planting import plant
from tests.security.test_authorization_sweep import http_urls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def test_a_clinic_admin_can_never_be_staff_or_superuser(clinic_admin):
    clinic_admin.is_staff = clinic_admin.is_superuser = True
    with pytest.raises(IntegrityError), transaction.atomic():
        clinic_admin.save()


def test_the_seeded_clinic_admin_is_not_a_superuser(settings, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    admin = User.objects.get(email="admin@riverside.example")
    assert admin.role == "clinic_admin" and not admin.is_staff and not admin.is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(role="operator").exists()


def test_create_operator_makes_a_staff_account_that_must_enrol_2fa(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-operator-passphrase\n"))
    out = io.StringIO()
    call_command(
        "create_operator",
        "--email",
        "Op@Duet.example",
        "--full-name",
        "Olu Op",
        "--password-stdin",
        stdout=out,
    )
    op = User.objects.get(email="op@duet.example")
    assert op.role == "operator" and op.is_staff and op.is_superuser
    assert op.check_password("a-long-operator-passphrase")
    assert AuditEvent.objects.filter(action="operator.create", object_id=str(op.pk)).exists()
    from accounts import twofactor

    assert twofactor.requires_2fa(op)


def test_clinic_admin_in_django_admin_persona_reads_nothing(
    couple, partner_a, partner_b, therapist, clinic, clinic_admin, other_couple, capsys
):
    """The "clinic admin in Django admin" persona: every admin URL, filled with one
    couple's ids, is refused, and no planted marker appears."""
    planted = plant(
        couple=couple, partner_a=partner_a, partner_b=partner_b, therapist=therapist, clinic=clinic
    )
    client = Client(raise_request_exception=False)
    client.force_login(clinic_admin)
    urls = [u for u in http_urls(planted) if u.startswith("/admin/")]
    assert len(urls) > 20
    opened, leaks = [], []
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            opened.append(url)
        body = response.content.decode(errors="replace")
        leaks += [m for m in planted.markers if m in body]
    # Setting a client's password (then signing in as them) is one of those URLs.
    target = f"/admin/accounts/user/{partner_a.pk}/password/"
    response = client.post(target, {"password1": "pw-" * 6, "password2": "pw-" * 6})
    assert response.status_code in (302, 403) and "/admin/login" in response.get(
        "Location", "/admin/login"
    )
    partner_a.refresh_from_db()
    assert not partner_a.check_password("pw-" * 6)
    with capsys.disabled():
        print(
            f"\nclinic admin in Django admin: {len(urls)} urls, "
            f"opened {len(opened)}, leaks {len(leaks)}"
        )
    assert opened == [] and leaks == []


def test_every_admin_action_of_an_operator_is_audited(client, partner_a):
    op = User.objects.create_superuser(email="op@duet.example", password="x" * 12)
    client.force_login(op)
    client.get(f"/admin/accounts/user/{partner_a.pk}/change/")
    client.post(
        f"/admin/accounts/user/{partner_a.pk}/password/",
        {"password1": "Another-long-pass-1", "password2": "Another-long-pass-1"},
    )
    partner_a.refresh_from_db()
    assert partner_a.check_password("Another-long-pass-1")
    actions = set(AuditEvent.objects.filter(actor_id=op.pk).values_list("action", flat=True))
    assert {"admin.request", "admin.change"} <= actions
    change = AuditEvent.objects.get(actor_id=op.pk, action="admin.change")
    assert change.object_type == "accounts.user" and change.object_id == str(partner_a.pk)
