"""Settings of the real Celery workers started by ``test_invitations_worker.py``: the compliance worker
settings (a private queue on the test database), and emails written to files so the test can count them."""

import os

from tests.compliance.celery_worker_settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["OGP_TEST_MAIL_DIR"]},
    }
}
