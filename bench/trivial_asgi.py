"""The CPU baseline of bench/signaling.py: a trivial Channels consumer on Daphne.

Same stack as the room consumer (ProtocolTypeRouter, AllowedHostsOriginValidator,
AuthMiddlewareStack, URLRouter, AsyncWebsocketConsumer) but it does the least a relay
can: parse JSON, stamp ``from``, hand it to the addressed socket in this process.

    daphne bench.trivial_asgi:application   (DJANGO_SETTINGS_MODULE=bench.signaling_settings)
"""

import json
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.signaling_settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

PEERS: dict[str, AsyncWebsocketConsumer] = {}


class TrivialRelay(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.peer_id = self.scope["url_route"]["kwargs"]["peer_id"]
        PEERS[self.peer_id] = self
        await self.accept()

    async def disconnect(self, code: int) -> None:
        PEERS.pop(self.peer_id, None)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        msg = json.loads(text_data)
        msg["from"] = self.peer_id
        target = PEERS.get(msg.get("to"))
        if target is not None:
            await target.send(text_data=json.dumps(msg))


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(
                URLRouter([path("ws/trivial/<str:peer_id>/", TrivialRelay.as_asgi())])
            )
        ),
    }
)
