"""Direct delivery inside one process: the room consumers connected here, by peer and room.

A relay or room event for a consumer in this same process is handed over directly,
without a channel-layer round trip; the layer carries it to the other processes.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from signaling.consumers import RoomConsumer

# This process's consumers, for direct delivery: peer id -> consumer, booking id ->
# consumers in that room. Only touched from the event loop (no locking needed).
PROCESS_ID = uuid.uuid4().hex
LOCAL_PEERS: dict[str, RoomConsumer] = {}
LOCAL_ROOMS: dict[int, set[RoomConsumer]] = {}
