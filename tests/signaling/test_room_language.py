"""What the room's websocket tells a person is in their own language (issue 16)."""

from __future__ import annotations

import pytest
from django.utils import translation

from signaling import room_messages, selectors
from tests.signaling.helpers import Peer, run_async

pytestmark = pytest.mark.django_db(transaction=True)


def _tagged(text: str) -> str:
    """A stand-in gettext that shows which language was active when it ran."""
    return f"[{translation.get_language()}] {text}"


def test_a_refusal_reads_in_the_accounts_language(monkeypatch, booking, partner_a):
    # The refusal is worded on the database thread: the language must travel there.
    partner_a.language = "pl"
    partner_a.save(update_fields=["language"])
    monkeypatch.setattr(selectors, "_", _tagged)

    async def scenario():
        error, closed = await Peer(booking, partner_a, room_id="nope-not-a-room").refused()
        assert (error["code"], closed) == ("no_such_room", 4404)
        assert error["detail"] == "[pl] There is no session room at this address."

    run_async(scenario)


def test_an_error_reads_in_the_accounts_language(monkeypatch, booking, therapist, partner_a):
    partner_a.language = "es"
    partner_a.save(update_fields=["language"])
    monkeypatch.setattr(room_messages, "_", _tagged)

    async def scenario():
        t, pa = Peer(booking, therapist), Peer(booking, partner_a)
        await t.connect()
        await pa.connect()
        await pa.send(type="end")
        error = await pa.expect("error")
        assert (error["code"], error["detail"]) == (
            "not_allowed",
            "[es] Only the therapist can do that.",
        )
        for p in (t, pa):
            await p.leave()

    run_async(scenario)
    assert translation.get_language() != "es"  # nothing leaked out of the consumer
