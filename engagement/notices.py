"""Notices of work to do: who must act after a domain event, told in their language, with a link to the form.

The domain apps send signals after commit (``commitments/signals.py``, ``forums/signals.py``;
reviews are engagement's own); the receivers here (connected in ``EngagementConfig.ready``) queue
one task per event, which writes one outbox message per recipient (``outbox.services``) and delivers
it, or holds it for the recipient's daily digest. Each message is rendered in the recipient's
language (their account preference, else the portal's default) and carries an absolute link
(``SITE_URL``) to the page where they act, and the RFC 8058 one-click unsubscribe headers.

| event | recipients | link |
|---|---|---|
| submitted | the member's points of contact | the review form |
| returned | the author and the lead agency's coordinators | the progress form of that period |
| approved | the author (followers get their own notice) | the update on the commitment page |
| dispute | the lead agency's coordinators and the member's points of contact | the response form |
| response | the reviewer | the review on the commitment page |
| meeting cancelled | every current forum member with an address | the meeting page |

Scheduled and moved meetings send the (updated) invitation with its .ics (``forums`` writes it).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.services import addressee, preferred_language
from outbox import services as outbox

logger = logging.getLogger(__name__)

NOTICES_SALT = "engagement.notices"
EVENTS = ("submitted", "returned", "approved", "dispute", "response", "meeting_cancelled")


# ---------------------------------------------------------------- one-click unsubscribe from notices


def notices_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=NOTICES_SALT, compress=True)


def user_from_notices_token(token: str):
    """The account a signed token names (None if it is gone); BadSignature when tampered."""
    data = signing.loads(token, salt=NOTICES_SALT)
    return get_user_model().objects.filter(pk=data.get("u")).first() if isinstance(data, dict) else None


def notices_unsubscribe_url(user) -> str:
    with translation.override(None):
        return settings.SITE_URL + reverse("engagement:notices_unsubscribe", args=[notices_token(user)])


def set_notice_choice(user, choice: str):
    """Record how ``user`` wants notices ("immediate", "daily" or "none")."""
    from accounts.models import Preference

    if choice not in (outbox.IMMEDIATE, outbox.DAILY, outbox.NONE):
        raise ValueError(choice)
    row, _created = Preference.objects.get_or_create(user=user)
    row.notices = choice
    row.save(update_fields=["notices", "updated_at"])
    return row


def unsubscribe_headers(url: str) -> dict:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# ---------------------------------------------------------------- queueing (called by the receivers)


def queue(event: str, pk: int) -> None:
    """Queue the notice task for (event, pk) once the current transaction commits; a broker outage only logs."""
    if event not in EVENTS:
        raise ValueError(event)

    def send():
        from .tasks import workflow_notice_task

        try:
            workflow_notice_task.delay(event, pk)
        except Exception:
            logger.warning("Could not queue the %s notice for %s.", event, pk, exc_info=True)

    transaction.on_commit(send)


# ---------------------------------------------------------------- who, and where they act


def _roles(member_id, kind, agency_id=None):
    from commitments.models import Role

    rows = Role.objects.filter(member_id=member_id, kind=kind, user__is_active=True).exclude(user__email="")
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    return [role.user for role in rows.select_related("user").order_by("user_id")]


def _unique(users):
    seen, out = set(), []
    for user in users:
        if user is not None and user.pk not in seen and user.email and user.is_active:
            seen.add(user.pk)
            out.append(user)
    return out


def _load(event: str, pk: int):
    if event in ("submitted", "returned", "approved"):
        from commitments.models import ProgressUpdate

        return ProgressUpdate.objects.select_related("milestone__commitment__plan__member", "author", "reviewed_by").filter(pk=pk).first()
    if event in ("dispute", "response"):
        from .models import Review

        return Review.objects.select_related("update__milestone__commitment__plan__member", "author").filter(pk=pk).first()
    from forums.models import Meeting

    return Meeting.objects.select_related("forum__member").filter(pk=pk).first()


def recipients(event: str, obj) -> list:
    """The accounts an event tells (active, with an address); meeting notices go to forum contacts instead."""
    from commitments.models import Role

    if event in ("submitted", "returned", "approved"):
        commitment = obj.milestone.commitment
        member_id = commitment.plan.member_id
        if event == "submitted":
            return _unique(_roles(member_id, Role.Kind.POINT_OF_CONTACT))
        if event == "returned":
            return _unique([obj.author, *_roles(member_id, Role.Kind.COORDINATOR, commitment.lead_agency_id)])
        return _unique([obj.author])
    if event == "dispute":
        commitment = obj.update.milestone.commitment
        member_id = commitment.plan.member_id
        users = [*_roles(member_id, Role.Kind.COORDINATOR, commitment.lead_agency_id), *_roles(member_id, Role.Kind.POINT_OF_CONTACT)]
        return [user for user in _unique(users) if user.pk != obj.author_id]
    if event == "response":
        return [user for user in _unique([obj.author]) if user.pk != obj.responded_by_id]
    return []


def _still_relevant(event: str, obj) -> bool:
    if event == "submitted":
        return obj.state == "submitted"
    if event == "returned":
        return obj.state in ("returned", "draft")
    if event == "approved":
        return obj.state == "published"
    if event == "dispute":
        return obj.stance == "dispute" and not obj.is_hidden
    if event == "response":
        return obj.is_answered and not obj.is_hidden
    if event == "meeting_cancelled":
        return obj.status == "cancelled"
    return True


def action_path(event: str, obj) -> str:
    """The page where the recipient acts (in the active language)."""
    if event == "submitted":
        return reverse("commitments:review_progress", args=[obj.pk])
    if event == "returned":
        from commitments.progress import period_label_of

        commitment = obj.milestone.commitment
        path = reverse("commitments:progress", args=[commitment.identifier, obj.milestone_id])
        label = period_label_of(obj)
        return f"{path}?period={label}" if label else path
    if event == "approved":
        return f"{obj.milestone.commitment.get_absolute_url()}#update-{obj.pk}"
    if event == "dispute":
        return reverse("engagement:respond", args=[obj.pk])
    if event == "response":
        return f"{obj.update.milestone.commitment.get_absolute_url()}#review-{obj.pk}"
    return obj.get_absolute_url()


def _member_of(event: str, obj):
    if event in ("submitted", "returned", "approved"):
        return obj.milestone.commitment.plan.member
    if event in ("dispute", "response"):
        return obj.update.milestone.commitment.plan.member
    return obj.forum.member


def _render(template: str, context: dict) -> tuple[str, str]:
    """Subject and text of a notice (notices are plain text)."""
    subject, body, _html = outbox.render_email(template, context)
    return subject, body


def _stamp(event: str, obj) -> str:
    """What makes this occurrence of the event new (a row's version, the time of a changed review)."""
    if event in ("submitted", "returned", "approved"):
        return str(obj.version)
    if event == "response":
        return str(int(obj.responded_at.timestamp()))
    latest = obj.history.order_by("-history_date").first()
    return str(int(latest.history_date.timestamp())) if latest else "0"


def send_workflow_notice(event: str, pk: int, *, now) -> int:
    """Write one outbox message per recipient of the event and deliver it (or hold it for the digest); return how many went now."""
    obj = _load(event, pk)
    if obj is None or not _still_relevant(event, obj):
        return 0
    if event == "meeting_cancelled":
        return send_meeting_cancelled(obj, now=now)
    member = _member_of(event, obj)
    sent = 0
    for user in recipients(event, obj):
        choice = outbox.delivery_choice(user)
        if choice == outbox.NONE:
            continue
        language = preferred_language(user) or settings.LANGUAGE_CODE
        unsubscribe_url = notices_unsubscribe_url(user)
        with translation.override(language):
            context = {
                "event": event, "obj": obj, "user": user, "member": member, "greeting": addressee(user, member),
                "action_url": settings.SITE_URL + action_path(event, obj), "site_url": settings.SITE_URL,
                "unsubscribe_url": unsubscribe_url,
            }
            subject, body = _render(f"notice-{event}", context)
        # A changed review or a second return is a new event: the key holds the row's version or time.
        stamp = _stamp(event, obj)
        message = outbox.post(
            key=f"notice:{event}:{pk}:{stamp}:{user.pk}", kind=f"notice-{event}", recipient=user, email=user.email,
            language=language, subject=subject, body=body, now=now, digest=True,
            headers={"Content-Language": language, **unsubscribe_headers(unsubscribe_url)},
        )
        if message is not None and not message.held_for_digest:
            sent += outbox.deliver(message, now=now)
    return sent


def send_meeting_cancelled(meeting, *, now) -> int:
    """Tell every current member of the forum with an address that the meeting is cancelled (in each one's language)."""
    from forums import calendars
    from forums.models import MeetingChange

    change = meeting.changes.filter(kind=MeetingChange.Kind.CANCELLED).order_by("-changed_at").first()
    day = timezone.localtime(meeting.starts_at).date()
    sent = 0
    for membership in meeting.forum.memberships.current(day).select_related("user").order_by("pk"):
        email = membership.contact_email
        if not email:
            continue
        language = membership.contact_language
        with translation.override(language):
            context = {
                "meeting": meeting, "forum": meeting.forum, "membership": membership, "change": change,
                "meeting_url": settings.SITE_URL + meeting.get_absolute_url(), "site_url": settings.SITE_URL,
            }
            subject, body = _render("forum-cancelled", context)
            ics = calendars.invitation_ics(meeting, email).decode().replace("METHOD:REQUEST", "METHOD:CANCEL")
        message = outbox.post(
            key=f"meeting-cancelled:{meeting.pk}:{meeting.sequence}:{membership.pk}", kind="meeting-cancelled",
            recipient=membership.user, email=email, language=language, subject=subject, body=body, now=now,
            headers={"Content-Language": language}, attachments=[("meeting.ics", ics, "text/calendar; method=CANCEL")],
        )
        if message is not None:
            sent += outbox.deliver(message, now=now)
    return sent
