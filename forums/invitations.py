"""Invitations to a forum's meetings: who is invited, the sending (once per member and revision, via the outbox),
the signed RSVP links and the answers.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outbox import services as outbox
from outbox.models import Message as OutboxMessage

from .dates import portal_zone
from .models import Forum, Invitation, Meeting

logger = logging.getLogger(__name__)

RSVP_SALT = "forums.rsvp"


def enqueue_invitations(meeting_id: int) -> None:
    """Queue the invitation task after the current transaction commits; a broker outage only logs."""
    from .tasks import send_invitations_task

    def send():
        try:
            send_invitations_task.delay(meeting_id)
        except Exception:  # kombu OperationalError, redis/OS errors: the secretariat can press "send" again
            logger.warning("Could not queue invitations for meeting %s.", meeting_id, exc_info=True)

    transaction.on_commit(send)


def rsvp_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "s": invitation.sequence}, salt=RSVP_SALT, compress=True)


def rsvp_max_age() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "FORUM_RSVP_MAX_AGE_DAYS", 60))


class RsvpRefused(Exception):
    """An RSVP link that cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def invitation_from_token(token: str, *, now: dt.datetime) -> Invitation:
    """Return the invitation a signed RSVP link stands for, or raise :class:`RsvpRefused`."""
    try:
        data = signing.loads(token, salt=RSVP_SALT, max_age=rsvp_max_age())
    except signing.SignatureExpired:
        raise RsvpRefused(_("This answer link has expired. Please contact the forum's secretariat."), 410) from None
    except signing.BadSignature:
        raise RsvpRefused(_("This answer link is not valid. Please use the link from your invitation email."), 400) from None
    invitation = (
        Invitation.objects.select_related("meeting__forum", "membership").filter(pk=data.get("i")).first()
        if isinstance(data, dict)
        else None
    )
    if invitation is None:
        raise RsvpRefused(_("This answer link is not valid. Please use the link from your invitation email."), 400)
    meeting = invitation.meeting
    if invitation.sequence != meeting.sequence or data.get("s") != invitation.sequence:
        raise RsvpRefused(_("The meeting has changed since this invitation; please use the latest invitation."), 410)
    if meeting.status != Meeting.Status.PLANNED:
        raise RsvpRefused(_("This meeting is no longer planned, so answers are closed."), 410)
    if meeting.starts_at <= now:
        raise RsvpRefused(_("This meeting has already started, so answers are closed."), 410)
    return invitation


def record_rsvp(invitation: Invitation, *, response: str, delegate: str = "", now: dt.datetime) -> Invitation:
    """Record a member's answer to an invitation (accept, decline, or send a named representative)."""
    if response not in (Invitation.Response.ACCEPTED, Invitation.Response.DECLINED, Invitation.Response.DELEGATED):
        raise ValidationError({"response": _("Choose an answer.")})
    if response == Invitation.Response.DELEGATED and not delegate.strip():
        raise ValidationError({"delegate": _("Name the representative who will attend in your place.")})
    invitation.response = response
    invitation.delegate = delegate.strip() if response == Invitation.Response.DELEGATED else ""
    invitation.responded_at = now
    invitation.save(update_fields=["response", "delegate", "responded_at"])
    return invitation


def invitation_plan_for_forum(forum: Forum, day: dt.date) -> tuple[list, list]:
    """Who an invitation to a meeting of ``forum`` on ``day`` reaches: (members with an address, members without one)."""
    reached, missed = [], []
    for membership in forum.memberships.current(day).select_related("user").order_by("person"):
        (reached if membership.contact_email else missed).append(membership)
    return reached, missed


def invitation_plan(meeting: Meeting, day: dt.date | None = None) -> tuple[list, list]:
    """Who an invitation to ``meeting`` reaches: (memberships with an address, memberships without one)."""
    return invitation_plan_for_forum(meeting.forum, day or meeting.starts_at.astimezone(portal_zone()).date())


def send_meeting_invitations(meeting_id: int, *, now: dt.datetime) -> int:
    """Send the invitation for the meeting's current revision to every current member once; return the count sent.

    Steps: 1. create one Invitation row per current member with an email (the unique key makes a
    second run find them); 2. for each unsent row, post the rendered invitation to the outbox (one
    key per invitation and revision) and deliver it; the outbox's claim and retry policy make each
    invitation go out once, and a failed send goes out on a later run or the outbox's retry run.
    """
    meeting = Meeting.objects.select_related("forum__member").filter(pk=meeting_id).first()
    if meeting is None or meeting.status != Meeting.Status.PLANNED or meeting.starts_at <= now:
        return 0
    reached, _missed = invitation_plan(meeting)
    for membership in reached:
        try:
            with transaction.atomic():
                Invitation.objects.get_or_create(
                    meeting=meeting, membership=membership, sequence=meeting.sequence, defaults={"email": membership.contact_email}
                )
        except IntegrityError:  # a concurrent run created it
            pass
    sent = 0
    unsent = Invitation.objects.filter(meeting=meeting, sequence=meeting.sequence, sent_at__isnull=True)
    for invitation in unsent.select_related("membership__user"):
        key = f"invitation:{invitation.pk}:{invitation.sequence}"
        message = OutboxMessage.objects.filter(key=key).first() or _post_invitation(meeting, invitation, key, now)
        if message is None:
            continue
        if outbox.deliver(message, now=now):
            Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now(), claimed_at=now)
            sent += 1
    return sent


def _post_invitation(meeting: Meeting, invitation: Invitation, key: str, now):
    """Render the invitation (subject, body, .ics) in the member's language and post it to the outbox."""
    from . import calendars

    token = rsvp_token(invitation)
    language = invitation.membership.contact_language
    with translation.override(language):
        context = {
            "meeting": meeting,
            "forum": meeting.forum,
            "membership": invitation.membership,
            "rsvp_url": settings.SITE_URL + reverse("forums:rsvp", args=[token]),
            "meeting_url": settings.SITE_URL + meeting.get_absolute_url(),
            "updated": invitation.sequence > 0,
            "site_url": settings.SITE_URL,
        }
        subject = " ".join(render_to_string("emails/forum-invitation-subject.txt", context).split())
        body = render_to_string("emails/forum-invitation-body.txt", context)
        ics = calendars.invitation_ics(meeting, invitation.email)
    return outbox.post(
        key=key, kind="forum-invitation", recipient=invitation.membership.user, email=invitation.email, language=language,
        subject=subject, body=body, now=now, headers={"Content-Language": language},
        attachments=[("meeting.ics", ics, "text/calendar; method=REQUEST")],
    )
