"""seed_demo gives the demo couple measure history once: the therapist sees both trends
and an alliance split; running it again changes nothing."""

import pytest
from django.core.management import call_command

from accounts.models import User
from measures.models import MeasureResponse
from measures.selectors import couple_for_therapist, couple_measures

pytestmark = pytest.mark.django_db


def test_seed_demo_measures():
    call_command("seed_demo", "--quiet-logins")
    count = MeasureResponse.objects.count()
    assert count > 20
    hale = User.objects.get(email="dr.hale@riverside.example")
    sam = User.objects.get(email="sam@example.com")
    couple = couple_for_therapist(hale, MeasureResponse.objects.first().couple_id)
    view = couple_measures(hale, couple)
    assert "split" in [f.kind for f in view.flags]
    wellbeing = next(s for s in view.by_partner[sam.pk] if s.instrument.slug == "wellbeing")
    assert wellbeing.change == "improved"
    call_command("seed_demo", "--quiet-logins")
    assert MeasureResponse.objects.count() == count
