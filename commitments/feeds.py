"""Atom 1.0 feeds of published progress and status reports.

One feed per member, action plan and commitment (the portal's only feeds): the pages link them in
their ``<head>`` and in the follow block (``engagement`` template tags). Only what the public may
read is in them: published progress updates and published six-month status reports. A member's
feed adds the status events the compliance sweep recorded: it is the site's (``ogp_portal/pages.py``,
``MemberFeed``, built on :class:`ProgressFeed`), since the domain does not import compliance.
"""

import re
from xml.sax.saxutils import escape, quoteattr

from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.utils.feedgenerator import Atom1Feed, get_tag_uri, rfc3339_date
from django.utils.http import http_date
from django.utils.timezone import get_default_timezone, is_naive, make_aware
from django.utils.translation import gettext as _
from django.utils.xmlutils import UnserializableContentError

from ogp_portal.compiled import compiled, one_or_404
from ogp_portal.compiled import rows as compiled_rows
from ogp_portal.paths import path_of
from ogp_portal.permissions import published_updates

from .models import ActionPlan, Commitment, Completion, ProgressUpdate, StatusReport

MAX_ITEMS = 50


# What a feed's entry reads of an update, its milestone and commitment (issue #20): the whole milestone and
# commitment rows (every text in three languages) were fetched and built for each of 50 entries; then the three
# model instances an entry (~1 ms a feed): now one plain row (``_Update``) from a ``values_list``.
UPDATE_FIELDS = (
    "id", "milestone_id", "period_start", "period_end", "completion", "narrative", "published_at", "created_at",
    "updated_at", "milestone__number", "milestone__commitment__identifier",
)


class _Commitment:
    __slots__ = ("identifier",)


class _Milestone:
    __slots__ = ("number", "commitment")


class _Update:
    """What a feed reads of a published progress update (``item.milestone.commitment.identifier`` and the rest)."""

    __slots__ = ("pk", "milestone_id", "period_start", "period_end", "completion", "narrative", "published_at", "created_at",
                 "updated_at", "milestone")

    def __init__(self, pk, milestone_id, period_start, period_end, completion, narrative, published_at, created_at, updated_at,
                 number, identifier):
        self.pk, self.milestone_id, self.period_start, self.period_end = pk, milestone_id, period_start, period_end
        self.completion, self.narrative, self.published_at = completion, narrative, published_at
        self.created_at, self.updated_at = created_at, updated_at
        self.milestone, commitment = _Milestone(), _Commitment()
        self.milestone.number, self.milestone.commitment, commitment.identifier = number, commitment, identifier


def _updates():
    return published_updates(ProgressUpdate.objects.all()).order_by("-published_at", "-pk").values_list(*UPDATE_FIELDS)


def _reports():
    return StatusReport.objects.filter(state=StatusReport.State.PUBLISHED).select_related("member").order_by(
        "-published_at", "-pk"
    )


# A feed's queries compiled once per process (ogp_portal/compiled.py; issue #20: building and compiling them
# through the ORM was ~1.5 ms of a first render's ~8 ms), run with the object's id.
def newest_updates(scope: str, pk: int):
    """The newest published updates (at most ``MAX_ITEMS``) whose ``scope`` (a path to an id) is ``pk``, as plain rows."""
    found = compiled_rows(("feed-updates", scope), lambda pk: _updates().filter(**{scope: pk})[:MAX_ITEMS], pk=pk,
                          generic_plan=scope == "milestone__commitment__plan")  # (measured: ogp_portal.compiled "Generic plans")
    return [_Update(*values) for values in found]


def newest_reports(scope: str, pk: int):
    """The newest published status reports (at most ``MAX_ITEMS``) whose ``scope`` is ``pk``."""
    return compiled(("feed-reports", scope), lambda pk: _reports().filter(**{scope: pk})[:MAX_ITEMS], pk=pk)


def _when(item):
    return getattr(item, "published_at", None) or getattr(item, "created_at", None)


def _newest(*groups):
    """Merge lists of items, newest first, keeping at most ``MAX_ITEMS``."""
    items = [item for group in groups for item in group]
    items.sort(key=_when, reverse=True)
    return items[:MAX_ITEMS]


# What Django's XML writer refuses in a text (``django.utils.xmlutils``: XML 1.0 has no such characters).
_CONTROL = re.compile(r"[\x00-\x08\x0B-\x0C\x0E-\x1F]")


def _element(name, text):
    """``SimplerXMLGenerator.addQuickElement(name, text)`` (short empty elements) as text."""
    if not text:
        return f"<{name}/>"
    if _CONTROL.search(text):
        raise UnserializableContentError
    return f"<{name}>{escape(text)}</{name}>"


