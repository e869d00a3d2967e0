"""Django's ``AuthenticationMiddleware``, with sessions signed in before ``PortalModelBackend`` carried over.

A session records the backend that signed it in; Django signs out a session whose backend is no
longer in ``AUTHENTICATION_BACKENDS``. Sessions signed in through Django's ``ModelBackend`` (before
``accounts.backends.PortalModelBackend`` replaced it: the same checks, the user's roles read in the
same query) are moved to it at their next request, once (the session is saved once), instead of
being signed out.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import middleware
from django.utils.functional import SimpleLazyObject

from .backends import LEGACY_MODEL_BACKEND, PORTAL_MODEL_BACKEND, remember_user, remembered_user


def get_user(request):
    if not hasattr(request, "_cached_user"):
        session = request.session
        if session.get(auth.BACKEND_SESSION_KEY) == LEGACY_MODEL_BACKEND:
            session[auth.BACKEND_SESSION_KEY] = PORTAL_MODEL_BACKEND
        # The user kept beside the session (read with it: accounts/backends.py), else the database's.
        state = getattr(session, "signed_in", None)
        user = remembered_user(session, state) if state else None
        if user is None:
            user = auth.get_user(request)
            if state:
                remember_user(session, state, user)
        request._cached_user = user
    return request._cached_user


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)  # its checks, and ``request.auser`` (the async views')
        request.user = SimpleLazyObject(partial(get_user, request))
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            # Read now, before any view asks for the public pages' generation: the session store then reads
            # both in one cache round trip (ogp_portal.cache.get_with_generation; issue #20). A request
            # with a session cookie reads its session anyway (its page shows who is signed in).
            request.session.get(auth.SESSION_KEY)
