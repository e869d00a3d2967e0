""""My work" kept between a person's visits (accounts/work_cache.py, issue #20): served again only while nothing it
shows has changed, never to anybody else.

Each test first shows the copy is kept (a change written past every token, ``QuerySet.update``, does not show),
then makes one change through the code that makes it in production (a service, a signal-sending save) and
shows it on the next visit: a progress update saved as a draft, submitted, returned, approved, deleted; a
milestone edited or its deadline moved; a commitment renamed; a dispute opened; a role granted or removed; an
author renamed; the day turning; another language. Two coordinators of different agencies each get their own.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts import work_cache
from commitments import progress, services
from commitments.models import Commitment, Milestone, ProgressUpdate, Role
from engagement import services as engagement_services

from .conftest import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

# Mid 2019-H2, while the Kyrgyz plan 2018–2020 is in implementation (as tests/accounts/test_my_work.py).
PINNED = dt.datetime(2019, 8, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(PINNED, tick=False):
        yield


def _main(client, path=None) -> str:
    """The page's content (inside ``<main>``: the header around it carries per-request tokens)."""
    response = client.get(path or reverse("work:my_work"))
    assert response.status_code == 200
    return re.search(r"<main id=\"main\"[^>]*>(.*)</main>", response.text, re.S).group(1)


def _kept(client, path=None) -> str:
    """Visit twice: the second visit is the kept copy (a change written past every token then does not show)."""
    first = _main(client, path)
    assert _main(client, path) == first
    return first


def _past_every_token(milestone, text):
    Milestone.objects.filter(pk=milestone.pk).update(deliverable_en=text)  # no signal, no token: not shown while kept


def _person(world, user):
    return sign_in(Client(), user)


def test_the_copy_is_served_until_a_milestone_is_edited_through_its_service(world, django_capture_on_commit_callbacks):
    client = _person(world, world.users.own)
    _kept(client)
    _past_every_token(world.milestone, "Written past every token")
    assert "Written past every token" not in _main(client)  # the kept copy
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_milestone(milestone, by=world.users.own, data={"deliverable": "Edited through the service"}, version=milestone.version)
    assert "Edited through the service" in _main(client)


def test_a_moved_deadline_changes_the_status_at_once(world, django_capture_on_commit_callbacks):
    client = _person(world, world.users.own)
    overdue = '<mark class="status status-overdue">'
    before = _kept(client)
    done = ProgressUpdate.objects.filter(completion__in=["complete", "withdrawn"]).values("milestone_id")
    milestone = next(m for m in Milestone.objects.filter(commitment=world.kg0017).exclude(pk__in=done).order_by("id")
                     if m.ends_on is None or m.ends_on >= PINNED.date())
    with django_capture_on_commit_callbacks(execute=True):
        services.update_milestone(milestone, by=world.users.own, version=milestone.version, data={
            "start_date": dt.date(2019, 1, 1), "start_precision": "day", "end_date": dt.date(2019, 8, 1), "end_precision": "day"})
    assert _main(client).count(overdue) == before.count(overdue) + 1


