"""Settings for the Celery worker of ``bench/sweep_worker.py`` (and the process that queues its jobs).

The production settings, plus: a private queue (``OGP_BENCH_QUEUE``) so that no other worker on the
same Redis takes the benchmark's tasks, the sweep's chunk size from ``COMPLIANCE_SWEEP_CHUNK`` when
given, and emails discarded (a first sweep sends the notices of what it finds).
"""

import os

from ogp_portal.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("OGP_BENCH_QUEUE", "ogp-bench-sweep")
if os.environ.get("COMPLIANCE_SWEEP_CHUNK"):
    COMPLIANCE_SWEEP_CHUNK = int(os.environ["COMPLIANCE_SWEEP_CHUNK"])
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
