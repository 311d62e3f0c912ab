"""Create an operator: Duet's own staff, the only accounts Django admin lets in.

Clinic admins, therapists and clients can never be staff (a database constraint refuses
it); an operator exists only because someone with shell access ran this command. The
operator must set up two-step sign-in at first sign-in, and every Django admin request
and change they make lands in the app's audit log.
"""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.audit import audit_record


class Command(BaseCommand):
    help = "Create an operator account (Django admin access, two-step sign-in required)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input (scripts).",
        )

    def handle(self, *args, email: str, full_name: str, password_stdin: bool, **options) -> None:
        email = User.objects.normalize_email(email).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"An account with {email} already exists.")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords do not match.")
        probe = User(email=email, full_name=full_name)
        try:
            password_validation.validate_password(password, probe)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user = User.objects.create_superuser(email=email, password=password, full_name=full_name)
        audit_record(actor=None, action="operator.create", obj=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Operator {email} created. They set up two-step sign-in at first sign-in."
            )
        )
