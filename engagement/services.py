"""Every state change of reviews and follows, and the notices to followers.

One function per transition (``review``, ``respond``, ``hide``, ``follow``, ``unfollow``); views,
the admin and tasks call them. Each checks its permission through ``ogp_portal/permissions.py``
and records who changed what (django-simple-history).

``notify_followers(kind, obj)`` queues the followers' notice of a change they care about (a published
progress update or status report: called by the receivers of the domain events in ``receivers.py``;
a compliance status event: called by the sweep); one Celery task after the transaction commits,
which writes each email once to the outbox (``outbox.services``).
"""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.services import addressee, preferred_language
from commitments.progress import members_shown_with
from ogp_portal import permissions
from ogp_portal.cache import public_pages_changed
from ogp_portal.compiled import compiled
from ogp_portal.text_limits import check_lengths

from .models import Follow, Review


def refresh_figures(update_id) -> None:
    """Store again the figures of the update's plan (its contested commitments: ``commitments.figures``).

    Called on every save or delete of a review, in its transaction (``receivers.on_review_saved``):
    the services below, the admin and any other write of a review.
    """
    from commitments.figures import refresh_plan_figures
    from commitments.models import ProgressUpdate

    refresh_plan_figures(ProgressUpdate.objects.filter(pk=update_id).values_list("milestone__commitment__plan_id", flat=True))

logger = logging.getLogger(__name__)

MAX_LINKS = 10
STATUS_NEWS_WINDOW = dt.timedelta(days=31)
UNSUBSCRIBE_SALT = "engagement.unsubscribe"

# Kinds of notice: the model each one's id refers to.
KINDS = {
    "update": ("commitments", "ProgressUpdate"),
    "status_report": ("commitments", "StatusReport"),
    "review": ("engagement", "Review"),
    "response": ("engagement", "Review"),
    "status_event": ("compliance", "StatusEvent"),
}


def _require(user, perm, obj):
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this."))


def parse_links(text: str) -> list[str]:
    """Split evidence links given one per line (or separated by spaces); refuse anything but http(s) addresses."""
    links = [part for part in (text or "").split() if part]
    if len(links) > MAX_LINKS:
        raise ValidationError(_("Give at most %(count)d links.") % {"count": MAX_LINKS})
    check = URLValidator(schemes=["http", "https"])
    for link in links:
        try:
            check(link)
        except ValidationError:
            raise ValidationError(_("“%(link)s” is not a valid web address.") % {"link": link}) from None
    return links


# ---------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------


