"""Settings for the Celery worker of ``bench/sweep_worker.py`` (and the process that queues its jobs).

The production settings, plus: a private queue (``OGP_BENCH_QUEUE``) so that no other worker on the
same Redis takes the benchmark's tasks, and emails discarded (a first sweep sends the notices of what
it finds). The chunk size is the production setting's (``COMPLIANCE_SWEEP_CHUNK`` in the environment).
"""

import os

from ogp_portal.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("OGP_BENCH_QUEUE", "ogp-bench-sweep")
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
