"""The forum page's "Open action items" kept per kind of reader (forums/page_parts.py; issue #20).

With the shared parts on (production), a reader's section is the copy kept for their kind: what an anonymous
visitor sees, every item (a co-chair), or every item with the "Mark done" forms (who keeps the forum). Each reader,
whoever filled the copy, gets what a render for them alone gives (the page cache off); an unpublished meeting's
item never reaches anyone else; the forms carry the request's own CSRF token; each change that alters the section
makes the copy stale; a second visit reads no action item.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments.models import Role
from forums import services
from forums.models import ActionItem, ForumMembership, Meeting
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Draft the confidential memo"  # on a meeting whose minutes are unpublished
PUBLIC = "Publish the agenda"  # on a meeting whose minutes are published
_SECTION = re.compile(r'<section aria-labelledby="actions-heading">.*?</section>', re.S)
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def records(bishkek_forum, secretariat):
    held = list(bishkek_forum.meetings.filter(status=Meeting.Status.HELD).order_by("starts_at"))
    unpublished, published = held[-1], held[0]
    Meeting.objects.filter(pk=published.pk).update(minutes_published_at=timezone.now())
    Meeting.objects.filter(pk=unpublished.pk).update(minutes="Draft minutes, not yet approved")
    published.refresh_from_db()
    unpublished.refresh_from_db()
    services.add_action_item(unpublished, title=SECRET, owner="Secretariat", due_on=dt.date(2020, 1, 1), by=secretariat)
    services.add_action_item(published, title=PUBLIC, owner="Co-chairs", by=secretariat)
    return {"unpublished": unpublished, "published": published}


@pytest.fixture
def readers(bishkek_forum, secretariat, other_secretariat, coordinator):
    co_chair = UserFactory(username="co-chair")
    ForumMembership.objects.filter(pk=bishkek_forum.memberships.first().pk).update(role="co_chair", user=co_chair)
    plain = UserFactory(username="forum-member")
    ForumMembership.objects.filter(pk=bishkek_forum.memberships.exclude(role="co_chair").last().pk).update(user=plain)
    admin = UserFactory(username="admin", is_staff=True)
    return {
        "anonymous": None, "coordinator": coordinator, "other secretariat": other_secretariat, "forum member": plain,
        "co-chair": co_chair, "secretariat": secretariat, "administrator": admin,
    }


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _section(html):
    found = _SECTION.findall(html)
    return _TOKEN.sub('name="csrfmiddlewaretoken" value=""', found[0]) if found else ""


def _page(client, forum, language=""):
    response = client.get(f"{language}/forums/{forum.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("first", ["secretariat", "co-chair", "anonymous", "coordinator"])
def test_each_reader_gets_what_a_render_for_them_alone_gives(settings, bishkek_forum, records, readers, first):
    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE = False
    alone = {(who, lang): _section(_page(_client(user), bishkek_forum, lang)) for who, user in readers.items() for lang in ("", "/ru")}
    assert SECRET in alone["secretariat", ""] and SECRET in alone["co-chair", ""] and SECRET in alone["administrator", ""]
    assert all(SECRET not in alone[who, ""] and PUBLIC in alone[who, ""] for who in ("anonymous", "coordinator", "other secretariat", "forum member"))
    assert "csrfmiddlewaretoken" in alone["secretariat", ""] and "csrfmiddlewaretoken" not in alone["co-chair", ""]
    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()
    order = [first, *(who for who in readers if who != first)]
    for _round in range(2):  # the first reader fills the copy of their kind, the others read it (or fill theirs)
        for who in order:
            client = _client(readers[who])
            for lang in ("", "/ru"):
                assert _section(_page(client, bishkek_forum, lang)) == alone[who, lang], (who, lang)


def test_a_second_visit_reads_no_action_item_and_the_forms_carry_the_requests_token(settings, bishkek_forum, records, readers):
    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()
    for who in ("coordinator", "secretariat", "co-chair"):
        client = _client(readers[who])
        _page(client, bishkek_forum)
        with CaptureQueriesContext(connection) as ctx:
            html = _page(client, bishkek_forum)
        assert not [q for q in ctx.captured_queries if "forums_actionitem" in q["sql"]], who
        assert (SECRET in html) is (who != "coordinator")
    pages = [_page(_client(readers["secretariat"]), bishkek_forum) for _ in range(2)]
    tokens = [set(_TOKEN.findall(html)) for html in pages]
    assert all(len(found) == 1 for found in tokens), tokens  # the forms' token is the page's own (the language switcher's)
    assert tokens[0] != tokens[1]
    assert "\x00" not in pages[0]


def _kept_after(change, settings, bishkek_forum, readers, who, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()
    client = _client(readers[who])
    before = _section(_page(client, bishkek_forum))
    with django_capture_on_commit_callbacks(execute=True):
        change()
    return before, _section(_page(client, bishkek_forum))


@pytest.mark.parametrize("who", ["coordinator", "secretariat"])
def test_a_new_action_item_shows_at_the_next_visit(settings, bishkek_forum, records, readers, who, secretariat, django_capture_on_commit_callbacks):
    before, after = _kept_after(
        lambda: services.add_action_item(records["published"], title="A new item", owner="Ann", by=secretariat),
        settings, bishkek_forum, readers, who, django_capture_on_commit_callbacks,
    )
    assert "A new item" not in before and "A new item" in after


@pytest.mark.parametrize("who", ["coordinator", "secretariat"])
def test_an_item_marked_done_leaves_at_the_next_visit(settings, bishkek_forum, records, readers, who, secretariat, django_capture_on_commit_callbacks):
    item = ActionItem.objects.get(title=PUBLIC)
    before, after = _kept_after(
        lambda: services.set_action_item_status(item, status="done", by=secretariat, now=timezone.now()),
        settings, bishkek_forum, readers, who, django_capture_on_commit_callbacks,
    )
    assert PUBLIC in before and PUBLIC not in after


def test_published_minutes_show_their_items_to_everyone_at_the_next_visit(settings, bishkek_forum, records, readers, secretariat, django_capture_on_commit_callbacks):
    chair = bishkek_forum.memberships.get(role="co_chair")
    before, after = _kept_after(
        lambda: services.approve_minutes(records["unpublished"], chair, by=secretariat, now=timezone.now()),
        settings, bishkek_forum, readers, "coordinator", django_capture_on_commit_callbacks,
    )
    assert SECRET not in before and SECRET in after


def test_a_reader_made_co_chair_reads_every_item_at_the_next_visit(settings, bishkek_forum, records, readers, secretariat, django_capture_on_commit_callbacks):
    from ogp_portal.versioning import current_version

    seat = bishkek_forum.memberships.exclude(role="co_chair").first()
    before, after = _kept_after(
        lambda: services.update_membership(seat, by=secretariat, data={"role": "co_chair", "user": readers["coordinator"]}, version=current_version(seat)),
        settings, bishkek_forum, readers, "coordinator", django_capture_on_commit_callbacks,
    )
    assert SECRET not in before and SECRET in after


def test_a_role_granted_shows_the_forms_at_the_next_visit(settings, bishkek_forum, records, readers):
    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()
    user = readers["coordinator"]
    client = _client(user)
    assert "Mark done" not in _page(client, bishkek_forum)
    Role.objects.create(user=user, member=bishkek_forum.member, kind=Role.Kind.SECRETARIAT)
    client = _client(user)
    html = _page(client, bishkek_forum)
    assert "Mark done" in html and SECRET in html


@pytest.mark.parametrize(
    "change",
    ["schedule a meeting", "record attendance", "add a decision", "publish minutes", "add an action item", "mark an item done", "change a seat"],
)
def test_each_kind_of_forum_change_renews_the_members_kept_parts(bishkek_forum, records, secretariat, change, django_capture_on_commit_callbacks):
    """Every forum service replaces the member's scope token the kept copies are keyed under (``member_generation``)."""
    from ogp_portal.cache import member_generation
    from ogp_portal.versioning import current_version

    now = timezone.now()
    planned = Meeting.objects.create(forum=bishkek_forum, starts_at=now - dt.timedelta(hours=2), status=Meeting.Status.PLANNED)
    seat = bishkek_forum.memberships.first()
    changes = {
        "schedule a meeting": lambda: services.schedule_meeting(bishkek_forum, starts_at=now + dt.timedelta(days=9), by=secretariat, now=now, invite=False),
        "record attendance": lambda: services.record_meeting(planned, attendance={seat.pk: ("present", "")}, by=secretariat, now=now),
        "add a decision": lambda: services.add_decision(records["published"], text="Adopted", by=secretariat),
        "publish minutes": lambda: services.publish_minutes_without_co_chairs(records["unpublished"], by=secretariat, now=now),
        "add an action item": lambda: services.add_action_item(records["published"], title="New", owner="Ann", by=secretariat),
        "mark an item done": lambda: services.set_action_item_status(ActionItem.objects.get(title=PUBLIC), status="done", by=secretariat, now=now),
        "change a seat": lambda: services.update_membership(seat, by=secretariat, data={"position": "Chair"}, version=current_version(seat)),
    }
    before = member_generation(bishkek_forum.member_id)
    with django_capture_on_commit_callbacks(execute=True):
        changes[change]()
    assert member_generation(bishkek_forum.member_id) != before


