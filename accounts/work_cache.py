"""A person's "My work" kept between their visits (issue #20): the page's content, per person, under every token
a change to what it shows replaces.

"My work" is per person (never a shared copy), so every signed-in visit rendered it from the database: 6-9
queries and ~8-11 ms of CPU at scale 10, against ~1.5 ms for a public page signed in. Most visits change
nothing in between. The content (everything inside the frame: the header with the person's name, the
language switcher's CSRF token, the messages and the CSP nonce are rendered at every request around it) is
kept in the cache under a key made of:

* the person (their id) and what decides what they may see: their roles (kind, member, agency, as the
  signed-in user kept beside the session carries them) and the accounts' token (``accounts.backends``:
  replaced by every change to a user or a role, so a role granted or removed, a name changed, a user made
  staff, an author's name in the review queue);
* the language, the day (statuses, "Today is …", the current period) and the page asked for;
* ``pages:base`` (``ogp_portal.cache``: replaced by every change not scoped to members: an import, a
  commitment, milestone or plan edited, a deadline moved, anything in the admin, the sweep, a forum);
* for each member of the person's roles, its scope token (replaced by a publication, a status report, a
  review or a dispute written, answered or hidden, a co-creation change) and its work token
  (:data:`WORK_KEY`, below: replaced by every change to a progress update of the member: a draft saved, an
  update submitted, returned, approved, deleted, whoever makes it).

Everything the page shows is one of the person's members' records (a coordinator's agency and the commitments
it leads belong to the role's member: ``Role.clean``, ``Commitment.clean``), or a name only an unscoped change
alters, so no kept copy outlives a change made through a service, a signal-sending save or the admin. A
deleted update read without its plan (a cascade) replaces every member's work token. What is written past
all of them (``QuerySet.update``, raw SQL, a command that calls no service) shows within :data:`TIMEOUT`. Administrators (the whole portal is theirs) are rendered every
time. The tokens and the copy are read in one round trip (the copy under the tokens this process last saw
for the person, kept only if the tokens read are those: as ``ogp_portal.cache._read_scope_and_fragments``).
Follows ``PUBLIC_PAGE_CACHE``; a cache that is down costs the rendering, never the page.
"""

from __future__ import annotations

import hashlib
import logging
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from ogp_portal import cache as page_cache

logger = logging.getLogger(__name__)

WORK_KEY = "work:member:%d"  # replaced by every change to a progress update of this member (post_save, post_delete)
WORK_ALL_KEY = "work:all"  # replaced when the member of a changed update could not be told
KEPT_KEY = "work:kept:%d:%s"  # the person's id, the digest of everything else the copy depends on
TIMEOUT = 300  # seconds: a change written past every token (raw SQL, a bulk update) shows within this
MAX_PAGE = 12  # a longer ?page= is rendered, not kept (bounded keys)

# The tokens this process last read for each person: the copy is asked for under them in the same round trip.
_LAST: dict[int, str] = {}
_LAST_MAX = 10_000


class Kept:
    """The kept copy of one person's page: ``html`` (None when there is none to serve) and :meth:`store`."""

    html = None
    key = None

    def store(self, html: str) -> None:
        if self.key is None:
            return
        try:
            cache.set(self.key, str(html), TIMEOUT)
        except Exception:
            logger.warning("Cache unavailable; My work not kept", exc_info=True)


