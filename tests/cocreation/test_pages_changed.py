"""A change in co-creation shows at once on the public pages kept for anonymous visitors (issue #20, session 10).

The member page lists the member's co-creation processes (title and stage), the compliance member page counts its
co-creation records (MR 2.2) and the API's co-creation lists show proposals, supporters, comments and responses:
all kept for anonymous visitors. Every co-creation service marks them out of date once it commits, scoped to the
member (as an approval is): the parts kept for another member's pages are left be.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cocreation import services
from cocreation.models import Stage
from commitments.models import Member
from forums.models import Meeting
from ogp_portal import cache as page_cache

from .conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

D = dt.date
NONE_OPEN = "No co-creation process is open for this member."


def _page(member) -> str:
    response = Client().get(reverse("commitments:member", args=[member.code]))
    assert response.status_code == 200
    return response.content.decode()


def _locals_key(member):
    """The key of a part of the member page kept under the member's scope (``{% shared_fragment "member-locals" %}``)."""
    return page_cache.fragment_key(f"member-locals:{member.pk}", "en", member=member.pk)


@pytest.fixture
def bishkek(kg):
    return Member.objects.get(code="KGBSK")  # an OGP Local member of the Kyrgyz Republic: not shown with it


def test_a_new_process_and_its_stage_show_at_once_on_the_cached_member_page_and_leave_other_members_be(
    kg, bishkek, people, django_capture_on_commit_callbacks
):
    assert NONE_OPEN in _page(kg)
    _page(bishkek)
    kept_key = _locals_key(bishkek)
    kept = cache.get(kept_key)
    assert kept is not None

    with django_capture_on_commit_callbacks(execute=True):
        process = services.open_process(kg, by=people["secretariat"], now=at(2023, 3, 1))
    page = _page(kg)
    assert process.title in page and NONE_OPEN not in page
    assert str(Stage.PROPOSALS.label) in page

    with django_capture_on_commit_callbacks(execute=True):
        services.advance_stage(process, by=people["secretariat"], stage=Stage.DRAFTS)
    page = _page(kg)
    assert str(Stage.DRAFTS.label) in page and str(Stage.PROPOSALS.label) not in page

    # Bishkek's kept part is still there under the same key: its scope was not replaced.
    assert _locals_key(bishkek) == kept_key and cache.get(kept_key) == kept


