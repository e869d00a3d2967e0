"""A page's own query compiled once per process (``ogp_portal.compiled``, issue #20): the same rows as the ORM's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import Member
from engagement.models import Follow
from ogp_portal import compiled as compiled_module
from ogp_portal.compiled import compiled
from ogp_portal.pages import _member_page_query
from tests.factories import LocalMemberFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(member):
    return {
        **{field.attname: getattr(member, field.attname) for field in Member._meta.concrete_fields},
        **{name: getattr(member, name, None) for name in ("status", "status_since", "open_findings", "next_plan_due", "followed")},
        "parent": getattr(member.parent, "name", None),
    }


def test_the_member_pages_query_gives_the_orms_rows_for_each_code_and_visitor_and_is_built_once(monkeypatch):
    national = MemberFactory()
    local = LocalMemberFactory(parent=national)
    follower, other = UserFactory(), UserFactory()
    Follow.objects.create(user=follower, member=local)
    built = []

    def build(**values):
        built.append(values)
        return _member_page_query(**values)

    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    for member in (national, local):
        for user in (follower, other):
            rows = list(compiled("test-member-followed", build, code=member.code, user=user.pk))
            orm = list(_member_page_query(code=member.code, user=user.pk))
            assert [_fields(row) for row in rows] == [_fields(row) for row in orm]
            assert rows[0].followed == (member == local and user == follower)
    assert [_fields(row) for row in compiled("test-member", build, code=local.code)] == [
        _fields(row) for row in _member_page_query(code=local.code)
    ]
    assert list(compiled("test-member", build, code="NOPE")) == []
    assert len(built) == 2  # once per shape, with placeholders: never with a request's values
    assert all(values["code"] not in (national.code, local.code, "NOPE") for values in built)


def test_one_query_and_the_same_sql_as_the_orm(monkeypatch):
    member = MemberFactory()
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    compiled("test-member", _member_page_query, code=member.code)  # compiled
    with CaptureQueriesContext(connection) as ctx:
        list(compiled("test-member", _member_page_query, code=member.code))
    with CaptureQueriesContext(connection) as orm:
        list(_member_page_query(code=member.code))
    assert [q["sql"] for q in ctx.captured_queries] == [q["sql"] for q in orm.captured_queries]


def test_a_value_the_orm_transforms_runs_through_the_orm_every_time(monkeypatch):
    MemberFactory(name="Freedonia")
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    built = []

    def build(text):
        built.append(text)
        return Member.objects.filter(name__icontains=text).order_by("pk")

    assert [m.name for m in compiled("test-search", build, text="donia")] == ["Freedonia"]
    assert [m.name for m in compiled("test-search", build, text="nowhere")] == []
    assert built[1:] == ["donia", "nowhere"]  # the placeholder was not found as given: the ORM with the real values


@pytest.mark.parametrize("path", ["/forums/99999999999999999999999/", "/forums/0/", "/members/NOPE/", "/compliance/NOPE/"])
def test_an_address_of_nothing_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_the_forum_and_compliance_member_pages_read_their_object_through_the_compiled_query(client, monkeypatch):
    from tests.factories import ForumFactory

    forum = ForumFactory()
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    assert client.get(f"/forums/{forum.pk}/").status_code == 200
    assert client.get(f"/compliance/{forum.member.code}/").status_code == 200
    assert {"forum-page", "forum-open-items", "compliance-member-page"} <= {key[0] for key in compiled_module._COMPILED}


def test_the_member_pages_cocreation_processes_are_the_related_managers(monkeypatch):
    from cocreation.templatetags.cocreation_links import _member_processes

    member = MemberFactory()
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    compiled("test-processes", _member_processes, member=member.pk)
    with CaptureQueriesContext(connection) as ctx:
        list(compiled("test-processes", _member_processes, member=member.pk))
    with CaptureQueriesContext(connection) as orm:
        list(member.cocreation_processes.order_by("-plan_deadline"))
    assert [q["sql"] for q in ctx.captured_queries] == [q["sql"] for q in orm.captured_queries]


def test_the_member_and_compliance_pages_other_reads_are_the_orms(monkeypatch):
    from compliance import views as compliance_views
    from compliance.models import Cycle, Finding, StatusEvent
    from ogp_portal import pages

    member = MemberFactory()
    from commitments.models import ActionPlan
    from commitments.figures import plan_totals

    orm = {
        pages._member_plans: lambda: ActionPlan.objects.filter(member=member)
        .annotate(commitment_count=plan_totals("commitment_total")["commitment_total"])
        .order_by("-start_date"),
        pages._member_forums: lambda: member.forums.all(),
        pages._member_locals: lambda: Member.objects.filter(parent=member).order_by("name"),
        compliance_views._member_findings: lambda: Finding.objects.filter(member=member).order_by("-effective_on", "kind", "period"),
        compliance_views._member_events: lambda: StatusEvent.objects.filter(member=member).order_by("-effective_on", "-pk"),
        compliance_views._member_cycles: lambda: Cycle.objects.filter(member=member).order_by("starts_on", "pk"),
    }
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    for build, before in orm.items():
        compiled(f"test-{build.__name__}", build, member=member.pk)
        with CaptureQueriesContext(connection) as ours:
            list(compiled(f"test-{build.__name__}", build, member=member.pk))
        with CaptureQueriesContext(connection) as theirs:
            list(before())
        assert [q["sql"] for q in ours.captured_queries] == [q["sql"] for q in theirs.captured_queries], build.__name__


def test_the_forum_pages_lists_are_the_related_managers(monkeypatch):
    from forums import rows as forum_views
    from tests.factories import ForumFactory

    forum = ForumFactory()
    orm = {
        forum_views.forum_meetings: lambda: forum.meetings.defer("agenda", "minutes", "private_notes").order_by("-starts_at"),
        forum_views.forum_memberships: lambda: forum.memberships.order_by("role", "person"),
    }
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    for build, before in orm.items():
        compiled(f"test-{build.__name__}", build, forum=forum.pk)
        with CaptureQueriesContext(connection) as ours:
            rows = forum_views.of_forum(forum, compiled(f"test-{build.__name__}", build, forum=forum.pk))
            assert all(row.forum is forum for row in rows)  # no query for it
        with CaptureQueriesContext(connection) as theirs:
            list(before())
        assert [q["sql"] for q in ours.captured_queries] == [q["sql"] for q in theirs.captured_queries], build.__name__
