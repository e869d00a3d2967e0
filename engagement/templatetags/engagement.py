"""Template tags the commitment, plan and member pages include: review panel, follow button, feed link."""

from collections import defaultdict

from django import template
from django.urls import reverse
from django.utils.html import format_html

from engagement import services
from engagement.models import Review

register = template.Library()


def _reviews_for(request, commitment_id):
    """All reviews of a commitment's published updates, read once per page (whatever the number of updates)."""
    cache = getattr(request, "_engagement_reviews", None)
    if cache is None:
        cache = request._engagement_reviews = {}
    if commitment_id not in cache:
        by_update = defaultdict(list)
        rows = Review.objects.filter(
            update__milestone__commitment_id=commitment_id, update__state="published"
        ).select_related("author", "responded_by", "update__milestone__commitment__plan").order_by("created_at", "pk")
        for row in rows:
            by_update[row.update_id].append(row)
        cache[commitment_id] = by_update
    return cache[commitment_id]


@register.inclusion_tag("engagement/_review_panel.html", takes_context=True)
def review_panel(context, update):
    """Reviews of one published update, its "contested" mark and the forms to review, respond or hide."""
    request = context.get("request")
    user = getattr(request, "user", None)
    page_commitment = context.get("commitment")
    commitment_id = page_commitment.pk if page_commitment is not None else update.milestone.commitment_id
    reviews = _reviews_for(request, commitment_id).get(update.pk, [])
    for row in reviews:
        row.can_respond = bool(user and user.has_perm("engagement.respond_review", row))
        row.can_hide = bool(user and user.has_perm("engagement.hide_review", row))
    counts = {stance: sum(1 for r in reviews if r.stance == stance and not r.is_hidden) for stance in Review.Stance.values}
    return {
        "request": request,
        "user": user,
        "update": update,
        "reviews": reviews,
        "counts": counts,
        "contested": any(r.is_contested for r in reviews),
        "can_review": bool(user and user.has_perm("engagement.review_update", update)),
        "own": next((r for r in reviews if user and r.author_id == user.pk), None),
    }


def _kind_key(target):
    name = target.__class__.__name__
    if name == "Commitment":
        return "commitment", target.identifier
    if name == "ActionPlan":
        return "plan", str(target.pk)
    return "member", target.code


@register.inclusion_tag("engagement/_follow_button.html", takes_context=True)
def follow_button(context, target):
    """Follow / stop following ``target`` (a commitment, plan or member); a sign-in link for visitors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    kind, key = _kind_key(target)
    return {
        "request": request,
        "user": user,
        "action_url": reverse("engagement:follow", args=[kind, key]),
        "following": services.is_following(user, target),
        "feed_url": feed_url(target),
        "csrf_token": context.get("csrf_token"),
    }


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


@register.inclusion_tag("engagement/_my_disputes.html")
def my_disputes(user):
    """The "Disputes to answer" section of "My work" (nothing when there is none)."""
    return {"disputes": services.open_disputes_for(user)}
