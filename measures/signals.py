"""Signals other apps listen to (measures may not import them: they sit above it)."""

from django.dispatch import Signal

# Sent with booking=, user=, now= when an answer needs the therapist's attention before
# the session (PHQ-9 item 9 above zero). sessions_app raises its private safety alert.
safety_concern = Signal()
