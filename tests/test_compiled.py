"""Querysets compiled once per process (``ogp_portal.compiled``, issue #20): the same rows as the ORM's, in one query.

The member, forum, compliance member, plan and commitment pages, the pages' heads and "My work" read through it
(My work's scopes: tests/accounts/test_my_work.py)."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from commitments.models import Member
from engagement.models import Follow
from ogp_portal import compiled as compiled_module
from ogp_portal.compiled import compiled, compiled_sql
from ogp_portal.compiled import rows as compiled_rows
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


# What the plan and commitment pages and "My work" need of it (formerly commitments.compiled and accounts.work_queries).


def _largest_plan():
    from commitments.models import ActionPlan

    return max(ActionPlan.objects.all(), key=lambda plan: plan.commitments.count())


def test_compiled_rows_are_the_orms_tuples_in_the_order_asked_with_dates_converted(seed_data, monkeypatch):
    import datetime as dt

    from commitments import views
    from commitments.models import ActionPlan, Milestone

    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    plan = _largest_plan()

    def expected(pk):
        return [tuple(row) for row in Milestone.objects.filter(commitment__plan_id=pk).order_by("id").values_list("pk", *views.PLAN_MILESTONE_FIELDS)]

    assert len(expected(plan.pk)) > 10
    compiled_rows("test-plan-milestones", views._plan_milestones, plan=plan.pk)
    with CaptureQueriesContext(connection) as ctx:
        got = compiled_rows("test-plan-milestones", views._plan_milestones, plan=plan.pk)
    assert len(ctx.captured_queries) == 1
    assert got == expected(plan.pk)
    assert any(isinstance(row[3], dt.date) for row in got)  # SQLite's text dates through the compiler's converters
    entry = next(value for key, value in compiled_module._COMPILED.items() if key[0] == "test-plan-milestones")
    assert entry.fast is not None  # read straight from the cursor
    other = ActionPlan.objects.exclude(pk=plan.pk).first()  # the same statement: that plan's rows
    assert compiled_rows("test-plan-milestones", views._plan_milestones, plan=other.pk) == expected(other.pk)
    # Columns given in another order than the statement's (an annotation and fields): values_list's order.
    build = lambda plan: Milestone.objects.filter(commitment__plan_id=plan).annotate(n=F("number")).order_by("id").values_list("n", "end_date", "pk")  # noqa: E731
    assert compiled_rows("test-order", build, plan=plan.pk) == [tuple(r) for r in build(plan.pk)]


def test_compiled_model_instances_are_the_orms_in_every_language(seed_data, monkeypatch):
    from commitments import views
    from commitments.models import Commitment, Milestone

    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    commitment = max(Commitment.objects.all(), key=lambda c: c.milestones.count())
    expected = list(Milestone.objects.filter(commitment_id=commitment.pk).order_by("id"))
    compiled("test-milestones", views._milestones, pk=commitment.pk)
    with CaptureQueriesContext(connection) as ctx:
        got = list(compiled("test-milestones", views._milestones, pk=commitment.pk))
    assert len(ctx.captured_queries) == 1
    fields = [f.attname for f in Milestone._meta.concrete_fields]
    assert [[getattr(m, f) for f in fields] for m in got] == [[getattr(m, f) for f in fields] for m in expected]
    with translation.override("ru"):  # the translated text through modeltranslation, as from the ORM
        assert [m.deliverable for m in compiled("test-milestones", views._milestones, pk=commitment.pk)] == [
            m.deliverable for m in Milestone.objects.filter(commitment_id=commitment.pk).order_by("id")
        ]
        # A translated field in a values_list: modeltranslation's fallback, through its iterable.
        build = lambda pk: Milestone.objects.filter(commitment_id=pk).order_by("id").values_list("pk", "deliverable")  # noqa: E731
        assert compiled_rows("test-deliverables", build, pk=commitment.pk) == [tuple(r) for r in build(commitment.pk)]


def test_the_published_levels_are_the_plans_published_updates(seed_data):
    from commitments import views
    from commitments.models import ProgressUpdate
    from ogp_portal.permissions import published_updates

    plan = _largest_plan()
    expected = published_updates(ProgressUpdate.objects.filter(milestone__commitment__plan_id=plan.pk))
    got = compiled_rows("plan-levels", views._plan_levels, plan=plan.pk)
    assert sorted(got, key=repr) == sorted(
        (tuple(r) for r in expected.values_list("milestone_id", "period_end", "published_at", "completion")), key=repr
    )


def test_select_related_and_a_value_used_twice_are_kept(seed_data, monkeypatch):
    from commitments.models import Commitment, Milestone

    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    first, second = Commitment.objects.order_by("pk")[:2]
    for commitment in (first, second, first):
        expected = [(commitment.pk, commitment.plan_id, commitment.plan.member.code)]
        got = list(compiled("test-related", lambda pk: Commitment.objects.select_related("plan__member").filter(pk=pk), pk=commitment.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert [(c.pk, c.plan.pk, c.plan.member.code) for c in got] == expected
        assert ctx.captured_queries == []  # the relations were filled by the one query
        milestone = commitment.milestones.order_by("pk").first()
        twice = lambda pk: Milestone.objects.filter(pk=pk, id__gte=pk)  # noqa: E731
        assert [m.pk for m in compiled("test-twice", twice, pk=milestone.pk)] == [milestone.pk]


def test_the_plan_pages_commitments_carry_their_lead_agency_or_none(seed_data):
    from commitments import plan_page
    from commitments.models import Commitment

    plan = _largest_plan()
    without = plan.commitments.order_by("number").first()
    Commitment.objects.filter(pk=without.pk).update(lead_agency=None)
    expected = {c.pk: c.lead_agency for c in plan.commitments.select_related("lead_agency")}
    got = plan_page.plan_commitments(plan.pk)  # plain rows since issue #20's session 13
    assert sorted(c.pk for c in got) == sorted(expected)
    for c in got:
        agency = expected[c.pk]
        assert (c.lead_agency is None) == (agency is None)
        if agency is not None:
            assert (c.lead_agency.pk, c.lead_agency.name, c.lead_agency.acronym) == (agency.pk, agency.name, agency.acronym)
    assert got[[c.pk for c in got].index(without.pk)].lead_agency is None


def test_a_list_of_values_goes_in_place_of_its_placeholders_once_per_length(monkeypatch):
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    members = [MemberFactory(code=code, name=code) for code in ("ZA", "ZB", "ZC", "ZD")]
    built = []

    def build(pks):
        built.append(list(pks))
        return Member.objects.filter(pk__in=pks).order_by("pk").values_list("pk", "code")

    for chosen in (members[:2], members[2:], members[1:3], members[:3]):
        pks = [m.pk for m in chosen]
        assert compiled_rows("test-list", build, pks=pks) == [(m.pk, m.code) for m in sorted(chosen, key=lambda m: m.pk)]
    assert len(built) == 2  # once per length, with placeholders
    assert all(pk < 0 for pks in built for pk in pks)


def test_placeholders_inside_an_array_parameter_are_replaced():
    placeholders = compiled_module._placeholders({"pks": [1, 2], "user": 3})
    entry = object.__new__(compiled_module._Compiled)
    entry.params = ("x", list(placeholders["pks"]), placeholders["user"], (placeholders["user"], 7))
    entry.slots = ((1, 0, "pks", 0), (1, 1, "pks", 1), (2, None, "user", None), (3, 0, "user", None))
    assert entry.params_for({"pks": [10, 20], "user": 30}) == ("x", [10, 20], 30, (30, 7))
    assert entry.params == ("x", placeholders["pks"], placeholders["user"], (placeholders["user"], 7))  # kept as compiled


def test_a_query_that_selects_nothing_runs_none(monkeypatch):
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    MemberFactory()
    build = lambda pks: Member.objects.filter(pk__in=pks).values_list("pk")  # noqa: E731
    with CaptureQueriesContext(connection) as ctx:
        assert compiled_rows("test-empty", build, pks=[]) == []
        assert list(compiled("test-empty", build, pks=[])) == []
        assert compiled_sql("test-empty", build, pks=[]) is None
    assert ctx.captured_queries == []
    sql, params = compiled_sql("test-empty", build, pks=[5])
    assert list(params) == [5] and sql == build([5]).query.sql_with_params()[0]


def test_the_shapes_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    monkeypatch.setattr(compiled_module, "MOST_SHAPES", 3)
    member = MemberFactory()
    for shape in range(7):
        assert compiled_rows(("test-bound", shape), lambda pk: Member.objects.filter(pk=pk).values_list("code"), pk=member.pk) == [(member.code,)]
        assert len(compiled_module._COMPILED) <= 3


def test_the_plan_pages_lead_institutions_and_the_commitments_report_lines_are_the_orms(seed_data, monkeypatch):
    from commitments import views
    from commitments.models import StatusReport, StatusReportLine

    plan = _largest_plan()
    commitment = plan.commitments.order_by("pk").first()
    orm = {
        (views._lead_institutions, plan.pk): lambda: plan.lead_institutions.all(),
        (views._report_lines, commitment.pk): lambda: StatusReportLine.objects.filter(
            commitment=commitment, report__state=StatusReport.State.PUBLISHED
        ).select_related("report").order_by("-report__period_start"),
    }
    monkeypatch.setattr(compiled_module, "_COMPILED", {})
    for (build, pk), before in orm.items():
        for language in ("en", "ru"):
            with translation.override(language):
                compiled(f"test-{build.__name__}", build, **{build.__code__.co_varnames[0]: pk})
                with CaptureQueriesContext(connection) as ours:
                    got = list(compiled(f"test-{build.__name__}", build, **{build.__code__.co_varnames[0]: pk}))
                with CaptureQueriesContext(connection) as theirs:
                    expected = list(before())
                assert [q["sql"] for q in ours.captured_queries] == [q["sql"] for q in theirs.captured_queries], build.__name__
                assert [row.pk for row in got] == [row.pk for row in expected]
