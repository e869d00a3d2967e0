"""Limits on requests that send email to an address (password reset): per address and per client.

Fixed windows counted in the default cache (Redis in production), as the API throttle does. A
refused request is answered exactly as an allowed one (the same "check your email" page), so the
limit reveals nothing; it only sends nothing. If the cache is down, requests are allowed and the
failure is logged (fail open, as the API throttle): a cache outage must not lock people out.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# (requests, seconds): at most 3 reset emails an hour to one address, 20 reset requests an hour from one client.
DEFAULT_LIMITS = {"email": (3, 3600), "client": (20, 3600)}


def _limits() -> dict:
    return {**DEFAULT_LIMITS, **getattr(settings, "PASSWORD_RESET_LIMITS", {})}


def _hit(kind: str, ident: str, now: float) -> bool:
    """Count one request of ``ident`` in its window; True while within the limit (or when the cache is down)."""
    count_max, seconds = _limits()[kind]
    window = int(now // seconds)
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"password-reset:{kind}:{digest}:{window}"
    try:
        cache.add(key, 0, seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, seconds + 1)
            count = 1
    except Exception:
        logger.warning("Password-reset throttle cache unavailable; request allowed", exc_info=True)
        return True
    return count <= count_max


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def password_reset_allowed(email: str, client: str, now: float | None = None) -> bool:
    """Count a password-reset request for ``email`` from ``client``; False if either is over its limit."""
    now = time.time() if now is None else now
    by_address = _hit("email", (email or "").strip().lower(), now)
    by_client = _hit("client", client, now)
    if not (by_address and by_client):
        logger.info("Password-reset request over the limit (%s); no email sent", "address" if not by_address else "client")
    return by_address and by_client
