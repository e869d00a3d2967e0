"""The commitment list's shared results and member options (issue #20).

The results (count, rows, pages) of a list state are rendered once per generation, day and language
and then served to every visitor (``ogp_portal.cache.fragment``); the members' options are kept the
same way (``derived``). These tests check that nothing of the signed-in visitor who rendered them
reaches anybody else, that the next visitor reuses them instead of querying the commitments and
members again, and that a change made through a service shows on the next render.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement import services as engagement_services
from tests.engagement.conftest import people  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

PERSONAL = ("Sign out", "chamber", "citizen", "csrfmiddlewaretoken", "nonce")


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _reads(ctx, table):
    return [q for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"]]


def _results(html):
    return html.split('<section aria-labelledby="results-heading">')[1].split("</section>")[0]


def test_the_lists_results_are_shared_without_the_visitor_and_reused(people):
    url = reverse("commitments:list") + "?member=KG&q=audit"
    own = _client(people.users.coordinator).get(url)
    assert own.status_code == 200
    own_html = own.content.decode()
    assert "Sign out (chamber)" in own_html and "KG0017" in _results(own_html)
    for personal in PERSONAL:
        assert personal not in _results(own_html), personal

    with CaptureQueriesContext(connection) as ctx:
        other = _client(people.users.civil).get(url).content.decode()
    assert _reads(ctx, "commitments_commitment") == []  # the rows and their count were reused
    assert [q for q in _reads(ctx, "commitments_member") if "ORDER BY" in q["sql"]] == []  # so were the options
    assert _results(other) == _results(own_html)
    assert "Sign out (citizen)" in other and "Sign out (chamber)" not in other
    assert '<option value="KG" selected>' in other
    # Another state of the list is another fragment.
    page_two = _client(people.users.civil).get(reverse("commitments:list") + "?member=KG&q=audit&page=2")
    assert page_two.status_code == 200


def test_a_dispute_shows_on_the_next_render_of_the_list(people, django_capture_on_commit_callbacks):
    url = reverse("commitments:list") + "?member=KG&contested=true"
    before = _client(people.users.coordinator).get(url).content.decode()
    assert "KG0017" not in _results(before)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.review(
            people.published, by=people.users.civil, stance="dispute", comment="Not online at all.", now=timezone.now()
        )
    after = _client(people.users.coordinator).get(url).content.decode()
    assert "KG0017" in _results(after) and "contested-badge" in _results(after)


def test_the_member_and_theme_options_outlive_a_publication_but_not_a_change_to_everything(
    people, django_capture_on_commit_callbacks
):
    """A review or an approval changes no member's name and no commitment's themes: the first visitor of
    the list after one reuses both option lists (the results are rendered again); any other change
    (an import, the admin) replaces them."""
    from commitments.models import Member
    from ogp_portal import cache as page_cache

    url = reverse("commitments:list")
    _client().get(url)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.review(
            people.published, by=people.users.civil, stance="dispute", comment="Not online at all.", now=timezone.now()
        )
    with CaptureQueriesContext(connection) as ctx:
        after = _client().get(url).content.decode()
    assert _reads(ctx, "commitments_commitment")  # the results follow the review
    assert [q for q in _reads(ctx, "commitments_member") if "ORDER BY" in q["sql"]] == []  # the members' options: kept
    themes = [q for q in ctx.captured_queries if "themes" in q["sql"] and ("DISTINCT" in q["sql"] or "RECURSIVE" in q["sql"])]
    assert themes == []  # the themes in use: kept
    assert '<option value="KG">' in after

    Member.objects.filter(code="KG").update(name_en="Kyrgyz Republic (renamed)")
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.public_pages_changed()  # what an import or the admin announce
    assert '<option value="KG">Kyrgyz Republic (renamed)</option>' in _client().get(url).content.decode()


def _counts(ctx):
    # The bounded count's own statement (the page's query has a COUNT of overdue milestones in a column).
    return [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT COUNT(", "SELECT CASE WHEN"))]


@pytest.mark.parametrize("params", ["?q=audit", "?member=KG&q=audit&sort=-updated", "?theme=&q=audit&page=2", ""])
def test_the_lists_count_outlives_a_publication_when_no_filter_reads_what_it_writes(
    people, django_capture_on_commit_callbacks, params
):
    """A search (texts, milestones, names), the member, plan, agency, theme and value filters find the same
    rows before and after a review or an approval: the count is kept, the rows are read again."""
    from commitments.models import Commitment
    from ogp_portal import cache as page_cache

    url = reverse("commitments:list") + params
    before = _results(_client().get(url).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.review(
            people.published, by=people.users.civil, stance="dispute", comment="Not online at all.", now=timezone.now()
        )
    with CaptureQueriesContext(connection) as ctx:
        after = _results(_client().get(url).content.decode())
    assert _counts(ctx) == [] and _reads(ctx, "commitments_commitment")  # the count kept, the rows read again
    assert after.split("</h2>")[0] == before.split("</h2>")[0]  # "N commitments" as before

    # Any other change (an import, the admin, an edit) counts again.
    Commitment.objects.filter(identifier="KG0017").update(title_en="Audit of audits", title="Audit of audits")
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.public_pages_changed()
    with CaptureQueriesContext(connection) as ctx:
        _client().get(url)
    assert _counts(ctx)


@pytest.mark.parametrize("params", ["?q=audit&contested=false", "?completion=none", "?overdue=true&q=audit"])
def test_the_lists_count_follows_a_publication_when_a_filter_reads_what_it_writes(
    people, django_capture_on_commit_callbacks, params
):
    url = reverse("commitments:list") + params
    _client().get(url)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.review(
            people.published, by=people.users.civil, stance="dispute", comment="Not online at all.", now=timezone.now()
        )
    with CaptureQueriesContext(connection) as ctx:
        _client().get(url)
    assert _counts(ctx)


def test_a_dispute_leaves_the_contested_filters_count_right(people, django_capture_on_commit_callbacks):
    url = reverse("commitments:list") + "?member=KG&contested=true"
    assert "0 commitments" in _results(_client().get(url).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.review(
            people.published, by=people.users.civil, stance="dispute", comment="Not online at all.", now=timezone.now()
        )
    assert "1 commitment<" in _results(_client().get(url).content.decode())


def test_the_lists_form_is_kept_with_its_errors_and_the_next_visitor_queries_nothing_of_the_list(people):
    """The form (options, values typed, errors) is the same for every visitor with the same query: the
    second visitor, signed in or not, gets the same bytes and the same status, and neither the
    commitments nor the members are read again (issue #20)."""
    for params, status in (("?member=KG&q=audit&sort=-member", 200), ("?contested=maybe&q=<b>", 400)):
        url = reverse("commitments:list") + params
        first = _client(people.users.coordinator).get(url)
        assert first.status_code == status
        with CaptureQueriesContext(connection) as ctx:
            second = _client(people.users.civil).get(url)
        assert second.status_code == status
        assert _reads(ctx, "commitments_commitment") == [] and _reads(ctx, "commitments_member") == []
        form = second.content.decode().split('<form method="get"')[1].split("</form>")[0]
        assert form == first.content.decode().split('<form method="get"')[1].split("</form>")[0]
        assert "csrfmiddlewaretoken" not in form and "chamber" not in form and "citizen" not in form
        if status == 400:
            assert 'role="alert"' in form and "&lt;b&gt;" in form
