"""The Celery app. Configuration lives in settings under the CELERY_ prefix."""

import gc
import os

from celery import Celery
from celery.signals import worker_before_create_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogp_portal.settings")

app = Celery("ogp_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_before_create_process.connect
def freeze_before_fork(**_kwargs):
    """Keep what the worker loaded before forking its pool out of the children's collections (as wsgi.py does).

    A child's full collection would otherwise write to every object it inherited, copying the
    parent's pages into each child (the sweep's worker memory, issue 20: all processes together).
    """
    gc.freeze()
