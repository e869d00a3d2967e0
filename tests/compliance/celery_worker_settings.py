"""Settings for the real Celery worker and beat processes started by ``test_celery_worker.py``.

The test settings, plus what the test passes in the environment: its own queue
(so that other workers on the same Redis never take its tasks), small chunks of the sweep, a short
visibility timeout (so that the task of a SIGKILLed worker is redelivered in
seconds, not an hour), and a fast beat schedule.
"""

import os

from ogp_portal.settings_test import *  # noqa: F403

QUEUE = os.environ["OGP_TEST_QUEUE"]
CELERY_TASK_DEFAULT_QUEUE = QUEUE
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("OGP_TEST_VISIBILITY_TIMEOUT", "3600")),
    # Look for unacked messages past their visibility timeout every second
    # (kombu's default is every 10 s, and only every 10th look: about 100 s).
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
# The daily sweep in chunks of this many members (sweep_all_task queues one sweep_chunk_task a chunk).
COMPLIANCE_SWEEP_CHUNK = int(os.environ.get("OGP_TEST_SWEEP_CHUNK", "5"))
BEAT_SECONDS = float(os.environ.get("OGP_TEST_BEAT_SECONDS", "2"))
CELERY_BEAT_SCHEDULE = {
    "compliance-sweep-fast": {
        "task": "compliance.tasks.sweep_all_task",
        "schedule": BEAT_SECONDS,
        "options": {"expires": BEAT_SECONDS * 0.9, "queue": QUEUE},
    },
}
# The R4 email test: two beats both sending the deadline reminders (and pending notices) every few seconds,
# and every email sent written to a file the test reads (see file_email_backend.py).
if os.environ.get("OGP_TEST_BEAT_TASK") == "reminders":
    CELERY_BEAT_SCHEDULE = {
        "compliance-reminders-fast": {
            "task": "compliance.tasks.send_reminders_task",
            "schedule": BEAT_SECONDS,
            "options": {"expires": BEAT_SECONDS * 0.9, "queue": QUEUE},
        },
    }
if os.environ.get("OGP_TEST_MAIL_DIR"):
    MAILERS = {"default": {"BACKEND": "tests.compliance.file_email_backend.EmailBackend"}}
