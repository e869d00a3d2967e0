"""Template tags the commitment, plan and member pages include: review panel, follow button, feed link."""

import re
from collections import defaultdict
from urllib.parse import unquote

from django import template
from django.contrib.auth.models import AbstractUser
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import linebreaks
from django.utils.timezone import template_localtime
from django.utils.html import conditional_escape, escape, format_html
from django.utils.text import Truncator
from django.template.defaultfilters import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from engagement import services
from engagement.models import Review
from ogp_portal.languages import per_language
from ogp_portal.cache import fragment
from ogp_portal.compiled import rows
from ogp_portal.paths import path_of

register = template.Library()


# What the review panels show of the reviews' authors and responders (their names), not the whole accounts.
_PERSON = ("first_name", "last_name", "username")


_REVIEW_COLUMNS = ("pk", "update_id", "author_id", "stance", "comment", "evidence_links", "created_at", "response",
                   "responded_at", "hidden_reason", "hidden_at")


def _commitment_reviews(commitment):
    """The reviews of a commitment's published updates, by creation: what the panels show (``_REVIEW_COLUMNS``, then
    the author's and the responder's names), as plain values."""
    return (
        Review.objects.filter(update__milestone__commitment_id=commitment, update__state="published")
        .order_by("created_at", "pk")
        .values_list(*_REVIEW_COLUMNS, *(f"author__{name}" for name in _PERSON), *(f"responded_by__{name}" for name in _PERSON))
    )


class _PersonRow:
    """A review's author or responder: the names the panels show."""

    __slots__ = _PERSON
    get_full_name = AbstractUser.get_full_name

    def __init__(self, first_name, last_name, username):
        self.first_name, self.last_name, self.username = first_name, last_name, username


class _ReviewRow:
    """A review as the panels and the "contested" mark read it, made without ``Model.__init__`` (issue #20)."""

    __slots__ = (*_REVIEW_COLUMNS, "author", "responded_by")
    Stance = Review.Stance
    is_hidden, is_answered, is_contested = Review.is_hidden, Review.is_answered, Review.is_contested


def _review_rows(commitment_id) -> list:
    width, found = len(_REVIEW_COLUMNS), []
    for row in rows("commitment-reviews", _commitment_reviews, commitment=commitment_id):
        review = _ReviewRow()
        for name, value in zip(_REVIEW_COLUMNS, row):
            setattr(review, name, value)
        review.author = _PersonRow(*row[width:width + 3])
        review.responded_by = _PersonRow(*row[width + 3:width + 6]) if row[width + 5] is not None else None
        found.append(review)
    return found


def _reviews_for(request, commitment_id):
    """All reviews of a commitment's published updates, read once per page (whatever the number of updates).

    One query compiled once per process (``ogp_portal.compiled``): building it through the ORM cost more
    than running it on the commitment page's first render (issue #20).
    """
    cache = getattr(request, "_engagement_reviews", None)
    if cache is None:
        cache = request._engagement_reviews = {}
    if commitment_id not in cache:
        by_update = defaultdict(list)
        for row in _review_rows(commitment_id):
            by_update[row.update_id].append(row)
        cache[commitment_id] = by_update
    return cache[commitment_id]


@register.simple_tag(takes_context=True)
def commitment_contested(context, commitment):
    """Whether a published update of ``commitment`` has an open dispute (``services.contested_commitments_q``).

    Read from the commitment's reviews, which its review panels show (one query for the page, shared
    with them): the commitment page's shared part asks here instead of its page query.
    """
    reviews = _reviews_for(context.get("request"), commitment.pk)
    return any(review.is_contested for rows in reviews.values() for review in rows)


@register.simple_tag(takes_context=True)
def review_panel(context, update):
    """Reviews of one published update and its "contested" mark: the same for every visitor.

    It is part of the commitment page's shared fragment (``ogp_portal.cache.fragment``): the links
    to review, respond or hide are ``<!--personal:…-->`` slots that :func:`personal_parts` fills for
    the visitor. Most updates have no review: their panel is the slot alone, without a template.
    """
    request = context.get("request")
    page_commitment = context.get("commitment")
    commitment_id = page_commitment.pk if page_commitment is not None else update.milestone.commitment_id
    reviews = _reviews_for(request, commitment_id).get(update.pk, [])
    if not reviews:  # an integer id alone in the markup: nothing to escape (format_html's cost, 31 times a page)
        pk = int(update.pk)
        return mark_safe(f'<div class="engagement-reviews" id="update-{pk}">\n  <!--personal:review:{pk}:-->\n</div>')  # noqa: S308
    return mark_safe(panel_html(update.pk, reviews))  # noqa: S308 - every value escaped in panel_html


