"""With no environment the app runs without servers; with it, on the real ones."""

import os

from django.conf import settings


def test_backends_follow_the_environment():
    if os.environ.get("DATABASE_URL"):
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else:
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    if os.environ.get("REDIS_URL"):
        # Pub/sub by measurement (docs/benchmarks.md); CHANNEL_LAYER=core selects the other.
        assert (
            settings.CHANNEL_LAYERS["default"]["BACKEND"]
            == "channels_redis.pubsub.RedisPubSubChannelLayer"
        )
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    else:
        assert (
            settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
        )
        assert settings.CELERY_BROKER_URL == "filesystem://"
    assert settings.USE_TZ is True and settings.TIME_ZONE == "UTC"
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
