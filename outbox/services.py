"""Post an email to the outbox, deliver it with the one retry policy, send the daily digests.

Every email of the portal goes through here (follower notices, workflow notices, compliance reminders
and notices, forum invitations):

* ``post(key=…, …)`` writes one row per (key); a second post of the same key returns None and writes
  nothing, so a job run twice, or two workers at once, write one email.
* ``deliver(message, now=…)`` claims the row with one conditional UPDATE (a claim older than
  ``STALE_CLAIM`` may be taken over: its sender died), sends it and marks it sent. A failure keeps
  the row and sets ``next_attempt_at`` by ``BACKOFF``; after ``MAX_ATTEMPTS`` failures it gives up
  (the admin lists it). The callers are Celery tasks queued after their transaction commits (the
  notice, reminder and invitation tasks), so they deliver at once; a request never waits for SMTP.
* ``deliver_due(now)`` (the beat's ``outbox-retry`` every few minutes) delivers every due row.
* A recipient who chose the daily digest gets notices held (``held_for_digest``) and, once a day,
  one email listing them (``send_digests``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .mail import OutboxEmail
from .models import Message

logger = logging.getLogger(__name__)

STALE_CLAIM = dt.timedelta(minutes=15)
# The one retry policy: the n-th failure waits BACKOFF[n-1] before the next attempt.
BACKOFF = (
    dt.timedelta(minutes=15), dt.timedelta(minutes=30), dt.timedelta(hours=1), dt.timedelta(hours=2),
    dt.timedelta(hours=4), dt.timedelta(hours=8), dt.timedelta(hours=16),
)
MAX_ATTEMPTS = len(BACKOFF) + 1

IMMEDIATE, DAILY, NONE = "immediate", "daily", "none"


def delivery_choice(user) -> str:
    """How ``user`` wants notices: "immediate" (default), "daily" (one digest a day) or "none"."""
    preference = getattr(user, "preference", None) if getattr(user, "pk", None) else None
    return getattr(preference, "notices", "") or IMMEDIATE


def post(
    *, key: str, email: str, subject: str, body: str, now, kind: str = "", recipient=None, language: str = "",
    html: str = "", headers: dict | None = None, attachments=(), digest: bool = False,
) -> Message | None:
    """Write one email to the outbox; None when ``key`` was posted before (nothing written).

    ``digest=True`` marks a notice a recipient who chose the daily digest receives in the digest.
    """
    held = bool(digest and recipient is not None and delivery_choice(recipient) == DAILY)
    try:
        with transaction.atomic():
            return Message.objects.create(
                key=key[:200], kind=kind, recipient=recipient, email=email, language=language, subject=subject[:300],
                body=body, html=html or "", headers=dict(headers or {}), held_for_digest=held,
                attachments=[
                    {"name": n, "content": c.decode() if isinstance(c, bytes) else c, "mimetype": m} for (n, c, m) in attachments
                ],
                created_at=now, next_attempt_at=now,
            )
    except IntegrityError:
        return None


def _claim(pk: int, now) -> bool:
    return bool(
        Message.objects.unsent()
        .filter(pk=pk, held_for_digest=False, next_attempt_at__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM))
        .update(claimed_at=now)
    )


def as_email(message: Message) -> OutboxEmail:
    email = OutboxEmail(
        message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.email], headers=dict(message.headers),
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for item in message.attachments:
        email.attach(item["name"], item["content"], item["mimetype"])
    return email


def deliver(message: Message | int, *, now) -> bool:
    """Send one outbox row if it is due and nobody else holds it; return True if this call sent it."""
    pk = message if isinstance(message, int) else message.pk
    if not _claim(pk, now):
        return False
    row = Message.objects.get(pk=pk)
    try:
        as_email(row).send()
    except Exception as error:  # SMTP down, a refused address: retried by the backoff
        attempts = row.attempts + 1
        logger.warning("Could not send %s to %s (attempt %d)", row.key, row.email, attempts, exc_info=True)
        changes = {"attempts": attempts, "claimed_at": None, "last_error": f"{type(error).__name__}: {error}"[:2000]}
        if attempts >= MAX_ATTEMPTS:
            changes["gave_up_at"] = now
        else:
            changes["next_attempt_at"] = now + BACKOFF[attempts - 1]
        Message.objects.filter(pk=pk).update(**changes)
        return False
    Message.objects.filter(pk=pk).update(sent_at=timezone.now(), attempts=row.attempts + 1)
    return True


def render_email(name: str, context: dict) -> tuple[str, str, str | None]:
    """Render ``templates/emails/<name>-subject.txt``, ``-body.txt`` and, where it exists, ``-body.html``.

    The subject is one line (the template's line breaks and spaces folded); the HTML part is None
    when the email has no HTML template. Every email posted to the outbox is rendered by this one function.
    """
    from django.template import TemplateDoesNotExist
    from django.template.loader import render_to_string

    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    try:
        html = render_to_string(f"emails/{name}-body.html", context)
    except TemplateDoesNotExist:
        html = None
    return subject, body, html


def deliver_on_commit(message: Message | None) -> None:
    """Queue the delivery task once the current transaction commits (for a service that posts in a request).

    A broker outage only logs: the beat's retry run (``deliver_due``) delivers the row later.
    """
    if message is None:
        return
    pk = message.pk

    def queue():
        from .tasks import deliver_task

        try:
            deliver_task.delay(pk)
        except Exception:  # a broker outage: the beat's retry run delivers it
            logger.warning("Could not queue the delivery of outbox message %s.", pk, exc_info=True)

    transaction.on_commit(queue)


def deliver_due(now) -> int:
    """Deliver every row that is due (new, or waiting for its next attempt); return how many were sent."""
    due = Message.objects.unsent().filter(held_for_digest=False, next_attempt_at__lte=now).order_by("next_attempt_at")
    return sum(deliver(pk, now=now) for pk in list(due.values_list("pk", flat=True)[:500]))


def _digest_headers(rows) -> dict:
    """The digest's headers: those of a notice of work to do (its unsubscribe stops all notices), else the last row's."""
    chosen = next((row for row in reversed(rows) if row.kind.startswith("notice-")), rows[-1])
    return dict(chosen.headers)


def send_digests(now) -> int:
    """Send each recipient who chose the daily digest one email with every notice held for them; return the count."""
    from django.contrib.auth import get_user_model
    from django.template.loader import render_to_string
    from django.utils import translation

    held = Message.objects.unsent().filter(held_for_digest=True, recipient__isnull=False).order_by("recipient_id", "created_at")
    by_user: dict[int, list[Message]] = {}
    for row in held:
        by_user.setdefault(row.recipient_id, []).append(row)
    sent = 0
    users = get_user_model().objects.in_bulk(list(by_user))
    for user_id, rows in by_user.items():
        user = users.get(user_id)
        if user is None or not user.email:
            continue
        language = rows[-1].language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {"user": user, "messages": rows, "site_url": settings.SITE_URL}
            subject = " ".join(render_to_string("emails/outbox-digest-subject.txt", context).split())
            body = render_to_string("emails/outbox-digest-body.txt", context)
        day = timezone.localdate(now).isoformat()
        digest = post(
            key=f"digest:{user_id}:{day}:{rows[-1].pk}", kind="digest", recipient=user, email=user.email, language=language,
            subject=subject, body=body, now=now, headers=_digest_headers(rows),
        )
        if digest is None:
            continue
        Message.objects.filter(pk__in=[row.pk for row in rows]).update(
            held_for_digest=False, sent_at=now, last_error=f"sent in digest {digest.key}"
        )
        sent += deliver(digest, now=now)
    return sent