# The review panel's translated texts, per language (a template literal is written unescaped, as here).
@per_language
def _panel_texts() -> dict:
    return {
        "contested": _("Contested"), "awaits": _("A reviewer disputes this update and awaits a response."),
        "agree": _("agree"), "partly": _("partly agree"), "dispute": _("dispute"), "evidence": _("Evidence:"),
        "response": _("Response"), "deleted": _("a deleted account"),
        "awaiting": _("Awaiting a response from the lead agency."),
        "stances": {value: escape(label) for value, label in Review.Stance.choices},
    }


def _person(user) -> str:
    """``{{ user.get_full_name|default:user.username }}``, escaped."""
    return escape(user.get_full_name() or user.username)


def _panel_date(value) -> str:
    """``{{ value|date:"DATE_FORMAT" }}``: in the current time zone, escaped."""
    return escape(date_format(template_localtime(value), "DATE_FORMAT")) if value else ""


def panel_html(update_pk, reviews) -> str:
    """The review panel of one update with ``reviews`` (its reviews, hidden ones too, by creation): byte for byte what
    ``engagement/_review_panel.html`` renders (issue #20: its ~60 nodes a reviewed update on the commitment page's
    first render; tests/engagement/test_review_panel_bytes.py compares them in en/ru/ky)."""
    t = _panel_texts()
    pk = int(update_pk)
    parts = [f'<div class="engagement-reviews" id="update-{pk}">\n  ']
    if any(r.is_contested for r in reviews):
        parts.append(f'<p><strong class="contested-badge">{t["contested"]}</strong> <small>{t["awaits"]}</small></p>')
    parts.append("\n  ")
    if reviews:
        shown = [r for r in reviews if not r.is_hidden]
        counts = {stance: localize(sum(1 for r in shown if r.stance == stance)) for stance in Review.Stance.values}
        n = len(reviews)
        summary = ngettext("%(counter)s review", "%(counter)s reviews", n) % {"counter": escape(localize(n))}
        parts.append(
            f"\n  <details>\n    <summary>{summary}\n      ({t['agree']}: {counts['agree']}, {t['partly']}: "
            f"{counts['partly']}, {t['dispute']}: {counts['dispute']})</summary>\n    <ul class=\"reviews\">\n      "
        )
        for r in reviews:
            parts.append(f'\n      <li id="review-{int(r.pk)}">\n        ')
            if r.is_hidden:
                reason = _("Hidden by the moderators: %(reason)s") % {"reason": escape(r.hidden_reason)}
                parts.append(f"\n        <p><em>{reason}</em></p>\n        ")
            else:
                evidence = ""
                if r.evidence_links:
                    links = ";".join(
                        f' <a href="{escape(link)}" rel="nofollow noopener noreferrer ugc">{escape(Truncator(link).chars(60))}</a>'
                        for link in r.evidence_links
                    )
                    evidence = f"<p>{t['evidence']}{links}</p>"
                if r.is_answered:
                    who = _person(r.responded_by) if r.responded_by else t["deleted"]
                    answer = (
                        f'\n        <blockquote class="response">\n          <p><strong>{t["response"]}</strong> — {who}, '
                        f"{_panel_date(r.responded_at)}</p>\n          {linebreaks(r.response, autoescape=True)}"
                        "\n        </blockquote>\n        "
                    )
                elif r.stance == "dispute":
                    answer = f"<p><small>{t['awaiting']}</small></p>"
                else:
                    answer = ""
                parts.append(
                    f'\n        <p><strong class="stance stance-{escape(r.stance)}">{t["stances"].get(r.stance, escape(r.stance))}'
                    f"</strong>\n          — {_person(r.author)}, {_panel_date(r.created_at)}</p>"
                    f"\n        {linebreaks(r.comment, autoescape=True)}\n        {evidence}\n        {answer}"
                    f"\n        <!--personal:review-actions:{int(r.pk)}:{'1' if r.is_answered else '0'}-->\n        "
                )
            parts.append("\n      </li>\n      ")
        parts.append("\n    </ul>\n  </details>\n  ")
    authors = "".join(f"{r.author_id or ''}," for r in reviews)
    parts.append(f"\n  <!--personal:review:{pk}:{escape(authors)}-->\n</div>\n")
    return "".join(parts)


# A slot carries what filling it needs and every visitor shares (so a signed-in visit reads nothing more):
# ``enter:<milestone>:<its number, URL-quoted>``, ``review:<update>:<authors of its reviews, hidden ones too>,``
# and ``review-actions:<review>:<1 if answered, else 0>``. The shared part holding them is kept under its own
# name (``commitment:slots2:…``, commitments/views.py), so code of another form never reads it. Slots never
# reach a visitor: every one is replaced, for anonymous visitors too.
PERSONAL_SLOT = re.compile(r"<!--personal:(enter|review|review-actions):(\d+)(?::([^>]*))?-->")