def test_the_forum_row_is_kept_in_the_process_until_a_change(settings, bishkek_forum, records, readers, secretariat, django_capture_on_commit_callbacks):
    """The forum's own row is read once per process and generation: a signed-in reader's next visit runs no query;
    a change to the forum (a new name) shows at the next visit; a forum that does not exist is still a 404."""
    from django.core.cache import cache
    from ogp_portal.versioning import current_version

    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()
    client = _client(readers["coordinator"])
    _page(client, bishkek_forum)
    with CaptureQueriesContext(connection) as ctx:
        _page(client, bishkek_forum)
    assert not ctx.captured_queries, [q["sql"] for q in ctx.captured_queries]
    with django_capture_on_commit_callbacks(execute=True):
        services.update_forum(bishkek_forum, by=secretariat, data={"name": "The renamed committee"}, version=current_version(bishkek_forum))
    assert "The renamed committee" in _page(client, bishkek_forum)
    assert client.get("/forums/999999/").status_code == 404


def test_the_secretariats_kept_form_closes_the_item_with_csrf_checks_on(settings, bishkek_forum, records, readers):
    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()
    _page(_client(readers["administrator"]), bishkek_forum)  # another keeper fills the kept copy
    client = Client(enforce_csrf_checks=True)
    client.force_login(readers["secretariat"])
    html = _page(client, bishkek_forum)
    item = ActionItem.objects.get(title=SECRET)
    action = reverse("forums:action_status", args=[bishkek_forum.pk, item.pk])
    form = re.search(rf'<form method="post" action="({re.escape(action)})" class="inline-form"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">', html)
    assert form, html
    response = client.post(form.group(1), {"csrfmiddlewaretoken": form.group(2), "status": "done", "next": f"/forums/{bishkek_forum.pk}/"})
    assert response.status_code == 302, response.content
    assert response["Location"] == f"/forums/{bishkek_forum.pk}/", response["Location"]
    item.refresh_from_db()
    assert item.status == "done"
