"""Settings for the page benchmark (bench/pages.py): the production settings plus a floor view.

Only ``bench/pages.py`` uses this module: the one-row floor view lives in
``bench/urls.py``, never in the production URLs. Static files are collected into
``.bench/static`` so that pages render with DEBUG off (manifest storage).
"""

from ogp_portal.settings import *  # noqa: F403
from ogp_portal.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = BASE_DIR / ".bench" / "static"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