def test_a_commitment_renamed_shows_at_once(world, django_capture_on_commit_callbacks):
    client = _person(world, world.users.own)
    _kept(client)
    commitment = Commitment.objects.get(pk=world.kg0017.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_commitment(commitment, by=world.users.own, data={"title": "Audits in the open"}, version=commitment.version)
    assert "Audits in the open" in _main(client)


def _period(world):
    plan = world.kg0017.plan
    return progress.current_period(plan, PINNED.date())


def test_a_draft_saved_shows_in_the_latest_update_column(world):
    """A draft is no publication (no public page changes): its member's work token is what makes the copy stale."""
    client = _person(world, world.users.own)
    milestone = Milestone.objects.select_related("commitment__plan").filter(commitment=world.kg0017).order_by("id").last()
    before = _kept(client)
    _past_every_token(milestone, "Written past every token")
    assert "Written past every token" not in _main(client)
    progress.save_progress(milestone, _period(world), by=world.users.own, data={"completion": "substantial"}, version=0, now=PINNED)
    after = _main(client)
    assert "Written past every token" in after  # rendered anew
    assert after.count("Substantial (Draft)") == before.count("Substantial (Draft)") + 1


def test_a_draft_saved_through_the_progress_form_shows_too(world):
    client = _person(world, world.users.own)
    milestone = Milestone.objects.filter(commitment=world.kg0017).order_by("id").last()
    before = _kept(client)
    url = reverse("commitments:progress", args=[world.kg0017.identifier, milestone.pk])
    response = client.post(url, {"completion": "complete", "narrative": "Done and published.", "period": _period(world).label, "version": 0})
    assert response.status_code in (200, 302), response.status_code
    assert ProgressUpdate.objects.filter(milestone=milestone, completion="complete").exists()
    assert _main(client) != before


def test_a_submission_and_a_return_change_the_point_of_contacts_queue(world):
    poc = _person(world, world.users.poc)
    assert "1 update to review" in _kept(poc)
    draft = world.updates.draft
    submitted = progress.submit_progress(draft, by=world.users.own, version=draft.version, now=PINNED)
    assert "2 updates to review" in _main(poc)
    progress.return_progress(submitted, by=world.users.poc, version=submitted.version, now=PINNED, comment="Say which audits.")
    assert "1 update to review" in _main(poc)


def test_an_approval_empties_the_queue_and_shows_the_coordinator_the_publication(world, django_capture_on_commit_callbacks):
    poc, own = _person(world, world.users.poc), _person(world, world.users.own)
    assert "1 update to review" in _kept(poc)
    before = _kept(own)
    update = world.updates.submitted
    with django_capture_on_commit_callbacks(execute=True):
        progress.approve_progress(update, by=world.users.poc, version=update.version, now=PINNED)
    assert "No update is waiting for review." in _main(poc)
    after = _main(own)
    assert after.count("(Approved (public))") == before.count("(Approved (public))") + 1


def test_a_deleted_update_leaves_the_page(world):
    own = _person(world, world.users.own)
    before = _kept(own)
    ProgressUpdate.objects.get(pk=world.updates.submitted.pk).delete()
    assert _main(own).count("(Submitted for review)") == before.count("(Submitted for review)") - 1


def test_a_dispute_opened_shows_in_the_coordinators_disputes(world, django_capture_on_commit_callbacks):
    own = _person(world, world.users.own)
    assert "dispute to answer" not in _kept(own)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.review(world.updates.published, by=world.users.civil, stance="dispute",
                                   comment="The audit reports are not online.", now=PINNED)
    assert "1 dispute to answer" in _main(own)


def test_a_role_granted_then_removed_shows_at_the_next_visit(world):
    civil = _person(world, world.users.civil)
    assert "civil-society account" in _kept(civil)
    role = Role.objects.create(user=world.users.civil, member=world.kg, kind=Role.Kind.COORDINATOR, agency=world.chamber)
    page = _main(civil)
    assert "civil-society account" not in page and "<strong>KG0017</strong>" in page
    role.delete()
    assert "civil-society account" in _main(civil)


def test_an_authors_new_name_shows_in_the_review_queue(world):
    poc = _person(world, world.users.poc)
    assert "Aida Sydykova" not in _kept(poc)
    world.users.own.first_name, world.users.own.last_name = "Aida", "Sydykova"
    world.users.own.save()
    assert "Aida Sydykova" in _main(poc)


def test_the_next_day_and_another_language_are_rendered_anew(world):
    own, russian_path = _person(world, world.users.own), "/ru" + reverse("work:my_work")
    english = _kept(own)
    _past_every_token(world.milestone, "Written past every token")
    assert "Written past every token" not in _main(own)  # the English copy, kept
    russian = _main(own, russian_path)
    assert "Written past every token" in russian and russian != english
    _past_every_token(world.milestone, "Written past every token again")
    with time_machine.travel(PINNED + dt.timedelta(days=1), tick=False):
        assert "Written past every token again" in _main(own, russian_path)


def test_two_coordinators_of_different_agencies_each_get_their_own(world, settings):
    own, finance = _person(world, world.users.own), _person(world, world.users.other_agency)
    own_page, finance_page = _kept(own), _kept(finance)
    assert "<strong>KG0017</strong>" in own_page and "<strong>KG0008</strong>" not in own_page
    assert "<strong>KG0008</strong>" in finance_page and "<strong>KG0017</strong>" not in finance_page
    settings.PUBLIC_PAGE_CACHE = False  # rendered from the database: the same as each kept copy
    assert _main(own) == own_page and _main(finance) == finance_page


def test_an_administrators_page_is_rendered_every_time(world):
    admin = _person(world, world.users.admin)
    assert "1 update to review" in _main(admin)
    ProgressUpdate.objects.filter(pk=world.updates.draft.pk).update(state="submitted")  # past every token
    assert "2 updates to review" in _main(admin)


def test_a_cache_that_is_down_costs_the_rendering_not_the_page(world, monkeypatch):
    own = _person(world, world.users.own)
    expected = _kept(own)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(work_cache.cache, "get_many", down)
    monkeypatch.setattr(work_cache.cache, "set", down)
    assert _main(own) == expected


def test_a_cascade_deleting_many_updates_replaces_the_tokens_once_at_its_commit(world, django_capture_on_commit_callbacks):
    """A milestone deleted with its updates (the admin, a cascade from a plan or member: hundreds at scale 10) asks
    no query per update and leaves one replacement for the commit; every kept page shows the change."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    own = _person(world, world.users.own)
    before = _kept(own)
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    updates = ProgressUpdate.objects.filter(milestone=milestone).count()
    assert updates >= 2
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
        milestone.delete()
    assert len([c for c in callbacks if isinstance(c, work_cache._Replace)]) == 1
    looked_up = [q for q in queries.captured_queries if q["sql"].startswith('SELECT "commitments_actionplan"."member_id"')]
    assert not looked_up  # (a saved update's member is looked up when not read with it; a deleted one's is not)
    after = _main(own)
    assert after != before and after.count("<tr>") < before.count("<tr>")
