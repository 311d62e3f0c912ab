"""Settings for the Daphne server the signaling benchmark starts (bench/signaling.py)."""

import os

from config.settings import *  # noqa: F403
from config.settings import REDIS_URL

# Measure the relay, not the per-connection abuse limit.
SIGNALING_RATE_PER_SECOND = 1e9
SIGNALING_RATE_BURST = 1e9

_layer = os.environ.get("BENCH_LAYER", "memory")
if _layer == "core":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 60, "prefix": "bench"},
        }
    }
elif _layer == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "bench"},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    }
