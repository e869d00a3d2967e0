"""The one write path for a forum and its seats (memberships, members' contacts); the API and the admin call these.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ogp.signals import record_changed
from ogp_portal.cache import public_pages_changed

from .models import Forum, ForumMembership

# ---------------------------------------------------------------- forums and memberships (h11)
#
# The one write path for a forum and its seats (the API and the admin call these). The forum's
# secretariat and administrators keep them (``forums.manage_forum``). Parity is not a refusal:
# a forum below parity shows the warning of :func:`composition`, and the answer carries it.


def _require_manage(by, obj):
    from django.core.exceptions import PermissionDenied

    if not (by and by.has_perm("forums.manage_forum", obj)):
        raise PermissionDenied


def create_forum(*, by, data) -> Forum:
    """Add a forum to a member: its secretariat, or an administrator."""
    from ogp_portal.versioning import save_checked

    member = data.get("member")
    if member is None:
        raise ValidationError({"member": _("This field is required.")})
    _require_manage(by, member)
    forum = save_checked(Forum(), data, by=by, version=None)
    public_pages_changed()
    record_changed(Forum, forum.member_id)
    return forum


def update_forum(forum: Forum, *, by, data, version) -> Forum:
    """Change a forum as of ``version`` (a stale one raises StaleVersion, nothing written)."""
    from ogp_portal.versioning import save_checked

    _require_manage(by, forum)
    if "member" in data and data["member"] != forum.member:
        _require_manage(by, data["member"])  # moving needs the right on both members
    before = forum.member_id
    forum = save_checked(forum, data, by=by, version=version)
    public_pages_changed()
    record_changed(Forum, forum.member_id, before)  # moved: the member it left is judged again too
    return forum


def add_membership(*, by, data) -> ForumMembership:
    """Give someone a seat on a forum: the forum's secretariat, or an administrator."""
    from ogp_portal.versioning import save_checked

    forum = data.get("forum")
    if forum is None:
        raise ValidationError({"forum": _("This field is required.")})
    _require_manage(by, forum)
    row = save_checked(ForumMembership(), data, by=by, version=None)
    public_pages_changed()
    return row


def update_membership(membership: ForumMembership, *, by, data, version) -> ForumMembership:
    """Change a seat (role, sector, term, contact) as of ``version``."""
    from ogp_portal.versioning import save_checked

    _require_manage(by, membership)
    if "forum" in data and data["forum"] != membership.forum:
        _require_manage(by, data["forum"])  # moving needs the right on both forums
    row = save_checked(membership, data, by=by, version=version)
    public_pages_changed()
    return row


CONTACT_FIELDS = ("email", "language", "alternate", "alternate_email")


def update_contact(membership: ForumMembership, *, by, data, version) -> ForumMembership:
    """The secretariat keeps a member's contact (email, language, alternate) as of ``version``; kept in history."""
    return update_membership(membership, by=by, data={k: (data.get(k) or "").strip() for k in CONTACT_FIELDS}, version=version)


def end_membership(membership: ForumMembership, *, by, version, today: dt.date | None = None) -> ForumMembership:
    """End a seat's term today (kept on record: past meetings' attendance refers to it)."""
    today = today or timezone.localdate()
    end = today if membership.term_end is None or membership.term_end > today else membership.term_end
    if membership.term_start and membership.term_start > end:
        end = membership.term_start
    return update_membership(membership, by=by, data={"term_end": end}, version=version)
