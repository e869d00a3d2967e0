"""The permission backend of the portal's rules (ogp_portal/permissions.py).

``rules``' own backend answers "no" for a permission it denies, and Django then asks the next backend,
``ModelBackend``, which reads the user's and their groups' model permissions (two queries per user
and request) for names such as ``forums.manage_forum`` that no model permission has: a coordinator's
"My work" paid them on every visit. The portal's rules are the only source of these permissions, so
this backend's "no" is final (``PermissionDenied`` stops the other backends). Any other permission
(Django's ``app.add_model`` … used by the admin) is left to ``ModelBackend`` as before.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from rules.permissions import ObjectPermissionBackend

logger = logging.getLogger(__name__)


class RulesBackend(ObjectPermissionBackend):
    def has_perm(self, user, perm, *args, **kwargs):
        if not rules.perm_exists(perm):
            return False  # not one of ours: the next backend decides
        if rules.has_perm(perm, user, *args, **kwargs):
            return True
        raise PermissionDenied  # ours, and denied: no other backend may grant it


# --- the signed-in user and their roles in one query (issue #20: the fixed cost of a signed-in page) ---------

LEGACY_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PORTAL_MODEL_BACKEND = "accounts.backends.PortalModelBackend"


def _roles_text(user_model):
    """The user's roles as one text, ``kind:member:agency;…``: a subquery of the user's own query.

    Written as SQL (the same in PostgreSQL and SQLite but for the aggregate's name): the ORM's
    ``Concat``/``Coalesce`` cost more to compile than the query costs to run.
    """
    from django.db import connection
    from django.db.models import CharField
    from django.db.models.expressions import RawSQL

    from commitments.models import Role

    aggregate = "STRING_AGG" if connection.vendor == "postgresql" else "GROUP_CONCAT"
    quote = connection.ops.quote_name
    role, user = quote(Role._meta.db_table), quote(user_model._meta.db_table)
    sql = (
        f"SELECT {aggregate}(r.kind || ':' || CAST(r.member_id AS TEXT) || ':' || COALESCE(CAST(r.agency_id AS TEXT), ''), ';')"
        f" FROM {role} r WHERE r.user_id = {user}.{quote(user_model._meta.pk.column)}"
    )
    return RawSQL(sql, (), output_field=CharField())  # noqa: S611 - our own table and column names, no input


def parse_roles(text) -> list[tuple[str, int, int | None]]:
    """``_roles_text``'s answer as ``ogp_portal.permissions._roles`` keeps it: (kind, member_id, agency_id)."""
    roles = []
    for entry in (text or "").split(";"):
        if entry:
            kind, member_id, agency_id = entry.split(":")
            roles.append((kind, int(member_id), int(agency_id) if agency_id else None))
    return roles


class PortalModelBackend(ModelBackend):
    """Django's ``ModelBackend`` whose ``get_user`` reads the user's roles in the same query.

    Every signed-in request reads its user from the database (so a deactivated account or a changed
    password signs out at the next request) and, on nearly every page, the user's roles
    (``ogp_portal.permissions._roles``): one query instead of two. The roles are read afresh with the
    user at every request, so a role granted or removed takes effect at the next one, as before.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.annotate(ogp_roles_text=_roles_text(user_model)).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        user._ogp_roles_cache = parse_roles(user.ogp_roles_text)
        return user if self.user_can_authenticate(user) else None


# --- the signed-in user kept beside the session (issue #20: the fixed cost of a signed-in page) -------------
#
# A signed-in request read its user and roles from the database (one query, ~1-1.5 ms with the ORM's
# compilation) on every page. Now the first request of a session keeps what that query read (the
# user's fields but the password and the last sign-in, and the roles) in the cache beside the session,
# under the accounts' token; the next requests read it in the round trip that reads the session
# (accounts/sessions.py) and build the user without a query. It is served only while:
#
# * the accounts' token is the one it was kept under: every save or deletion of a user (a password
#   change, a deactivation, an edit in the admin) and of a role (granted, changed, removed) replaces the
#   token, at once and again when the transaction commits (signals below), so any change to any account
#   takes effect at the next request of every session, as when the user was read from the database;
# * the session still names that user, through this backend, with the session hash it was kept with
#   (so a password change, which changes the hash, signs out the other sessions as before) and under
#   this SECRET_KEY;
# * the copy is younger than SESSION_CACHE_SECONDS (a token the cache could not replace during an outage
#   stops mattering then), and signing out deletes it with the session.
#
# A change written past the signals (``QuerySet.update`` of users or roles, raw SQL) must call
# ``accounts_changed()`` itself. A token missing from the cache (evicted, a restart) is started anew, so
# no copy kept under an older one is served.

ACCOUNTS_KEY = "accounts:generation"
SIGNED_IN_KEY = "accounts:signed-in:%s"  # % session key
# What the copy holds: every field of the user but these (left deferred: read from the database if asked for).
_NOT_KEPT = frozenset({"password", "last_login"})


def signed_in_key(session_key: str) -> str:
    return SIGNED_IN_KEY % session_key


def _kept_fields(user_model):
    return [f.attname for f in user_model._meta.concrete_fields if f.attname not in _NOT_KEPT]


@lru_cache(maxsize=4)
def _mark_of(secret: str) -> str:
    from django.utils.crypto import salted_hmac

    return salted_hmac("accounts.signed-in", "mark", secret=secret, algorithm="sha256").hexdigest()[:16]


def _secret_mark() -> str:
    """A mark of SECRET_KEY: a copy kept under another key (rotated since) is not served."""
    from django.conf import settings

    return _mark_of(settings.SECRET_KEY)


def _replace_token() -> None:
    import uuid

    from django.core.cache import cache

    cache.set(ACCOUNTS_KEY, uuid.uuid4().hex, None)


def accounts_changed() -> None:
    """Every kept signed-in user out of date: now, and again when the current transaction commits.

    Now: the rest of this transaction and the tests (whose transactions never commit) see it. At the
    commit: a request that read the old rows meanwhile kept them under the token replaced now, which
    the commit replaces again. A cache that cannot be reached is logged; the copies then expire within
    SESSION_CACHE_SECONDS.
    """
    from django.db import transaction

    try:
        _replace_token()
    except Exception:
        logger.error("Cache unavailable; signed-in users kept in it may be served for up to SESSION_CACHE_SECONDS", exc_info=True)
    transaction.on_commit(_replace_token, robust=True)


def _user_saved(sender, instance, update_fields=None, **kwargs):
    # The sign-in time alone (``update_last_login``) is not in the copies. The password is not either, but
    # the session hash they are checked against comes from it: a password saved alone (``check_password``'s
    # upgrade of the hash, a reset) must replace the token like any other change.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    accounts_changed()


def _changed(sender, **kwargs):
    accounts_changed()


def _kept_at_sign_in(sender, request, user, **kwargs):
    """Keep the user at sign-in: the first page after it is served as every later one (no query for the user)."""
    from .sessions import SessionStore

    session = getattr(request, "session", None)
    if not isinstance(session, SessionStore) or not session.session_key:
        return
    try:
        token = session.accounts_token()
    except Exception:
        logger.warning("Cache unavailable; signed-in user not kept", exc_info=True)
        return
    fresh = PortalModelBackend().get_user(user.pk)  # read after the token: a change meanwhile replaces it
    if fresh is not None:
        remember_user(session, (token, None), fresh)


def connect_signals() -> None:
    """Called once from ``AccountsConfig.ready``: what changes a user or their roles replaces the token."""
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import post_delete, post_save

    user_logged_in.connect(_kept_at_sign_in, dispatch_uid="accounts_kept_at_sign_in")

    user_model = get_user_model()
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="accounts_changed_user_saved")
    post_delete.connect(_changed, sender=user_model, dispatch_uid="accounts_changed_user_deleted")
    post_save.connect(_changed, sender="commitments.Role", dispatch_uid="accounts_changed_role_saved")
    post_delete.connect(_changed, sender="commitments.Role", dispatch_uid="accounts_changed_role_deleted")


def remembered_user(session, state):
    """The user kept beside ``session`` (``state``: (token, copy) read with it), or None to read it from the database."""
    from django.contrib import auth
    from django.conf import settings
    from django.utils.crypto import constant_time_compare

    token, kept = state
    if not token or not kept or kept.get("token") != token:
        return None
    backend = session.get(auth.BACKEND_SESSION_KEY)
    session_hash = session.get(auth.HASH_SESSION_KEY)
    if (
        backend != PORTAL_MODEL_BACKEND
        or backend not in settings.AUTHENTICATION_BACKENDS
        or kept.get("user") != str(session.get(auth.SESSION_KEY))
        or not session_hash
        or not constant_time_compare(kept.get("hash", ""), session_hash)
        or kept.get("secret") != _secret_mark()
    ):
        return None
    user_model = get_user_model()
    names = _kept_fields(user_model)
    if kept.get("fields") != names:
        return None  # another version of the model
    user = user_model.from_db("default", names, kept["values"])
    user._ogp_roles_cache = [tuple(role) for role in kept["roles"]]
    return user


def remember_user(session, state, user) -> None:
    """Keep ``user``, just read from the database for ``session`` and verified, under the token read before it."""
    from django.contrib import auth

    token = state[0] if state else None
    if not token or not getattr(user, "is_authenticated", False) or not user.is_active:
        return
    if session.get(auth.BACKEND_SESSION_KEY) != PORTAL_MODEL_BACKEND or getattr(user, "_ogp_roles_cache", None) is None:
        return
    session_hash = user.get_session_auth_hash()
    if session.get(auth.HASH_SESSION_KEY) != session_hash or not session.session_key:
        return
    names = _kept_fields(type(user))
    kept = {
        "token": token,
        "user": str(user.pk),
        "hash": session_hash,
        "secret": _secret_mark(),
        "fields": names,
        "values": [getattr(user, name) for name in names],
        "roles": [list(role) for role in user._ogp_roles_cache],
    }
    from django.core.cache import cache

    from .sessions import cache_seconds

    try:
        cache.set(signed_in_key(session.session_key), kept, cache_seconds())
    except Exception:
        logger.warning("Cache unavailable; signed-in user not kept", exc_info=True)