class _Atom(Atom1Feed):
    """Django's Atom 1.0 feed, its entries written as one text (issue #20: through the SAX writer each of 50
    entries' ~7 elements was ~6 calls). The entries this module's feeds make only (a title, a link, published and
    updated moments, an id, an HTML summary); any other goes through Django's writer. The same bytes:
    ``tests/commitments/test_feed_entries.py`` compares them with Django's ``Feed.get_feed`` and ``Atom1Feed``."""

    def write_items(self, handler):
        if any(item["author_name"] is not None or item["enclosures"] or item["categories"] or item["item_copyright"] is not None
               for item in self.items):
            return super().write_items(handler)
        parts = []
        for item in self.items:
            link = item["link"]
            if _CONTROL.search(link):
                raise UnserializableContentError
            parts.append(f"<entry>{_element('title', item['title'])}<link href={quoteattr(link)} rel=\"alternate\"/>")
            if item["pubdate"] is not None:
                parts.append(_element("published", rfc3339_date(item["pubdate"])))
            if item["updateddate"] is not None:
                parts.append(_element("updated", rfc3339_date(item["updateddate"])))
            unique_id = item["unique_id"] if item["unique_id"] is not None else get_tag_uri(link, item["pubdate"])
            parts.append(_element("id", unique_id))
            if item["description"] is not None:
                description = item["description"]
                if description and _CONTROL.search(description):
                    raise UnserializableContentError
                parts.append(f'<summary type="html">{escape(description)}</summary>' if description else '<summary type="html"/>')
            parts.append("</entry>")
        handler.ignorableWhitespace("".join(parts))


class ProgressFeed(Feed):
    feed_type = _Atom

    def item_title(self, item):
        if isinstance(item, StatusReport):
            return _("Status report %(period)s of %(member)s") % {"period": item.period_label, "member": item.member.name}
        return self.update_title % {
            "commitment": item.milestone.commitment.identifier,
            "milestone": item.milestone.number,
            "completion": self.completion_labels.get(item.completion, item.completion),
        }

    def item_description(self, item):
        if isinstance(item, StatusReport):
            return _("Reporting period %(start)s – %(end)s") % {"start": item.period_start, "end": item.period_end}
        period = self.period_text % {"start": item.period_start, "end": item.period_end}
        return f"{period}. {item.narrative}".strip()

    def item_link(self, item):
        if isinstance(item, StatusReport):
            return item.get_absolute_url()
        return self.commitment_path(item.milestone.commitment.identifier) + f"#milestone-{item.milestone_id}"

    def item_guid(self, item):
        kind = {StatusReport: "report"}.get(type(item), "update")
        return f"{self.link_for_guid}{kind}-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return _when(item)

    def item_updateddate(self, item):
        return getattr(item, "updated_at", None) or self.item_pubdate(item)

    def get_feed(self, obj, request):
        """``Feed.get_feed`` with each entry's parts asked of this class's methods directly (issue #20: Django asks
        ~13 a entry through ``_get_dynamic_attr``, which inspects each method every time). These feeds' entries have
        a title, description, link, guid, publication and update moments, nothing else (no templates, authors,
        enclosures, categories or rights); the header is Django's, built with no entries."""
        items, self._header_only = self.items(obj), True
        try:
            feed = super().get_feed(obj, request)
        finally:
            self._header_only = False
        domain, secure, zone = get_current_site(request).domain, request.is_secure(), get_default_timezone()
        for item in items:
            pubdate, updateddate = self.item_pubdate(item), self.item_updateddate(item)
            feed.add_item(
                title=self.item_title(item),
                link=add_domain(domain, self.item_link(item), secure),
                description=self.item_description(item),
                unique_id=self.item_guid(item),
                unique_id_is_permalink=self.item_guid_is_permalink,
                enclosures=[],
                pubdate=make_aware(pubdate, zone) if pubdate and is_naive(pubdate) else pubdate,
                updateddate=make_aware(updateddate, zone) if updateddate and is_naive(updateddate) else updateddate,
                author_name=None,
                author_email=None,
                author_link=None,
                comments=None,
                categories=None,
                item_copyright=None,
            )
        return feed

    _header_only = False

    def _get_dynamic_attr(self, attname, obj, default=None):
        if attname == "items" and self._header_only:
            return ()
        return super()._get_dynamic_attr(attname, obj, default)

    def __call__(self, request, *args, **kwargs):
        self.link_for_guid = request.build_absolute_uri("/")
        # Per request (the language): a commitment's path reversed once, the completion labels translated once.
        self.commitment_path = path_of("commitments:commitment")
        self.completion_labels = {value: str(label) for value, label in Completion.choices}
        # An update entry's texts translated once a request, not twice an entry.
        self.update_title = _("%(commitment)s, milestone %(milestone)s: %(completion)s")
        self.period_text = _("Reporting period %(start)s – %(end)s")
        # ``Feed.__call__`` with the XML written into one text first (issue #20): written into the response, each
        # of an entry's ~30 pieces was converted to bytes on its own. The same bytes and headers.
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist:
            raise Http404("Feed object does not exist.")
        feed = self.get_feed(obj, request)
        response = HttpResponse(feed.writeString("utf-8"), content_type=feed.content_type)
        response.headers["Last-Modified"] = http_date(feed.latest_post_date().timestamp())
        return response


class CommitmentFeed(ProgressFeed):
    def get_object(self, request, identifier):
        return one_or_404(compiled("feed-commitment", lambda identifier: Commitment.objects.filter(identifier=identifier), identifier=identifier))

    def title(self, obj):
        return _("Progress of %(commitment)s") % {"commitment": obj}

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return _newest(newest_updates("milestone__commitment", obj.pk), newest_reports("lines__commitment", obj.pk))


class PlanFeed(ProgressFeed):
    def get_object(self, request, pk):
        return one_or_404(compiled("feed-plan", lambda pk: ActionPlan.objects.filter(pk=pk), pk=pk))

    def title(self, obj):
        return _("Progress of %(plan)s") % {"plan": obj.title}

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return _newest(newest_updates("milestone__commitment__plan", obj.pk), newest_reports("plan", obj.pk))
