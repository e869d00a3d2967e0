"""The admin's History pages cannot write what the admin shows read-only (issue 16, point 4).

simple-history's revert page saves an old version on POST after checking only the view permission;
``ogp_portal.admin_tools.GuardedHistoryAdmin`` asks for the change permission on the row as it is now.
"""

import pytest
from django.urls import reverse

from forums.models import Meeting

pytestmark = pytest.mark.django_db


def test_the_revert_page_cannot_change_a_meeting_the_forum_services_own(admin_client, bishkek_forum):
    meeting = bishkek_forum.meetings.filter(status=Meeting.Status.HELD).order_by("starts_at").first()
    first_title = meeting.title
    meeting.title = "Renamed since"
    meeting.save()
    old = meeting.history.order_by("history_id").first()
    url = reverse("admin:forums_meeting_simple_history", args=[meeting.pk, old.history_id])
    assert admin_client.get(url).status_code == 200  # an old version can be read
    # The old version's whole form, as the revert page would post it (without the guard, this saves it).
    form = {
        "forum": bishkek_forum.pk, "title": first_title, "status": old.status, "sequence": old.sequence,
        "starts_at_0": old.starts_at.date().isoformat(), "starts_at_1": old.starts_at.time().isoformat(),
        "place": old.place or "", "agenda": old.agenda or "", "minutes": old.minutes or "", "online_link": old.online_link or "",
        "private_notes": "",
    }
    assert admin_client.post(url, form).status_code == 403
    meeting.refresh_from_db()
    assert meeting.title == "Renamed since"
