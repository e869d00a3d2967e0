"""A publication makes only its own member's shared parts out of date (issue #20: the first visitor after a publication).

Every change used to replace the one generation every shared part is kept under, so an update approved by the
Kyrgyz Republic's point of contact made the next visitor of Bishkek's plan render it again. Now the parts of a
member's own pages (member, plan, commitment, forum, compliance member) are kept under that member's scope:
an approval, a published status report or a review replaces the scope of the member concerned (and of its
parent), while the pages across members (home, list, overview, the whole pages kept for anonymous visitors)
follow every change as before, and any other change (an import, the admin, a sweep) replaces them all.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commitments import progress
from commitments.models import ActionPlan, Completion, Member
from engagement import services as engagement_services
from ogp_portal import cache as page_cache
from tests.engagement.conftest import people  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

NOW = dt.datetime(2020, 1, 20, 9, 0, tzinfo=dt.timezone.utc)


def _plan_key(plan):
    return page_cache.fragment_key(f"plan-state:{plan.pk}:{timezone.localdate().isoformat()}", "en", member=plan.member_id)


def _visit(plan):
    response = Client().get(reverse("commitments:plan", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def plans(people):
    bishkek = Member.objects.get(code="KGBSK")
    other = ActionPlan.objects.filter(member=bishkek).order_by("pk").first()
    assert other is not None
    _visit(people.plan)
    _visit(other)
    assert cache.get(_plan_key(people.plan)) and cache.get(_plan_key(other))
    return people.plan, other


def _approve(people, django_capture_on_commit_callbacks):
    update = progress.submit_progress(people.draft, by=people.users.coordinator, version=people.draft.version, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        return progress.approve_progress(update, by=people.users.poc, version=update.version, now=NOW)


def test_an_approval_leaves_other_members_parts_and_renews_its_own_and_the_pages_across_members(
    people, plans, django_capture_on_commit_callbacks
):
    own, other = plans
    kept_other = cache.get(_plan_key(other))
    old_own_key, generation = _plan_key(own), page_cache.generation()
    commitment_url = reverse("commitments:commitment", args=[people.commitment.identifier])
    before_limited = Client().get(commitment_url).content.decode().count(str(Completion.LIMITED.label))
    _approve(people, django_capture_on_commit_callbacks)
    assert page_cache.generation() != generation  # home, list, overview, whole pages: out of date
    assert cache.get(_plan_key(other)) == kept_other  # Bishkek's plan: its part is reused as it is
    assert _plan_key(own) != old_own_key and cache.get(_plan_key(own)) is None  # the Kyrgyz plan's: renewed
    _visit(own)
    assert cache.get(_plan_key(own))  # kept again under the new scope
    page = Client().get(reverse("commitments:commitment", args=[people.commitment.identifier])).content.decode()
    assert page.count(str(Completion.LIMITED.label)) > before_limited  # the approved update shows at once


def test_a_review_renews_only_the_reviewed_members_parts(people, plans, django_capture_on_commit_callbacks):
    own, other = plans
    kept_other = cache.get(_plan_key(other))
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.review(
            people.published, by=people.users.civil, stance="dispute", comment="The reports are not online.", now=NOW
        )
    assert cache.get(_plan_key(other)) == kept_other
    assert cache.get(_plan_key(own)) is None
    page = Client().get(reverse("commitments:commitment", args=[people.commitment.identifier])).content.decode()
    assert "The reports are not online." in page  # shown at once on the reviewed commitment's page


def test_a_change_to_everything_renews_every_members_parts(people, plans, django_capture_on_commit_callbacks):
    own, other = plans
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.public_pages_changed()  # an import, the admin, a sweep …
    assert cache.get(_plan_key(other)) is None and cache.get(_plan_key(own)) is None


def test_a_local_members_publication_renews_its_parents_parts_too(people, django_capture_on_commit_callbacks):
    bishkek = Member.objects.get(code="KGBSK")
    assert bishkek.parent_id == people.kg.pk
    before = {pk: page_cache.member_generation(pk) for pk in (bishkek.pk, people.kg.pk)}
    assert progress.members_shown_with(member_id=bishkek.pk) == [bishkek.pk, people.kg.pk]
    assert progress.members_shown_with(update_id=people.published.pk) == [people.kg.pk]
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.public_pages_changed(members=progress.members_shown_with(member_id=bishkek.pk))
    after = {pk: page_cache.member_generation(pk) for pk in (bishkek.pk, people.kg.pk)}
    assert after[bishkek.pk] != before[bishkek.pk] and after[people.kg.pk] != before[people.kg.pk]


def test_a_lost_scope_token_starts_a_new_one_so_no_old_part_comes_back(people):
    first = page_cache.member_generation(people.kg.pk)
    cache.delete(page_cache.SCOPE_KEY % people.kg.pk)  # evicted, or never set
    second = page_cache.member_generation(people.kg.pk)
    assert second != first and page_cache.member_generation(people.kg.pk) == second
