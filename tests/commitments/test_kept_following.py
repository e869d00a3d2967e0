"""The commitment and plan pages' heads kept in the process and each reader's follow state kept beside their shared
parts (commitments/following.py, commitments/heads.kept_page_object; issue #20).

A signed-in visit that finds them kept runs no query; each reader sees their own state (never another's: the state
is kept per reader and commitment); a follow or an unfollow, through the service, the admin or a cascade, shows at
the next visit; the page is the bytes a render with nothing kept gives.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from engagement import services
from engagement.models import Follow
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

STOP, FOLLOW = "Stop following", "Follow: email me new updates"
_SECRETS = re.compile(r'(csrfmiddlewaretoken" value=")[^"]+|(nonce=")[^"]+')


@pytest.fixture
def kept(settings):
    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()


def _reader(name):
    user = get_user_model().objects.create_user(name, f"{name}@example.org", "x-Pa55word-long")
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture(params=["commitment", "plan"])
def kind(request):
    return request.param


def _target(kind):
    """A commitment, or its plan: each test runs for both pages."""
    commitment = CommitmentFactory()
    return commitment if kind == "commitment" else commitment.plan


def _page(client, target, language=""):
    path = f"/commitments/{target.identifier}/" if hasattr(target, "identifier") else f"/plans/{target.pk}/"
    response = client.get(f"{language}{path}")
    assert response.status_code == 200
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2)) + "X", response.content.decode())


def test_a_second_visit_runs_no_query_and_each_reader_sees_their_own_state(kept, kind):
    commitment = _target(kind)
    ann, ann_client = _reader("ann")
    bob, bob_client = _reader("bob")
    services.follow(commitment, by=ann)
    assert STOP in _page(ann_client, commitment) and FOLLOW in _page(bob_client, commitment)
    with CaptureQueriesContext(connection) as ctx:
        ann_page, bob_page = _page(ann_client, commitment), _page(bob_client, commitment)
    assert not ctx.captured_queries, [q["sql"] for q in ctx.captured_queries]
    assert STOP in ann_page and FOLLOW not in ann_page
    assert FOLLOW in bob_page and STOP not in bob_page


@pytest.mark.parametrize("language", ["", "/ru", "/ky"])
def test_a_follow_and_an_unfollow_show_at_the_next_visit_in_every_language(kept, kind, language, django_capture_on_commit_callbacks):
    commitment = _target(kind)
    ann, client = _reader("ann")
    for lang in ("", "/ru", "/ky"):
        _page(client, commitment, lang)  # every language's state kept
    with django_capture_on_commit_callbacks(execute=True):
        services.follow(commitment, by=ann)
    followed = _page(client, commitment, language)
    with django_capture_on_commit_callbacks(execute=True):
        services.unfollow(commitment, by=ann)
    left = _page(client, commitment, language)
    assert 'value="unfollow"' in followed and 'value="unfollow"' not in left and 'value="follow"' in left


def test_a_follow_written_in_the_admin_way_or_deleted_by_a_cascade_shows_at_the_next_visit(kept, kind):
    commitment = _target(kind)
    ann, client = _reader("ann")
    assert FOLLOW in _page(client, commitment)
    row = Follow.objects.create(user=ann, **{kind: commitment})  # a plain save (the admin's): the signal
    assert STOP in _page(client, commitment)
    Follow.objects.filter(pk=row.pk).delete()  # a queryset delete (as a cascade does): the signal
    assert FOLLOW in _page(client, commitment)


def test_the_page_is_what_a_render_with_nothing_kept_gives(settings, kept, kind):
    commitment = _target(kind)
    ann, ann_client = _reader("ann")
    bob, bob_client = _reader("bob")
    services.follow(commitment, by=ann)
    pages = {}
    for on in (True, False):
        settings.PUBLIC_PAGE_CACHE = on
        for who, client in (("ann", ann_client), ("bob", bob_client), ("anonymous", Client())):
            for language in ("", "/ru", "/ky"):
                _page(client, commitment, language)
                pages[on, who, language] = _page(client, commitment, language)
    for key in [k for k in pages if k[0]]:
        assert pages[key] == pages[(False, *key[1:])], key


def test_the_kept_head_follows_a_change_to_the_commitment(kept, django_capture_on_commit_callbacks):
    """The head is kept in the process under the generation: a change announced as every change is (a service, an
    import, the admin: ``public_pages_changed``) shows at the next visit."""
    from commitments.models import Commitment
    from ogp_portal.cache import public_pages_changed

    commitment = CommitmentFactory()
    _ann, client = _reader("ann")
    assert commitment.title in _page(client, commitment)
    with django_capture_on_commit_callbacks(execute=True):
        Commitment.objects.filter(pk=commitment.pk).update(title="A renamed commitment")
        public_pages_changed()
    page = _page(client, commitment)
    assert "<h1>A renamed commitment</h1>" in page  # the kept breadcrumb and heading too, not only the title
    assert "<title>" in page and commitment.title not in page


def test_the_kept_plan_head_follows_a_change_to_the_plan(kept, django_capture_on_commit_callbacks):
    from commitments.models import ActionPlan
    from ogp_portal.cache import public_pages_changed

    plan = CommitmentFactory().plan
    _ann, client = _reader("ann")
    assert plan.title in _page(client, plan)
    with django_capture_on_commit_callbacks(execute=True):
        ActionPlan.objects.filter(pk=plan.pk).update(title="A renamed plan")
        public_pages_changed()
    assert "A renamed plan" in _page(client, plan)


def test_a_readers_plan_state_is_not_the_commitments(kept):
    """The two pages' kept states have their own names: following the commitment is not following its plan."""
    commitment = CommitmentFactory()
    ann, client = _reader("ann")
    services.follow(commitment, by=ann)
    assert STOP in _page(client, commitment) and FOLLOW in _page(client, commitment.plan)
    assert STOP in _page(client, commitment) and FOLLOW in _page(client, commitment.plan)
