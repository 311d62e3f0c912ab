"""Websocket routes (wrapped by config/asgi.py in origin and auth checks)."""

from django.urls import re_path

from signaling.consumers import RoomConsumer

websocket_urlpatterns: list = [
    re_path(r"^ws/rooms/(?P<room_id>[A-Za-z0-9_-]{1,64})/$", RoomConsumer.as_asgi()),
]
