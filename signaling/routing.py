"""Websocket routes (wrapped by config/asgi.py in origin and auth checks)."""

websocket_urlpatterns: list = []
