"""The Atom feeds' entries written directly give the bytes Django's feed machinery gives (issue #20).

``commitments.feeds.ProgressFeed.get_feed`` asks each entry's parts of the feed's methods directly and
``_Atom`` writes the entries as one text; the reference is the same feed class with Django's own
``Feed.get_feed`` and ``Atom1Feed`` writer. Member (with compliance status events), plan and commitment
feeds, in English, Russian and Kyrgyz, with texts that need escaping, a status report and a draft.
"""

import datetime as dt

import pytest
from django.contrib.syndication.views import Feed
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.xmlutils import UnserializableContentError

from commitments import feeds
from commitments.models import Commitment, ProgressUpdate, StatusReport, StatusReportLine
from ogp_portal import pages
from ogp_portal.permissions import published_updates
from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(seed_data):
    kg0017 = Commitment.objects.get(identifier="KG0017")
    first, second, third = list(kg0017.milestones.order_by("pk"))[:3]
    ProgressUpdateFactory(milestone=first, completion="substantial", narrative='Auditors <b>trained</b> & "paid", \'twice\'\nin Osh » ёлка.')
    ProgressUpdateFactory(milestone=second, completion="limited", narrative="Not yet public.", state="draft", published_at=None)
    ProgressUpdateFactory(milestone=third, completion="complete", narrative="")
    plan = kg0017.plan
    report = StatusReport.objects.create(
        member=plan.member, plan=plan, period_label="2019-H2 <&>", period_start=dt.date(2019, 7, 1),
        period_end=dt.date(2019, 12, 31), state="published", published_at=dt.datetime(2020, 1, 20, tzinfo=dt.UTC),
    )
    StatusReportLine.objects.create(report=report, commitment=kg0017, completion="substantial")
    call_command("compliance_sweep", "--as-of", "2024-01-01", verbosity=0)
    return kg0017


def _instances(scope, pk):
    """The feeds' updates as model instances (before issue #20's plain rows): the reference's entries."""
    updates = published_updates(ProgressUpdate.objects.select_related("milestone__commitment")).order_by("-published_at", "-pk")
    return list(updates.filter(**{scope: pk})[: feeds.MAX_ITEMS])


def _both(path):
    """(the feed's response, the reference's) for ``path``: the same feed class with Django's get_feed and writer,
    its updates read as model instances."""
    match = resolve(path)
    feed_class = type(match.func)

    class Reference(feed_class):
        feed_type = Atom1Feed

        def get_feed(self, obj, request):
            return Feed.get_feed(self, obj, request)

    ours = feed_class()(RequestFactory().get(path), *match.args, **match.kwargs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(feeds, "newest_updates", _instances)
        patch.setattr(pages, "newest_updates", _instances)
        reference = Reference()(RequestFactory().get(path), *match.args, **match.kwargs)
    return ours, reference


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_feeds_entries_are_the_bytes_djangos_feed_writes(published, language):
    with translation.override(language):
        paths = [
            reverse("commitments:member_feed", args=["KG"]),
            reverse("commitments:plan_feed", args=[published.plan.pk]),
            reverse("commitments:commitment_feed", args=[published.identifier]),
        ]
        for path in paths:
            ours, reference = _both(path)
            assert ours.status_code == reference.status_code == 200
            assert ours.content == reference.content, path
            assert ours["Content-Type"] == reference["Content-Type"]
            assert ours["Last-Modified"] == reference["Last-Modified"]
            assert ours.content.count(b"<entry>") >= 3, path
            assert b"&lt;b&gt;trained&lt;/b&gt; &amp;" in ours.content, path


def test_a_control_character_is_refused_as_djangos_writer_refuses_it(published):
    update = published.milestones.order_by("pk").first().progress_updates.filter(state="published").first()
    update.narrative = "bell \x07"
    update.save()
    path = reverse("commitments:commitment_feed", args=[published.identifier])
    with pytest.raises(UnserializableContentError):
        _both(path)  # ours first
    match = resolve(path)

    class Reference(type(match.func)):
        feed_type = Atom1Feed

        def get_feed(self, obj, request):
            return Feed.get_feed(self, obj, request)

    with pytest.raises(UnserializableContentError):
        Reference()(RequestFactory().get(path), *match.args, **match.kwargs)
    with pytest.raises(UnserializableContentError):
        feeds._element("summary", "bell \x07")
