"""Real Celery workers on Redis: the invitation task queued three times, run by two workers at once, sends each invitation once."""

import pytest

from forums import services
from forums.models import Invitation
from forums.tasks import send_invitations_task
from tests.compliance.test_celery_worker import Celery, redis_available, wait_until
from tests.conftest import require_service
from tests.forums.conftest import at, load_bishkek_forum

pytestmark = [pytest.mark.slow, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def sent_subjects(mail_dir):
    return [
        line
        for path in mail_dir.glob("*.log")
        for line in path.read_text(errors="replace").splitlines()
        if line.startswith("Subject: ")
    ]


def finished_runs(celery):
    return sum(
        line.count("succeeded in")
        for proc in celery.procs
        for line in proc.log_path.read_text(errors="replace").splitlines()
        if "forums.tasks.send_invitations_task" in line
    )


def test_two_workers_and_three_queued_tasks_send_each_invitation_once(tmp_path, settings):
    import datetime as dt

    from django.utils import timezone

    require_service(redis_available(), f"Redis at {settings.REDIS_URL}")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    celery = Celery(tmp_path, OGP_TEST_MAIL_DIR=str(mail_dir))
    celery.env["DJANGO_SETTINGS_MODULE"] = "tests.forums.celery_worker_settings"
    try:
        forum = load_bishkek_forum()
        start = timezone.now().astimezone(at(2026, 1, 1).tzinfo) + dt.timedelta(days=30)
        meeting = services.schedule_meeting(forum, starts_at=start, by=None, now=timezone.now(), title="Q meeting", invite=False)
        celery.worker("one")
        celery.worker("two")
        for _ in range(3):
            send_invitations_task.apply_async(args=[meeting.pk], queue=celery.queue)
        wait_until(lambda: Invitation.objects.filter(meeting=meeting, sent_at__isnull=False).count() == 6, 90, "six invitations", celery)
        # Every queued run has finished (the later ones found every row claimed or sent).
        wait_until(lambda: finished_runs(celery) == 3, 60, "the three runs", celery)
        assert len(sent_subjects(mail_dir)) == 6, celery.logs()
        assert Invitation.objects.filter(meeting=meeting).count() == 6
    finally:
        celery.close()