_MARK = "9753186420"  # digits: a plain value path_of joins in place (ogp_portal.paths)


@register.simple_tag(takes_context=True)
def personal_parts(context, html, commitment):
    """Return the commitment page's shared part with its per-visitor slots filled for this visitor.

    The slots: the link to enter progress on a milestone (``enter``), the link to review an update or
    to sign in first (``review``), and the links to respond to or hide a review (``review-actions``).
    The shared part is split once at its slots (no scan and callback per slot), and each slot carries
    the shared facts it needs (see ``PERSONAL_SLOT``): filling costs no query, for any visitor (it read
    the reviews and, for those who may enter progress, the milestones' numbers: one query each). Each
    link's address is reversed once per page, its
    text translated once, and who may respond to or hide a review asked once: every review on the page
    is of this commitment's updates, so the answer (the lead agency's coordinator, the member's point
    of contact, an administrator) is the same for all of them.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    parts = PERSONAL_SLOT.split(str(html))  # [text, kind, pk, data, text, kind, pk, data, …, text]
    slots = range(1, len(parts), 4)
    if not signed_in:
        sign_in = format_html(
            '<p><small><a href="{}?next={}">{}</a></small></p>',
            reverse("accounts:login"), urlencode(request.path), _("Sign in to review this update"),
        )
        for i in slots:
            parts[i : i + 3] = [sign_in if parts[i] == "review" else "", "", ""]
        return mark_safe("".join(parts))  # noqa: S308 - our own fragment, slots filled with escaped markup
    # The lazy user read once, not per slot; each kind's link written once around its integer id (an id alone
    # needs no escaping, and escaping is per character: escape(prefix + id + suffix) is the same string).
    user_pk, may_review = str(user.pk), user.is_active
    may_respond = may_hide = may_enter = None
    heads = {}

    def link(kind, pk, text):
        if kind not in heads:
            prefix, suffix = path_of(
                {"enter": "commitments:progress", "review": "engagement:review",
                 "respond": "engagement:respond", "hide": "engagement:hide"}[kind],
                *([commitment.identifier] if kind == "enter" else []),
            )(_MARK).rsplit(_MARK, 1)
            heads[kind] = (f'<p><a href="{escape(prefix)}', f'{escape(suffix)}">')
        head, tail = heads[kind]
        return f"{head}{pk}{tail}{text}</a></p>"

    texts = {}
    if may_review:
        texts["review"] = escape(_("Review this update"))
        texts["change-review"] = escape(_("Change your review"))
    for i in slots:
        kind, pk = parts[i], int(parts[i + 1])
        filled = ""
        if kind == "review":
            if may_review:
                own = user_pk in (parts[i + 2] or "").split(",")
                filled = link("review", pk, texts["change-review" if own else "review"])
        elif kind == "enter":
            if may_enter is None:
                may_enter = user.has_perm("commitments.enter_progress", commitment)
                # Translated and escaped once (escaping is per character: the same as escaping each filled text).
                texts["enter"] = escape(_("Enter progress on %(number)s"))
            if may_enter:
                filled = link("enter", pk, texts["enter"] % {"number": escape(unquote(parts[i + 2] or ""))})
        elif kind == "review-actions":
            if may_respond is None:
                may_respond = user.has_perm("engagement.respond_review", commitment)
                may_hide = user.has_perm("engagement.hide_review", commitment)
                texts["change-response"], texts["respond"] = escape(_("Change the response")), escape(_("Respond"))
                texts["hide"] = escape(_("Hide as abusive"))
            links = []
            if may_respond:
                links.append(link("respond", pk, texts["change-response" if parts[i + 2] == "1" else "respond"]))
            if may_hide:
                links.append(link("hide", pk, texts["hide"]))
            filled = "\n".join(links)
        parts[i : i + 3] = [filled, "", ""]
    return mark_safe("".join(parts))  # noqa: S308 - our own fragment, slots filled with escaped markup


def _kind_key(target):
    name = target.__class__.__name__
    if name == "Commitment":
        return "commitment", target.identifier
    if name == "ActionPlan":
        return "plan", str(target.pk)
    return "member", target.code


@register.simple_tag(takes_context=True)
def follow_button(context, target, following=None):
    """Follow / stop following ``target`` (a commitment, plan or member); a sign-in link for visitors.

    ``following``: whether the user follows it, when the view already read it (e.g. in the page's own query).
    Written here (issue #20: an inclusion tag's template on every signed-in plan, member and commitment page),
    byte for byte what ``engagement/_follow_button.html`` renders (tests/engagement/test_follow_button.py).
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    kind, key = _kind_key(target)
    atom_text = _("Atom feed")
    atom = f'\n  <p><small><a href="{escape(feed_url(target))}">{escape(atom_text)}</a></small></p>\n</div>\n'
    if not (user is not None and user.is_authenticated):
        login = f'{reverse("accounts:login")}?next={urlencode(request.path)}'
        sign_in = _("Sign in to follow by email")
        return mark_safe(  # noqa: S308 - every value escaped
            f'<div class="follow">\n  \n  <p><a href="{escape(login)}">{escape(sign_in)}</a></p>\n  {atom}'
        )
    if services.is_following(user, target) if following is None else following:
        stop = _("Stop following")
        button = f'<button type="submit" name="action" value="unfollow" class="secondary">{escape(stop)}</button>'
    else:
        follow = _("Follow: email me new updates")
        button = f'<button type="submit" name="action" value="follow">{escape(follow)}</button>'
    return mark_safe(  # noqa: S308 - every value escaped
        f'<div class="follow">\n  \n  <form method="post" action="{escape(reverse("engagement:follow", args=[kind, key]))}">'
        f'\n    <input type="hidden" name="csrfmiddlewaretoken" value="{escape(context.get("csrf_token"))}">'
        f'\n    <input type="hidden" name="next" value="{escape(request.get_full_path())}">'
        f"\n    \n    {button}\n    \n  </form>\n  {atom}"
    )


@register.simple_tag
def feed_url(target):
    """Return the Atom feed of ``target`` (the one implementation, in ``commitments/feeds.py``)."""
    kind, key = _kind_key(target)
    return reverse(f"commitments:{kind}_feed", args=[key])


@register.simple_tag
def feed_link(target, title=""):
    """``<link rel="alternate">`` of the Atom feed of ``target``, for the page head."""
    return format_html(
        '<link rel="alternate" type="application/atom+xml" href="{}" title="{}">', feed_url(target), title or str(target)
    )


@register.simple_tag
def my_disputes(user):
    """The "Disputes to answer" section of "My work" (nothing when there is none), then the link to the notice settings.

    Written in Python as its template wrote it (issue #20: the template's translation tags, ``{% url %}`` and filters
    per dispute cost more than the compiled query): the same markup, the same translations, escaped the same way
    (``{% translate %}`` and the values escaped, ``{% blocktranslate %}``'s text not).
    """
    members, agencies = services.dispute_scope(user)
    if not (members or agencies):
        return _disputes_html([])  # nobody's disputes to answer: no query, nothing kept
    # Kept as a shared part (ogp_portal.cache.fragment: per generation and language) for everybody with these
    # roles: the list depends on the roles' members and agencies alone, and every change that alters it (a
    # review written, answered or hidden, an update published, an import, the admin) replaces the generation.
    # A signed-in render of "My work" then reads it with no query (issue #20: 2-13 ms under load).
    name = f"my-disputes:m{','.join(map(str, sorted(members)))}:a{','.join(map(str, sorted(agencies)))}"
    return fragment(name, lambda: _disputes_html(services.open_disputes_for(user)))


def _disputes_html(disputes) -> str:
    parts = []
    if disputes:
        count = len(disputes)
        explained = _("A civil-society reviewer disputes published progress; the commitment shows as contested until you respond with reasons.")
        heading = ngettext("%(counter)s dispute to answer", "%(counter)s disputes to answer", count) % {"counter": _value(count)}
        parts.append(
            '\n<section aria-labelledby="disputes-heading">\n'
            f'  <h2 id="disputes-heading">{heading}</h2>\n'
            f"  <p>{escape(explained)}</p>\n"
            "  <ul>\n"
        )
        respond_path, respond = path_of("engagement:respond"), escape(_("Respond"))
        milestone = _("milestone %(number)s")
        for review in disputes:
            update = review.update
            parts.append(
                "    \n    <li>\n"
                f"      <strong>{_value(update.milestone.commitment.identifier)}</strong>, "
                f"{milestone % {'number': _value(update.milestone.number)}}:\n"
                f"      \u201c{escape(Truncator(review.comment).chars(160))}\u201d\n"
                f'      <a href="{escape(respond_path(review.pk))}">{respond}</a>\n'
                "    </li>\n"
            )
        parts.append("    \n  </ul>\n</section>\n")
    notices = escape(_("Notices: each at once, a daily digest, or none"))
    parts.append(f'\n<p class="notice-settings"><a href="{escape(reverse("engagement:notice_settings"))}">{notices}</a></p>\n')
    return mark_safe("".join(parts))  # noqa: S308 - our own markup, every value escaped


def _value(value) -> str:
    """``{{ value }}`` as the template engine writes it: localized, then escaped."""
    return conditional_escape(localize(value))