def read(request, today, roles) -> Kept:
    """The kept copy of the page ``request`` asks for (``roles``: the person's (kind, member, agency) tuples), or one to store."""
    kept = Kept()
    user = request.user
    page = request.GET.get("page", "")
    if not page_cache.enabled() or user.is_staff or len(page) > MAX_PAGE:
        return kept
    roles = sorted((str(kind), int(member), agency or 0) for kind, member, agency in roles)
    members = sorted({member for _kind, member, _agency in roles})
    keys = [_accounts_key(), page_cache.BASE_KEY, WORK_ALL_KEY, *(page_cache.SCOPE_KEY % m for m in members),
            *(WORK_KEY % m for m in members)]
    where = f"{translation.get_language()}|{today.isoformat()}|{page}|{roles}"
    guess = _LAST.get(user.pk)
    try:
        found = cache.get_many([*keys, _key(user.pk, where, guess)] if guess else keys)
        tokens = ".".join(page_cache._read_or_start(found, key) for key in keys)
        kept.key = _key(user.pk, where, tokens)
        if tokens == guess:
            kept.html = found.get(kept.key)
        else:
            kept.html = cache.get(kept.key)  # kept by another process, or none
            if len(_LAST) >= _LAST_MAX:
                _LAST.clear()
            _LAST[user.pk] = tokens
    except Exception:
        logger.warning("Cache unavailable; rendering My work", exc_info=True)
        return Kept()
    return kept


def _key(user_pk: int, where: str, tokens: str) -> str:
    return KEPT_KEY % (user_pk, hashlib.sha256(f"{where}|{tokens}".encode()).hexdigest()[:40])


def _accounts_key() -> str:
    from .backends import ACCOUNTS_KEY

    return ACCOUNTS_KEY


def work_changed(members) -> None:
    """Every kept "My work" showing these members' progress out of date: now, and again when the transaction commits.

    Now: the rest of this transaction (and tests, whose transactions never commit) see it. At the commit:
    a page rendered meanwhile from the rows before the change kept its copy under the token replaced now,
    which the commit replaces again. ``members``: ids; None among them (a member that could not be told):
    every kept page. The replacement at the commit is registered once a transaction for the same tokens (a
    cascade deleting hundreds of updates asks for each): one still to come covers them.
    """
    keys = frozenset(WORK_ALL_KEY if pk is None else WORK_KEY % int(pk) for pk in members)
    if not keys:
        return
    replace = _Replace(keys)
    try:
        replace()
    except Exception:
        logger.error("Cache unavailable; a kept My work may be served for up to %s s", TIMEOUT, exc_info=True)
    try:
        connection = transaction.get_connection()
        if connection.in_atomic_block and any(
            isinstance(func, _Replace) and keys <= func.keys for _savepoints, func, _robust in connection.run_on_commit
        ):
            return  # (one replacement at the commit covers them all)
    except Exception:  # (Django's list of callbacks read as 6.x keeps it; otherwise one each, as is safe)
        pass
    transaction.on_commit(replace, robust=True)


class _Replace:
    """New values for ``keys`` (work tokens): called now and at the commit (``work_changed``)."""

    def __init__(self, keys):
        self.keys = keys

    def __call__(self):
        cache.set_many({key: uuid.uuid4().hex for key in self.keys}, None)


def _member_of(update, *, query=True):
    """The member of a progress update: from the rows already read with it (the services' and views' do), else one
    query (``query=False``: None, every kept page)."""
    milestone = update._state.fields_cache.get("milestone")
    commitment = milestone._state.fields_cache.get("commitment") if milestone is not None else None
    plan = commitment._state.fields_cache.get("plan") if commitment is not None else None
    if plan is not None:
        return plan.member_id
    if not query:
        return None
    from commitments.models import Milestone

    return Milestone.objects.filter(pk=update.milestone_id).values_list("commitment__plan__member_id", flat=True).first()


def _update_saved(sender, instance, **kwargs):
    work_changed([_member_of(instance)])


def _update_deleted(sender, instance, **kwargs):
    # Rare (the admin, a cascade from a milestone, commitment, plan or member: hundreds of updates at once), so
    # no query per update: an update read without its plan makes every kept page out of date, once a transaction.
    work_changed([_member_of(instance, query=False)])


def connect_signals() -> None:
    """Called once from ``AccountsConfig.ready``: every save or deletion of a progress update replaces its member's work token."""
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_update_saved, sender="commitments.ProgressUpdate", dispatch_uid="work_changed_update_saved")
    post_delete.connect(_update_deleted, sender="commitments.ProgressUpdate", dispatch_uid="work_changed_update_deleted")
