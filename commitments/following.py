"""Whether a signed-in reader follows a commitment, kept beside the commitment page's shared part (issue #20).

The page's one query for a signed-in reader was its head with ``following`` (``heads.page_head``): the head is
the same for everyone (kept in the process under the generation, as the forum page keeps its forum), and the
follow button's state is kept as a small shared part of the member's page per reader and commitment
(``ogp_portal.cache.fragment``: read in the same round trip as the member's scope tokens and the page's part),
so a visit that finds both kept runs no query.

A follow saved or deleted (``engagement.services.follow``, ``unfollow``, ``unsubscribe``, the admin, a cascade)
deletes the reader's kept state for that commitment in every language, at once and again when its transaction
commits (``Follow``'s ``post_save`` and ``post_delete``: engagement's receiver calls :func:`forget`). A follow
written past the signals (``QuerySet.update``, raw SQL) shows within the part's timeout. With the shared parts
off (``PUBLIC_PAGE_CACHE``), the page reads it with its head, as before.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from ogp_portal import cache as page_cache

from .models import Commitment

logger = logging.getLogger(__name__)


def part_name(user_pk: int, commitment_pk: int) -> str:
    return f"following:u{user_pk}:c{commitment_pk}"


def _follow_model():
    return Commitment._meta.get_field("follows").related_model  # engagement's Follow, without importing engagement


def follows(user, commitment) -> bool:
    """Whether ``user`` follows ``commitment``: the kept state (the page's scope set), or one query kept for next time."""
    def read():
        return "1" if _follow_model().objects.filter(user_id=user.pk, commitment_id=commitment.pk).exists() else "0"

    return str(page_cache.fragment(part_name(user.pk, commitment.pk), read)) == "1"


def forget(user_pk: int, commitment_pk: int) -> None:
    """Delete the kept state of ``user_pk`` for ``commitment_pk`` (every language), now and when the transaction commits."""
    member = Commitment.objects.filter(pk=commitment_pk).values_list("plan__member_id", flat=True).first()
    if member is None:
        return  # (the commitment is being deleted: its page is a 404)

    def delete():
        keys = [page_cache.fragment_key(part_name(user_pk, commitment_pk), language=code, member=member) for code, _name in settings.LANGUAGES]
        cache.delete_many(keys)

    try:
        delete()
    except Exception:
        logger.warning("Cache unavailable; a kept follow state may be served until it expires", exc_info=True)
    transaction.on_commit(delete, robust=True)

