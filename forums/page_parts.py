"""The forum page's "Open action items" kept between visits (issue #20), one copy per kind of reader.

Which open action items a visitor sees follows one rule (``ogp_portal.permissions.visible_to``): those of
meetings whose minutes are published for everyone; every one of the forum for its readers of unpublished
minutes (an administrator, the secretariat of the forum's member, a co-chair of the forum). So the section is
one of three texts, whoever asks: ``public`` (anonymous visitors and every other signed-in reader), ``all``
(a co-chair who does not keep the forum) and ``manage`` (who keeps the forum: every item, each with its
"Mark done" form). Each is kept as a shared part of the member's page (``ogp_portal.cache.fragment``, under
the member's scope, the language and the day: "Overdue"), the ``manage`` copy also per page path (the forms'
``next``) and with a placeholder for the CSRF token, which every request fills with its own. Nothing of the
reader is in a copy but the kind, read from their roles (kept beside the session) and the forum's co-chairs'
accounts (kept in the process under the generation); tests/forums/test_kept_open_items.py.

Every change that alters a copy replaces the member's scope token: an action item added or its status set, a
meeting scheduled, recorded, moved or cancelled, minutes published, a membership added or changed (a new
co-chair), the admin (``public_pages_changed()``, unscoped). A role granted or removed changes the reader's
kind at their next visit. With the shared parts off (``PUBLIC_PAGE_CACHE``), rendered as before, per reader.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe

from ogp_portal import cache as page_cache
from ogp_portal.permissions import is_administrator, member_ids_with_role

from .models import ForumMembership
from .rows import open_items, open_items_section

CSRF_SLOT = "\x00csrf\x00"  # in a kept ``manage`` copy: each request's own token goes here


def _co_chairs(forum_pk: int) -> frozenset:
    """The accounts linked to a co-chair membership of the forum (``is_forum_co_chair``), kept in the process."""
    return page_cache.derived_in_process(
        ("forum-co-chairs", forum_pk),
        lambda: frozenset(
            ForumMembership.objects.filter(forum_id=forum_pk, role="co_chair", user_id__isnull=False)
            .values_list("user_id", flat=True)
        ),
    )


def reader_kind(user, forum, can_manage: bool) -> str | None:
    """``public``, ``all`` or ``manage`` (see the module): what this reader's section shows; None: not kept."""
    if not user.is_authenticated:
        return "public"
    reads_all = (
        is_administrator(user)
        or forum.member_id in member_ids_with_role(user, "secretariat")
        or user.pk in _co_chairs(forum.pk)
    )
    if can_manage:
        return "manage" if reads_all else None  # (who keeps a forum reads its record: never otherwise)
    return "all" if reads_all else "public"


def kept_name(forum, today, kind: str, path: str) -> str:
    name = f"forum-open-items:{forum.pk}:{today.isoformat()}:{kind}"
    return f"{name}:{path}" if kind == "manage" else name


def open_items_part(request, forum, *, can_manage: bool, today):
    """``(name, html)``: the fragment's name to read ahead (None when not kept) and a function giving the section,
    the CSRF slot left in it for :func:`fill` (``forums.templatetags.forum_page``)."""
    user = request.user

    def render():
        return open_items_section(
            open_items(user, forum), forum_pk=forum.pk, can_manage=can_manage, today=today,
            csrf_token=CSRF_SLOT if can_manage else "", path=request.path if can_manage else "",
        )

    kind = reader_kind(user, forum, can_manage) if page_cache.enabled() and len(request.path) <= 200 else None
    if kind is None:
        return None, render
    name = kept_name(forum, today, kind, request.path)
    return name, lambda: page_cache.fragment(name, render)


def fill(html, csrf_token) -> str:
    """The section with this request's CSRF token in its slots."""
    html = str(html)
    if CSRF_SLOT in html:
        html = html.replace(CSRF_SLOT, escape(str(csrf_token)))
    return mark_safe(html)  # noqa: S308 - our own section, the token escaped
