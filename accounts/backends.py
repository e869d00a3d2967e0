"""The permission backend of the portal's rules (ogp_portal/permissions.py).

``rules``' own backend answers "no" for a permission it denies, and Django then asks the next backend,
``ModelBackend``, which reads the user's and their groups' model permissions (two queries per user
and request) for names such as ``forums.manage_forum`` that no model permission has: a coordinator's
"My work" paid them on every visit. The portal's rules are the only source of these permissions, so
this backend's "no" is final (``PermissionDenied`` stops the other backends). Any other permission
(Django's ``app.add_model`` … used by the admin) is left to ``ModelBackend`` as before.
"""

from __future__ import annotations

import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from rules.permissions import ObjectPermissionBackend


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