def review(update, *, by, stance, comment, links=(), now) -> Review:
    """Record (or change) ``by``'s review of a published update; a changed review awaits a new response."""
    _require(by, "engagement.review_update", update)
    if stance not in Review.Stance.values:
        raise ValidationError(_("Choose agree, partly agree or dispute."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Write a comment explaining your review."))
    links = list(links)
    with transaction.atomic():
        row = Review.objects.select_for_update().filter(update=update, author=by).first()
        if row is None:
            row = Review(update=update, author=by, created_at=now)
        elif row.is_hidden:
            raise ValidationError(_("Your review was hidden by the moderators and cannot be changed."))
        row.stance = stance
        row.comment = comment
        row.evidence_links = links
        # A changed review is a new claim: the earlier response no longer answers it.
        row.response, row.responded_by, row.responded_at = "", None, None
        row._history_user = by
        row.full_clean(exclude=["update", "author"])
        row.save()
        notify_followers("review", row)
        if row.stance == Review.Stance.DISPUTE:
            from . import notices

            notices.queue("dispute", row.pk)
        public_pages_changed(members=members_shown_with(update_id=row.update_id))
    return row


def respond(review_row: Review, *, by, text, now) -> Review:
    """Answer a review with a reasoned response (the lead agency's coordinator, the point of contact)."""
    _require(by, "engagement.respond_review", review_row)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the reasons of your response."))
    check_lengths(Review, response=text)
    with transaction.atomic():
        row = Review.objects.select_for_update().get(pk=review_row.pk)
        if row.is_hidden:
            raise ValidationError(_("A hidden review cannot be answered."))
        row.response, row.responded_by, row.responded_at = text, by, now
        row._history_user = by
        row.save()
        notify_followers("response", row)
        from . import notices

        notices.queue("response", row.pk)
        public_pages_changed(members=members_shown_with(update_id=row.update_id))
    return row


def hide(review_row: Review, *, by, reason, now) -> Review:
    """Hide abusive content (the review and its response); the reason is kept and shown in its place."""
    _require(by, "engagement.hide_review", review_row)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for hiding."))
    check_lengths(Review, hidden_reason=reason)
    with transaction.atomic():
        row = Review.objects.select_for_update().get(pk=review_row.pk)
        row.hidden_reason, row.hidden_by, row.hidden_at = reason, by, now
        row._history_user = by
        row.save()
        public_pages_changed(members=members_shown_with(update_id=row.update_id))
    return row


def contested_updates_q(prefix: str = "") -> Q:
    """Q for progress updates (reached through ``prefix``) with an unanswered, visible dispute."""
    return Q(**{f"{prefix}reviews__stance": Review.Stance.DISPUTE, f"{prefix}reviews__responded_at__isnull": True,
                f"{prefix}reviews__hidden_at__isnull": True})


def contested_commitments_q() -> Exists:
    """An Exists() for Commitment querysets: True when a published update of it has an open dispute.

    Use as ``Commitment.objects.filter(contested_commitments_q())`` or
    ``.annotate(contested=contested_commitments_q())``.
    """
    return Exists(
        Review.objects.contested().filter(
            update__state="published", update__milestone__commitment_id=OuterRef("pk")
        )
    )


def contested_update_ids(update_ids) -> set[int]:
    return set(Review.objects.contested().filter(update_id__in=list(update_ids)).values_list("update_id", flat=True))


# ---------------------------------------------------------------------------
# Following
# ---------------------------------------------------------------------------


def _target_field(target) -> str:
    name = target.__class__.__name__
    field = {"Commitment": "commitment", "ActionPlan": "plan", "Member": "member"}.get(name)
    if field is None:
        raise ValidationError(_("Only a commitment, a plan or a member can be followed."))
    return field


def follow(target, *, by) -> Follow:
    """Follow a commitment, a plan or a member (once; following again changes nothing)."""
    _require(by, "engagement.follow", target)
    field = _target_field(target)
    try:
        with transaction.atomic():
            row, _created = Follow.objects.get_or_create(user=by, **{field: target})
    except IntegrityError:
        row = Follow.objects.get(user=by, **{field: target})
    return row


def unfollow(target, *, by) -> int:
    """Stop following; return how many follows were removed (0 or 1)."""
    field = _target_field(target)
    deleted, _rows = Follow.objects.filter(user=by, **{field: target}).delete()
    return deleted


def is_following(user, target) -> bool:
    if not (user and user.is_authenticated):
        return False
    return Follow.objects.filter(user=user, **{_target_field(target): target}).exists()


def unsubscribe_token(follow_row: Follow) -> str:
    return signing.dumps({"f": follow_row.pk, "u": follow_row.user_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def follow_from_token(token: str) -> Follow | None:
    """Return the follow a signed token names, None if it is already gone; raise BadSignature if tampered."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return Follow.objects.filter(pk=data.get("f"), user_id=data.get("u")).select_related("user").first()


def unsubscribe(token: str) -> Follow | None:
    """Remove the follow named by a signed token (one click from an email); BadSignature when tampered."""
    row = follow_from_token(token)
    if row is not None:
        row.delete()
    return row


# ---------------------------------------------------------------------------
# Notices to followers
# ---------------------------------------------------------------------------


def _targets(kind: str, obj):
    """(commitment, plan, member) an event concerns; any may be None."""
    if kind in ("review", "response"):
        obj = obj.update
        kind = "update"
    if kind == "update":
        commitment = obj.milestone.commitment
        return commitment, commitment.plan, commitment.plan.member
    if kind == "status_report":
        return None, obj.plan, obj.member
    if kind == "status_event":
        return None, None, obj.member
    raise ValueError(f"unknown notice kind {kind!r}")


def _followers_q(kind: str, obj) -> Q:
    commitment, plan, member = _targets(kind, obj)
    q = Q(pk__in=[])
    if commitment is not None:
        q |= Q(commitment=commitment)
    if plan is not None:
        q |= Q(plan=plan)
    if member is not None:
        q |= Q(member=member)
    return q


def _has_followers(kind: str, obj) -> bool:
    return Follow.objects.filter(_followers_q(kind, obj)).exists()


def followers_of(kind: str, obj) -> list[Follow]:
    """The follows an event reaches, one per user (the most specific target wins)."""
    rows = Follow.objects.filter(_followers_q(kind, obj), user__is_active=True).exclude(user__email="").select_related(
        "user", "commitment", "plan", "member"
    )
    rank = {"commitment": 0, "plan": 1, "member": 2}
    by_user = {}
    for row in rows:
        kind_now = "commitment" if row.commitment_id else "plan" if row.plan_id else "member"
        held = by_user.get(row.user_id)
        if held is None or rank[kind_now] < rank["commitment" if held.commitment_id else "plan" if held.plan_id else "member"]:
            by_user[row.user_id] = row
    return sorted(by_user.values(), key=lambda row: row.user_id)


def _enqueue(kind: str, pk: int):
    from .tasks import notify_followers_task

    try:
        notify_followers_task.delay(kind, pk)
    except Exception:  # a broker outage costs the user nothing: the notice is lost, the change is saved
        logger.exception("Could not queue the %s notice for %s", kind, pk)


def notify_followers(kind: str, obj) -> None:
    """Queue the emails to the followers of ``obj`` once the current transaction commits.

    ``kind``: "update" (a progress update just published), "status_report" (just published),
    "review", "response" (engagement reviews) or "status_event" (a compliance status change).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    if not _has_followers(kind, obj):
        return  # nothing to send: no task (the seed load and the sweeps create many rows no one follows)
    pk = obj.pk
    transaction.on_commit(lambda: _enqueue(kind, pk))


def notify_followers_many(kind: str, objs) -> None:
    """:func:`notify_followers` for many events at once: one query for who has followers, whatever their number.

    Used by the compliance sweep for the status events it inserts in one batch ("status_event" only:
    its followers are those of the member).
    """
    if kind != "status_event":
        for obj in objs:
            notify_followers(kind, obj)
        return
    objs = list(objs)
    if not objs:
        return
    followed = set(
        Follow.objects.filter(member_id__in={obj.member_id for obj in objs}).order_by().values_list("member_id", flat=True)
    )
    for obj in objs:
        if obj.member_id in followed:
            pk = obj.pk
            transaction.on_commit(lambda pk=pk: _enqueue(kind, pk))


def _load(kind: str, pk: int):
    from django.apps import apps

    app_label, model = KINDS[kind]
    return apps.get_model(app_label, model).objects.filter(pk=pk).first()


def _still_relevant(kind, obj) -> bool:
    if kind in ("update",):
        return obj.state == "published"
    if kind == "status_report":
        return obj.state == "published"
    if kind == "review":
        return not obj.is_hidden
    if kind == "response":
        return obj.is_answered and not obj.is_hidden
    if kind == "status_event":
        # A first sweep of a member records its whole past: only a change of the last month is news.
        return obj.effective_on >= timezone.localdate(obj.created_at) - STATUS_NEWS_WINDOW
    return True


def send_notices(kind: str, pk: int, *, now) -> int:
    """Email every follower of the event once, through the outbox; return how many emails this call sent.

    Each (kind, object, recipient) is one outbox key, so a task run twice, or two workers at once,
    write and send nothing twice; failed sends are retried by the outbox's policy. A follower who
    chose the daily digest gets it in the digest.
    """
    from outbox import services as outbox

    obj = _load(kind, pk)
    if obj is None or not _still_relevant(kind, obj):
        return 0
    sent = 0
    for row in followers_of(kind, obj):
        user = row.user
        if kind in ("review",) and obj.author_id == user.pk:
            continue
        if kind == "response" and obj.responded_by_id == user.pk:
            continue
        if outbox.delivery_choice(user) == outbox.NONE:
            continue
        language = preferred_language(user) or settings.LANGUAGE_CODE  # the follower's choice, not the sender's
        context = {
            "kind": kind, "obj": obj, "user": user, "follow": row, "target": row.target, "greeting": addressee(user),
            "site_url": settings.SITE_URL, "unsubscribe_url": settings.SITE_URL + unsubscribe_path(row),
        }
        with translation.override(language):
            subject, body, html = outbox.render_email(f"engagement-{kind.replace('_', '-')}", context)
        message = outbox.post(
            key=f"follow:{kind}:{pk}:{user.pk}", kind=f"follow-{kind}", recipient=user, email=user.email, language=language,
            subject=subject, body=body, html=html or "", now=now, digest=True,
            headers={
                "Content-Language": language,
                "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        if message is None:
            continue
        if not message.held_for_digest:
            sent += outbox.deliver(message, now=now)
    return sent


def unsubscribe_path(follow_row: Follow) -> str:
    from django.urls import reverse

    with translation.override(None):
        return reverse("engagement:unsubscribe", args=[unsubscribe_token(follow_row)])


def dispute_scope(user) -> tuple[set, set]:
    """(members, agencies) whose open disputes ``user`` must answer: as point of contact, as coordinator.

    The roles as the permission rules read them (once per request, not again here: issue #20).
    """
    if not (user and user.is_authenticated):
        return set(), set()
    return permissions.member_ids_with_role(user, "point_of_contact"), permissions.coordinated_agency_ids(user)


def open_disputes_for(user) -> list:
    """Unanswered, visible disputes ``user`` must answer: those of their agency's commitments (coordinator)
    or of their member (point of contact); a list that empties itself once each is answered. Each a plain
    row as "My work" reads it: ``pk``, ``comment``, ``update.milestone.number``, ``update.milestone.commitment.identifier``."""
    members, agencies = dispute_scope(user)
    if not (members or agencies):
        return []
    # Compiled once per process for each number of members and agencies (ogp_portal.compiled): building
    # the query through the ORM cost more than running it, on every render of "My work" (issue #20).
    values = {f"m{i}": pk for i, pk in enumerate(sorted(members))}
    values.update({f"a{i}": pk for i, pk in enumerate(sorted(agencies))})
    rows = compiled(f"open-disputes:{len(members)}:{len(agencies)}", _open_disputes, **values)
    # Only what the section shows (the comment, the milestone's number, the commitment's identifier), as
    # plain rows with the models' attribute names: the reviews' updates, milestones and commitments read
    # whole, with each author, were most of its time on a point of contact's page (issue #20).
    return [
        SimpleNamespace(pk=pk, id=pk, comment=comment, update_id=update_id, update=SimpleNamespace(
            pk=update_id, id=update_id, milestone=SimpleNamespace(pk=milestone_id, id=milestone_id, number=number,
                                                                  commitment=SimpleNamespace(identifier=identifier))))
        for pk, comment, update_id, milestone_id, number, identifier in rows
    ]


def _open_disputes(**values):
    """The open disputes of the members (``m0``, ``m1``…, point of contact) and agencies (``a0``…, coordinator)."""
    q = Q(pk__in=[])
    for name, pk in sorted(values.items()):
        q |= (Q(update__milestone__commitment__plan__member_id=pk) if name[0] == "m"
              else Q(update__milestone__commitment__lead_agency_id=pk))
    return (
        Review.objects.contested().filter(q, update__state="published")
        .order_by("created_at", "pk")
        .values_list("pk", "comment", "update_id", "update__milestone_id", "update__milestone__number",
                     "update__milestone__commitment__identifier")
    )
