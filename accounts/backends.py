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
from django.core.exceptions import PermissionDenied
from rules.permissions import ObjectPermissionBackend


class RulesBackend(ObjectPermissionBackend):
    def has_perm(self, user, perm, *args, **kwargs):
        if not rules.perm_exists(perm):
            return False  # not one of ours: the next backend decides
        if rules.has_perm(perm, user, *args, **kwargs):
            return True
        raise PermissionDenied  # ours, and denied: no other backend may grant it
