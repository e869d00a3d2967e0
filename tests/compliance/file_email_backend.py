"""An email backend for the worker subprocesses of ``test_celery_worker.py``: one JSON line per email sent.

The test process cannot see a subprocess's ``mail.outbox``, so each process appends what it sends to its
own file in ``OGP_TEST_MAIL_DIR``; the test reads them all and counts every email actually handed to the
backend.
"""

import json
import os
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        path = Path(os.environ["OGP_TEST_MAIL_DIR"]) / f"sent-{os.getpid()}.jsonl"
        with open(path, "a", encoding="utf-8") as out:
            for message in messages:
                message.message()  # header validation, as a real backend does
                out.write(json.dumps({"to": list(message.to), "subject": str(message.subject)}) + "\n")
                out.flush()
        return len(messages)
