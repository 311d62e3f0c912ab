"""seed_demo fills between-sessions data once, and running it again changes nothing."""

import pytest
from django.core.management import call_command

from sessions_app.models import Goal, HomeworkAssignment, JournalEntry, Reminder

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_for_between_sessions():
    call_command("seed_demo", "--quiet-logins")
    counts = [m.objects.count() for m in (HomeworkAssignment, Goal, JournalEntry, Reminder)]
    assert counts[0] == 2 and counts[1] == 2 and counts[2] == 1
    call_command("seed_demo", "--quiet-logins")
    assert counts == [m.objects.count() for m in (HomeworkAssignment, Goal, JournalEntry, Reminder)]
