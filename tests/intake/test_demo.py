"""seed_demo gives the demo clinic its four documents and the demo couple their intake."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_seed_demo_seeds_intake_idempotently():
    from accounts.models import User
    from intake import selectors
    from intake.models import DocumentVersion, Signature
    from therapists.models import Clinic

    call_command("seed_demo", "--quiet-logins")
    call_command("seed_demo", "--quiet-logins")
    clinic = Clinic.objects.get(slug="riverside")
    assert DocumentVersion.objects.filter(document__clinic=clinic).count() == 4
    aiko = User.objects.get(email="aiko@example.com")
    assert selectors.unsigned_versions(aiko, clinic.pk) == []
    assert Signature.objects.filter(signer=aiko).count() == 4
    assert selectors.safety_of(aiko).contact_name == "Kenji Tanaka"
    assert selectors.home_place_of(aiko) == ("JP", "")
