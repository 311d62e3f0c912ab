"""The Celery app. Tasks take primary keys, call a service, and are idempotent."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("duet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _import_urls_before_forking(**kwargs) -> None:
    """The URLconf imports every app's views (and the API schemas, aiortc...): done once
    here in the worker's main process, the pool processes inherit it instead of each
    spending about 0.4 s of CPU on the first reverse() of its first task (a reminder
    backlog's first emails)."""
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 (the property fills the resolver's cache)
