"""The review panel reads all reviews of a page at once; the admin lists engagement rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments.models import ProgressUpdate
from engagement import services
from engagement.models import Review
from outbox.models import Message

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_reviewed_update(people, milestone, year, users):
    update = ProgressUpdate.objects.create(
        milestone=milestone, completion="limited", author=people.users.coordinator, state="published",
        published_at=timezone.now(), period_start=dt.date(year, 1, 1), period_end=dt.date(year, 6, 30),
    )
    for user in users:
        row = services.review(update, by=user, stance="dispute", comment="Not done.", links=["https://www.esep.kg/"], now=timezone.now())
        services.respond(row, by=people.users.poc, text="Done in June.", now=timezone.now())


def test_commitment_page_queries_do_not_grow_with_reviews(people, client):
    u = people.users
    client.force_login(u.civil)
    url = people.commitment.get_absolute_url()
    milestones = list(people.commitment.milestones.order_by("id"))
    _add_reviewed_update(people, milestones[0], 2020, [u.civil])
    small = _count(client, url)
    for i, milestone in enumerate(milestones[1:4]):
        _add_reviewed_update(people, milestone, 2020 + i, [u.civil, u.civil2])
    assert _count(client, url) == small
    client.logout()
    assert client.get(url).status_code == 200


def test_admin_lists_reviews_follows_and_deliveries(people, client):
    u = people.users
    row = services.review(people.published, by=u.civil, stance="agree", comment="Right.", now=timezone.now())
    follow = services.follow(people.kg, by=u.civil)
    Message.objects.create(
        key="follow:review:1:1", kind="follow-review", email="citizen@example.org", subject="KG0017", body="-",
        created_at=timezone.now(), next_attempt_at=timezone.now(),
    )
    client.force_login(u.admin)
    for model, obj in ((Review, row), (type(follow), follow), (Message, Message.objects.get())):
        opts = model._meta
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "KG"}).status_code == 200
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])).status_code == 200
    client.force_login(u.coordinator)
    assert client.get(reverse("admin:engagement_review_changelist")).status_code in (302, 403)


def _marked(client, url):
    """Return the identifiers of the rows (or the page) that carry the "Contested" mark."""
    html = client.get(url).content.decode()
    return html.count('class="contested-badge"')


def test_contested_mark_on_the_list_plan_and_commitment_pages_until_answered(people, client):
    u = people.users
    list_url = reverse("commitments:list")
    plan_url, commitment_url = people.plan.get_absolute_url(), people.commitment.get_absolute_url()
    assert _marked(client, list_url) == _marked(client, plan_url) == _marked(client, commitment_url) == 0
    row = services.review(people.published, by=u.civil, stance="dispute", comment="Not online.", now=timezone.now())
    html = client.get(f"{list_url}?contested=true").content.decode()
    assert "KG0017" in html and "KG0008" not in html and html.count('class="contested-badge"') == 1
    assert "KG0017" not in client.get(f"{list_url}?contested=false&member=KG").content.decode()
    plan = client.get(plan_url).content.decode()
    assert plan.count('class="contested-badge"') == 1
    kg0017_row = plan[plan.index(people.commitment.get_absolute_url() + '">'):]
    assert kg0017_row.index('class="contested-badge"') < kg0017_row.index("</tr>")
    # The commitment page: the headline mark and the update's own mark.
    assert _marked(client, commitment_url) == 2
    services.respond(row, by=u.coordinator, text="The reports are at https://esep.kg/.", now=timezone.now())
    assert _marked(client, list_url) == _marked(client, plan_url) == _marked(client, commitment_url) == 0
    assert "KG0017" not in client.get(f"{list_url}?contested=true").content.decode()
