"""Receivers of the domain apps' events (connected in ``EngagementConfig.ready``).

The domain services send the signals after their transaction commits; each receiver only queues
work (a Celery task), so a request never waits for a mail server.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from commitments import following
from commitments import signals as commitment_signals
from forums import signals as forum_signals

from . import notices
from .models import Follow, Review
from .services import notify_followers, refresh_figures


@receiver(post_save, sender=Review, dispatch_uid="engagement.review_saved")
@receiver(post_delete, sender=Review, dispatch_uid="engagement.review_deleted")
def on_review_saved(sender, instance, **kwargs):
    """A dispute raised, answered, hidden or deleted: its plan's stored contested count (``commitments.figures``)."""
    refresh_figures(instance.update_id)


@receiver(post_save, sender=Follow, dispatch_uid="engagement.follow_saved")
@receiver(post_delete, sender=Follow, dispatch_uid="engagement.follow_deleted")
def on_follow_changed(sender, instance, **kwargs):
    """A follow saved or deleted (services, admin, cascades): the commitment or plan page's kept follow state for that reader."""
    if instance.commitment_id and instance.user_id:
        following.forget(instance.user_id, instance.commitment_id)
    elif instance.plan_id and instance.user_id:
        following.forget(instance.user_id, instance.plan_id, "plan")


@receiver(commitment_signals.progress_submitted, dispatch_uid="engagement.progress_submitted")
def on_progress_submitted(sender, update, **kwargs):
    notices.queue("submitted", update.pk)


@receiver(commitment_signals.progress_returned, dispatch_uid="engagement.progress_returned")
def on_progress_returned(sender, update, **kwargs):
    notices.queue("returned", update.pk)


@receiver(commitment_signals.progress_approved, dispatch_uid="engagement.progress_approved")
def on_progress_approved(sender, update, **kwargs):
    notify_followers("update", update)
    notices.queue("approved", update.pk)


@receiver(commitment_signals.status_report_published, dispatch_uid="engagement.status_report_published")
def on_status_report_published(sender, report, **kwargs):
    notify_followers("status_report", report)


@receiver(forum_signals.meeting_scheduled, dispatch_uid="engagement.meeting_scheduled")
@receiver(forum_signals.meeting_moved, dispatch_uid="engagement.meeting_moved")
def on_meeting_scheduled_or_moved(sender, meeting, invite=True, **kwargs):
    if invite:
        from forums.services import enqueue_invitations

        enqueue_invitations(meeting.pk)


@receiver(forum_signals.meeting_cancelled, dispatch_uid="engagement.meeting_cancelled")
def on_meeting_cancelled(sender, meeting, **kwargs):
    notices.queue("meeting_cancelled", meeting.pk)
