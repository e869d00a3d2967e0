"""Sessions kept in the database and read through the cache (issue #20: the fixed cost of a signed-in page).

Django's ``cached_db`` engine: every session is written to the database (the record) and to the
default cache; a request reads it from the cache (one Redis round trip in production instead of a
query), and from the database when the cache has no copy (evicted, expired, or Redis restarted).
What invalidates a session still does: signing out deletes the row and the cached copy; a password
change or reset invalidates the other sessions through the password hash kept in each session,
compared with the user read from the database on every request.

Two changes to Django's engine, so that a cache outage costs only the cache (issue 17.3) and never a
session's safety:

* every cache call fails open and is logged: a request whose session cannot be read from (or
  written to) the cache reads (and writes) the database, as the ``db`` engine does, instead of
  answering 500;
* a cached copy lives at most ``SESSION_CACHE_SECONDS`` (default 5 minutes), not the session's
  whole age (two weeks): if Redis could not delete the copy when someone signed out, it stops
  being served within that time; afterwards the database (where the row is gone) decides.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import UpdateError

from ogp_portal.cache import get_many_with_generation

from .backends import ACCOUNTS_KEY, signed_in_key

logger = logging.getLogger(__name__)


def cache_seconds() -> int:
    return int(getattr(settings, "SESSION_CACHE_SECONDS", 300))


class SessionStore(cached_db.SessionStore):
    def _cache_timeout(self, expiry_age: int) -> int:
        return max(1, min(expiry_age, cache_seconds()))

    # (accounts' token, the signed-in user kept beside this session) as read with it: accounts/backends.py.
    signed_in = None

    def load(self):
        try:
            # The session, the accounts' token, the user kept beside the session (accounts/backends.py) and
            # the public pages' generation: one round trip.
            keys = [self.cache_key, ACCOUNTS_KEY, signed_in_key(self.session_key)] if self.session_key else [self.cache_key]
            found = get_many_with_generation(self._cache, keys)
            data = found.get(self.cache_key)
            if self.session_key:
                self.signed_in = (self._accounts_token(found.get(ACCOUNTS_KEY)), found.get(signed_in_key(self.session_key)))
        except Exception:
            logger.warning("Session cache unavailable; reading the session from the database", exc_info=True)
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self._cache_timeout(self.get_expiry_age(expiry=row.expire_date)))
        except Exception:
            logger.warning("Session cache unavailable; session not cached", exc_info=True)
        return data

    def accounts_token(self):
        """The accounts' token (accounts/backends.py), started if the cache has none."""
        return self._accounts_token(self._cache.get(ACCOUNTS_KEY))

    def _accounts_token(self, token):
        if token is None:  # never set, or evicted: a token never used before, so no older copy is served
            import uuid

            token = uuid.uuid4().hex
            if not self._cache.add(ACCOUNTS_KEY, token, None):
                token = self._cache.get(ACCOUNTS_KEY)  # another process started it meanwhile
        return token

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("Session cache unavailable; asking the database", exc_info=True)
        return super(cached_db.SessionStore, self).exists(session_key)

    def save(self, must_create=False):
        try:
            super(cached_db.SessionStore, self).save(must_create)  # the database row first: the record
        except UpdateError:
            # The row is gone (signed out elsewhere meanwhile): so goes the copy, then Django answers as
            # for any session deleted during a request.
            self._forget(self.session_key)
            raise
        try:
            self._cache.set(self.cache_key, self._session, self._cache_timeout(self.get_expiry_age()))
        except Exception:
            logger.warning("Session cache unavailable; session saved to the database only", exc_info=True)

    def delete(self, session_key=None):
        super(cached_db.SessionStore, self).delete(session_key)  # the row: no later cache miss revives it
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._forget(session_key)

    def _forget(self, session_key):
        if not session_key:
            return
        try:
            self._cache.delete_many([self.cache_key_prefix + session_key, signed_in_key(session_key)])
        except Exception:
            logger.error(
                "Session cache unavailable; a deleted session's cached copy may be served for up to %s s",
                cache_seconds(),
                exc_info=True,
            )