def test_a_support_shows_at_once_in_the_cached_api_list(kg, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        process = services.open_process(kg, by=people["secretariat"], now=at(2023, 3, 1))
        proposal = services.submit_proposal(process, by=people["citizen"], now=at(2023, 4, 1), data={
            "title": "Open audit reports", "problem": "Audits are secret.", "proposed_commitment": "Publish them.",
            "sector": "citizen"})
    url = reverse("api:proposal-list")

    def supporters():
        rows = Client().get(url).json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        return next(r["supporters"] for r in rows if r["id"] == proposal.pk)

    assert supporters() == 0 == supporters()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_support(proposal, by=people["ngo"], now=at(2023, 4, 2))
    assert supporters() == 1


def test_every_change_of_the_flow_replaces_the_members_scope_and_no_other(
    kg, bishkek, people, django_capture_on_commit_callbacks
):
    sec, poc, citizen = people["secretariat"], people["poc"], people["citizen"]
    other = bishkek.pk
    seen = {"kg": page_cache.member_generation(kg.pk), "other": page_cache.member_generation(other)}

    def step(run, *, scoped=True):
        with django_capture_on_commit_callbacks(execute=True):
            result = run()
        now = page_cache.member_generation(kg.pk)
        assert now != seen["kg"], run
        seen["kg"] = now
        if scoped:
            assert page_cache.member_generation(other) == seen["other"], run
        return result

    process = step(lambda: services.open_process(kg, by=sec, now=at(2023, 3, 1)))
    data = {"title": "Open audit reports", "problem": "Audits are secret.", "proposed_commitment": "Publish them.",
            "sector": "citizen"}
    audit = step(lambda: services.submit_proposal(process, by=citizen, data=data, now=at(2023, 4, 1)))
    spam = step(lambda: services.submit_proposal(process, by=people["other"], data={**data, "title": "Watches"},
                                                 now=at(2023, 4, 1)))
    step(lambda: services.set_support(audit, by=people["ngo"], now=at(2023, 4, 2)))
    step(lambda: services.add_comment(audit, by=people["ngo"], text="Agreed", now=at(2023, 4, 2)))
    step(lambda: services.moderate(spam, by=sec, hide=True, reason="Advertising.", now=at(2023, 4, 3)))
    draft = step(lambda: services.create_draft(process, by=sec, now=at(2023, 9, 1),
                                               data={"title": "Publish every audit report", "description": "Publish."}))
    step(lambda: services.merge_proposal(draft, audit, by=sec, now=at(2023, 9, 2)))
    draft = step(lambda: services.open_for_comment(draft, by=sec, now=at(2023, 9, 4), days=30))
    step(lambda: services.add_comment(draft, by=citizen, text="Include the regions.", now=at(2023, 9, 10)))
    draft = step(lambda: services.update_draft(draft, by=sec, data={"description": "Publish, regions too."},
                                               version=draft.version, now=at(2023, 10, 1)))
    step(lambda: services.respond(spam, by=sec, text="Not a proposal for the plan.", now=at(2023, 10, 2)))
    meeting = Meeting.objects.create(forum=kg.forums.first(), title="Forum on the plan", starts_at=at(2023, 10, 20, 10),
                                     status=Meeting.Status.HELD)
    step(lambda: services.record_decision(process, by=sec, meeting=meeting, now=at(2023, 10, 21),
                                          drafts={draft: (True, "Agreed.")},
                                          proposals={audit: ("accepted", None, "Accepted as the draft.")}))
    step(lambda: services.build_plan(process, by=poc, title="Fourth National Action Plan 2023-2025",
                                     start_date=D(2024, 1, 1), end_date=D(2025, 12, 31)),
         scoped=False)  # a new plan through the importer: every page, as any import
    process.refresh_from_db()
    step(lambda: services.mark_submitted(process, by=poc, submitted_on=D(2023, 11, 30), now=at(2023, 11, 30)),
         scoped=False)  # the plan's submission date (commitments.services.update_plan): every page


def test_my_works_co_creation_kept_per_roles_shows_every_change_at_once(kg, people, client, settings,
                                                                         django_capture_on_commit_callbacks):
    """"My work"'s co-creation section is kept per roles, generation and language: a new process and its next stage
    show at the next render, the kept render runs no co-creation query, and it is what the section renders uncached."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cocreation.templatetags.cocreation_links import my_cocreation

    work = reverse("work:my_work")

    def page(user):
        client.force_login(user)
        return client.get(work).content.decode()

    assert "Make and submit the plan" not in page(people["poc"])
    with django_capture_on_commit_callbacks(execute=True):
        process = services.open_process(kg, by=people["secretariat"], now=at(2023, 3, 1))
    assert process.title in page(people["poc"]) and "Make and submit the plan" in page(people["poc"])
    assert reverse("cocreation:decision", args=[process.pk]) in page(people["secretariat"])
    assert "Make and submit the plan" not in page(people["citizen"])
    client.force_login(people["poc"])
    with CaptureQueriesContext(connection) as kept:
        assert process.title in client.get(work).content.decode()
    assert not any("cocreation_cocreationprocess" in q["sql"] for q in kept.captured_queries)
    with django_capture_on_commit_callbacks(execute=True):
        services.advance_stage(process, by=people["secretariat"], stage=Stage.DRAFTS)
    assert str(Stage.DRAFTS.label) in page(people["poc"])
    kept_html = my_cocreation(people["poc"])
    settings.PUBLIC_PAGE_CACHE = False
    assert my_cocreation(people["poc"]) == kept_html
