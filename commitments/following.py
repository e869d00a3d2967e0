"""Whether a signed-in reader follows a commitment or a plan, kept beside its page's shared part (issue #20).

The page's one query for a signed-in reader was its head with ``following`` (``heads.page_head``): the head is
the same for everyone (kept in the process under the generation, as the forum page keeps its forum), and the
follow button's state is kept as a small shared part of the member's page per reader and commitment
(``ogp_portal.cache.fragment``: read in the same round trip as the member's scope tokens and the page's part),
so a visit that finds both kept runs no query.

A follow saved or deleted (``engagement.services.follow``, ``unfollow``, ``unsubscribe``, the admin, a cascade)
deletes the reader's kept state for that commitment in every language, at once and again when its transaction
commits (``Follow``'s ``post_save`` and ``post_delete``: engagement's receiver calls :func:`forget`). A follow
written past the signals (``QuerySet.update``, raw SQL) shows within the part's timeout. With the shared parts
off (``PUBLIC_PAGE_CACHE``), the page reads it with its head, as before. The plan page keeps its readers' state
the same way (its head kept in the process too; ``kind="plan"``).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from ogp_portal import cache as page_cache

from .models import ActionPlan, Commitment

logger = logging.getLogger(__name__)


# Per kind of page: the letter of its kept state's name and how to find the member whose scope keeps it.
_KINDS = {"commitment": ("c", Commitment, "plan__member_id"), "plan": ("p", ActionPlan, "member_id")}


def part_name(user_pk: int, pk: int, kind: str = "commitment") -> str:
    return f"following:u{user_pk}:{_KINDS[kind][0]}{pk}"


def _follow_model():
    return Commitment._meta.get_field("follows").related_model  # engagement's Follow, without importing engagement


def follows(user, target) -> bool:
    """Whether ``user`` follows ``target`` (a commitment or a plan): the kept state (the page's scope set), or one
    query kept for next time."""
    kind = "plan" if isinstance(target, ActionPlan) else "commitment"

    def read():
        return "1" if _follow_model().objects.filter(user_id=user.pk, **{f"{kind}_id": target.pk}).exists() else "0"

    return str(page_cache.fragment(part_name(user.pk, target.pk, kind), read)) == "1"


def forget(user_pk: int, pk: int, kind: str = "commitment") -> None:
    """Delete the kept state of ``user_pk`` for the ``kind`` ``pk`` (every language), now and when the transaction commits."""
    _letter, model, member_path = _KINDS[kind]
    member = model.objects.filter(pk=pk).values_list(member_path, flat=True).first()
    if member is None:
        return  # (it is being deleted: its page is a 404)

    def delete():
        keys = [page_cache.fragment_key(part_name(user_pk, pk, kind), language=code, member=member) for code, _name in settings.LANGUAGES]
        cache.delete_many(keys)

    try:
        delete()
    except Exception:
        logger.warning("Cache unavailable; a kept follow state may be served until it expires", exc_info=True)
    transaction.on_commit(delete, robust=True)

