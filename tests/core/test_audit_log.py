"""The audit log: append-only, records denials and roster changes, viewable per clinic."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from core.audit import audit_record
from core.models import AuditEvent
from therapists.models import ClinicMembership

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def test_the_app_cannot_change_or_delete_entries(partner_a):
    event = audit_record(actor=partner_a, action="test.event")
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.services
def test_postgres_rejects_update_and_delete_even_in_raw_sql(partner_a):
    event = audit_record(actor=partner_a, action="test.event")
    for sql in (
        "UPDATE core_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_forbidden_requests_are_recorded_with_who_and_where(client, partner_a):
    client.force_login(partner_a)
    assert client.get("/therapists/overview/", REMOTE_ADDR="198.51.100.23").status_code == 403
    event = AuditEvent.objects.get(action="authz.denied")
    assert event.actor_id == partner_a.pk and event.outcome == "denied"
    assert event.ip == "198.51.100.23" and event.path == "/therapists/overview/"
    assert event.at.utcoffset().total_seconds() == 0


def test_roster_changes_are_recorded_with_the_acting_admin(client, clinic, clinic_admin):
    from tests.factories import make_user

    newcomer = make_user("new-therapist@example.com", "New Therapist", role="therapist")
    membership = ClinicMembership.objects.create(clinic=clinic, user=newcomer, role="therapist")
    membership.is_active = False
    membership.save()
    actions = list(
        AuditEvent.objects.filter(clinic_id=clinic.pk, object_type="therapists.clinicmembership")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["roster.add", "roster.change"]


def test_admin_sees_and_filters_only_their_clinic(
    client, clinic, other_clinic, clinic_admin, other_admin, therapist, other_therapist
):
    audit_record(actor=therapist, action="sessionnote.read", clinic_id=clinic.pk)
    audit_record(actor=other_therapist, action="sessionnote.read", clinic_id=other_clinic.pk)
    audit_record(actor=therapist, action="message.create", clinic_id=clinic.pk)
    client.force_login(clinic_admin)
    page = client.get("/account/audit/").content.decode()
    assert therapist.email in page and other_therapist.email not in page
    filtered = client.get("/account/audit/", {"action": "message"}).content.decode()
    assert "message.create" in filtered and "sessionnote.read" not in filtered
    by_person = client.get("/account/audit/", {"actor": "nobody-like-this"}).content.decode()
    assert "No events match" in by_person


@pytest.mark.parametrize("persona", ["partner_a", "therapist", "other_partner"])
def test_only_clinic_admins_open_the_log(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/account/audit/").status_code == 403


def test_api_audit_is_for_clinic_admins_of_that_clinic(
    client, clinic, other_clinic, clinic_admin, therapist, partner_a
):
    audit_record(actor=therapist, action="sessionnote.read", clinic_id=clinic.pk)
    audit_record(actor=therapist, action="sessionnote.read", clinic_id=other_clinic.pk)
    client.force_login(clinic_admin)
    rows = client.get("/api/accounts/audit", {"action": "sessionnote"}).json()
    assert len(rows) == 1 and rows[0]["actor_label"] == therapist.email
    client.force_login(partner_a)
    response = client.get("/api/accounts/audit")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_api_security_status(client, partner_a):
    client.force_login(partner_a)
    body = client.get("/api/accounts/security").json()
    assert body == {
        "two_factor_enabled": False,
        "two_factor_required": False,
        "recovery_codes_left": 0,
        "idle_timeout_minutes": 30,
    }
