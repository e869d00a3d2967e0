"""Co-creation's notices: a proposer told of moderation, a merge or the forum's answer; followers told of a draft
open for comment or of the forum's decision. Each is posted once (its key) to the one outbox, in the reader's
language, and delivered after commit. The state changes in ``cocreation.services`` call these.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from outbox import services as outbox

from .models import CoCreationProcess, Proposal


def _language(user) -> str:
    from ogp_portal.languages import language_for

    return language_for(user)


def _site() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def _post(user, *, key, subject, body, now):
    if not user.email:
        return None
    message = outbox.post(key=key, email=user.email, subject=subject, body=body, now=now, kind="cocreation",
                          recipient=user, language=_language(user), digest=True)
    outbox.deliver_on_commit(message)
    return message


def notify_proposer(proposal: Proposal, event: str, *, now):
    """Tell the proposer their proposal was moderated, merged into a draft or answered."""
    user = proposal.author
    with translation.override(_language(user)):
        if event == "moderated":
            subject = gettext("Your proposal “%(title)s” was moderated") % {"title": proposal.title}
            state = gettext("hidden") if proposal.hidden else gettext("shown again")
            body = gettext("The forum secretariat has %(state)s your proposal. Reason: %(reason)s") % {
                "state": state, "reason": proposal.moderation_reason}
            key = f"cocreation:moderated:{proposal.pk}:{proposal.version}"
        elif event == "merged":
            subject = gettext("Your proposal “%(title)s” went into a draft commitment") % {"title": proposal.title}
            body = gettext("It was merged into the draft “%(draft)s”.") % {"draft": proposal.draft.title}
            key = f"cocreation:merged:{proposal.pk}:{proposal.draft_id}"
        else:
            subject = gettext("The forum answered your proposal “%(title)s”") % {"title": proposal.title}
            body = gettext("Decision: %(outcome)s.\n\n%(response)s") % {
                "outcome": proposal.get_outcome_display(), "response": proposal.response}
            key = f"cocreation:answered:{proposal.pk}"
        body += "\n\n" + _site() + proposal.get_absolute_url()
    return _post(user, key=key, subject=subject, body=body, now=now)


def notify_followers(process: CoCreationProcess, event: str, *, now, obj=None) -> int:
    """Tell the followers of a process that a draft opened for comment, or that the forum decided."""
    sent = 0
    for follower in process.followers.select_related("user"):
        user = follower.user
        with translation.override(_language(user)):
            if event == "draft_open":
                subject = gettext("A draft commitment is open for comment: %(title)s") % {"title": obj.title}
                body = gettext("Comment until %(day)s.") % {"day": obj.comment_closes_on.isoformat()}
                key = f"cocreation:draft_open:{obj.pk}:{obj.comment_opens_on}:{user.pk}"
                url = obj.get_absolute_url()
            else:
                subject = gettext("The forum decided on the proposals for %(title)s") % {"title": process.title}
                body = gettext("Read the forum's responses to every proposal.")
                key = f"cocreation:decided:{process.pk}:{obj.pk}:{user.pk}"
                url = process.get_absolute_url()
            body += "\n\n" + _site() + url
        if _post(user, key=key, subject=subject, body=body, now=now):
            sent += 1
    return sent
