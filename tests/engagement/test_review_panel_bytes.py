"""The review panel written in Python (engagement's ``panel_html``, issue #20) is byte for byte what its template,
``engagement/_review_panel.html``, renders: open, answered, hidden and partly-agreeing reviews, a responder whose
account is gone, evidence links long and short, text that needs escaping, one to twenty-two reviews (every plural
form), in en/ru/ky and two time zones."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import timezone, translation

from commitments.models import ProgressUpdate
from engagement.models import Review
from engagement.templatetags import engagement

User = get_user_model()
AT = dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.timezone.utc)  # another day in Bishkek than in UTC


def _reference(update, reviews) -> str:
    """What the tag rendered before: its template with the counts and the mark it computed."""
    counts = {stance: sum(1 for r in reviews if r.stance == stance and not r.is_hidden) for stance in Review.Stance.values}
    return get_template("engagement/_review_panel.html").render({
        "update": update, "reviews": reviews, "counts": counts, "contested": any(r.is_contested for r in reviews),
    })


def _people():
    named = User(pk=7, username="ana", first_name="Ana <b>", last_name="O'Neil & Co")
    bare = User(pk=8, username="user&\"9\"", first_name="", last_name="")
    responder = User(pk=9, username="poc", first_name="Айгуль", last_name="")
    return named, bare, responder


def _cases():
    named, bare, responder = _people()
    update = ProgressUpdate(pk=392)

    def review(pk, stance, author=named, **fields):
        fields.setdefault("created_at", AT)
        return Review(pk=pk, update=update, author=author, stance=stance, **fields)

    varied = [
        review(1, "dispute", comment="Not <done>.\n\nSee the \"report\" & the minutes.\nSecond line."),
        review(2, "agree", author=bare, comment="Fine", evidence_links=[
            "https://example.org/a?x=1&y=<2>", "https://example.org/" + "long/" * 20 + "end", "http://e.kg/'q'"]),
        review(3, "partly", comment="Partly", response="We <disagree>\nbecause…", responded_by=responder,
               responded_at=AT + dt.timedelta(days=40)),
        review(4, "dispute", author=bare, comment="Answered, account gone", response="Done.", responded_by=None,
               responded_at=AT + dt.timedelta(days=3)),
        review(5, "dispute", comment="Hidden one", hidden_reason="<i>spam</i> & abuse", hidden_at=AT),
        review(6, "partly", comment="", evidence_links=["https://only.one/"]),
    ]
    yield update, varied
    yield update, varied[:1]  # contested, one review
    yield update, varied[1:4]  # nothing open
    yield update, [varied[4]]  # hidden only: counted in the summary, not by stance
    for n in (2, 5, 21, 22):  # every plural form of ru and ky
        yield update, [review(100 + i, ("agree", "partly", "dispute")[i % 3], comment=f"r{i}") for i in range(n)]


@pytest.mark.parametrize("zone", ["Asia/Bishkek", "UTC"])
@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_review_panel_is_the_templates_bytes(language, zone):
    compared = 0
    with translation.override(language), timezone.override(zone):
        for update, reviews in _cases():
            ours = engagement.panel_html(update.pk, reviews)
            assert ours == _reference(update, reviews), (language, [r.pk for r in reviews])
            compared += 1
        # As the commitment page calls it: through the tag, the page's reviews read once per request.
        update, reviews = next(_cases())
        request = RequestFactory().get("/")
        request._engagement_reviews = {21: {update.pk: reviews}}
        page = Template("{% load engagement %}{% review_panel p %}").render(
            Context({"request": request, "commitment": SimpleNamespace(pk=21), "p": update}))
        assert page == _reference(update, reviews)
        assert "&lt;i&gt;spam&lt;/i&gt; &amp; abuse" in page and "Ana &lt;b&gt; O&#x27;Neil &amp; Co" in page
    assert compared == 8


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_pages_reviews_read_as_plain_rows_give_the_instances_panel(people, language):
    """The commitment page reads its reviews as plain rows (``_review_rows``): each update's panel and the commitment's
    "contested" mark are what the model instances give, authors and responders (one deleted) included."""
    u = people.users
    at = timezone.now() - dt.timedelta(days=2)
    made = [
        Review.objects.create(update=people.published, author=u.civil, stance="dispute", comment="No <b>", created_at=at,
                              evidence_links=["https://example.org/?a=1&b=2"]),
        Review.objects.create(update=people.published, author=u.civil2, stance="partly", comment="Some", created_at=at,
                              response="Answered & done", responded_by=u.coordinator, responded_at=at),
        Review.objects.create(update=people.published, author=u.admin, stance="agree", comment="Yes", created_at=at,
                              response="Thanks", responded_by=None, responded_at=at),
        Review.objects.create(update=people.published, author=u.poc, stance="dispute", comment="Spam", created_at=at,
                              hidden_reason="abuse", hidden_at=at, hidden_by=u.admin),
    ]
    u.civil2.first_name, u.civil2.last_name = "Ana", "<O'Neil>"
    u.civil2.save()
    instances = list(Review.objects.filter(pk__in=[r.pk for r in made]).select_related("author", "responded_by")
                     .order_by("created_at", "pk"))
    rows = engagement._review_rows(people.commitment.pk)
    assert [r.pk for r in rows] == [r.pk for r in instances]
    with translation.override(language):
        assert engagement.panel_html(people.published.pk, rows) == engagement.panel_html(people.published.pk, instances)
        assert "Ana &lt;O&#x27;Neil&gt;" in engagement.panel_html(people.published.pk, rows)
    request = RequestFactory().get("/")
    assert engagement.commitment_contested(Context({"request": request}), people.commitment) is True
    Review.objects.filter(pk=made[0].pk).update(response="Answered", responded_at=at)
    assert engagement.commitment_contested(Context({"request": RequestFactory().get("/")}), people.commitment) is False
