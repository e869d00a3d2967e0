"""The secretariat's page written in Python (``forums.rows.secretariat_sections``, issue #20) is byte for byte what
its template's loop wrote, in every language: meetings at risk (one day left, several), minutes due and overdue,
attendance to record, upcoming meetings, open action items (none, one, several), values that need escaping, and
nobody's forum."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from commitments.models import Role
from forums.models import ActionItem, Forum, Meeting
from forums.rows import secretariat_sections
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The loop the template had (templates/forums/secretariat.html before issue #20's session 11).
_SECRETARIAT_LOOP = """{% load i18n sentences %}{% for row in rows %}
<section aria-labelledby="forum-{{ row.forum.pk }}">
  <h2 id="forum-{{ row.forum.pk }}"><a href="{{ row.forum.get_absolute_url }}">{{ row.forum.name }}</a> <small>({{ row.forum.member.name }})</small></h2>
  {% for p in row.at_risk %}
  <p class="warning"><strong>{% translate "Meeting at risk:" %}</strong>
    {% blocktranslate trimmed count days=p.days_left with period=p.label %}
    nothing is scheduled for {{ period }} and {{ days }} day is left.
    {% plural %}
    nothing is scheduled for {{ period }} and {{ days }} days are left.
    {% endblocktranslate %}
    <a href="{% url 'forums:meeting_new' row.forum.pk %}">{% translate "Schedule a meeting" %}</a></p>
  {% endfor %}
  {% for meeting, due, overdue in row.minutes_due %}
  <p class="warning{% if overdue %} danger{% endif %}"><strong>{% translate "Minutes not yet published:" %}</strong>
    <a href="{% url 'forums:minutes' row.forum.pk meeting.pk %}">{{ meeting.display_title }}</a> ({{ meeting.starts_at|date:"DATE_FORMAT" }}) —
    {% if overdue %}{% blocktranslate with due=due|date:"DATE_FORMAT" asvar due_text %}they were due on {{ due }}.{% endblocktranslate %}{{ due_text|single_stops }}
    {% else %}{% blocktranslate with due=due|date:"DATE_FORMAT" asvar due_text %}due by {{ due }}.{% endblocktranslate %}{{ due_text|single_stops }}{% endif %}</p>
  {% endfor %}
  {% for meeting in row.to_record %}
  <p class="warning"><strong>{% translate "Attendance not recorded:" %}</strong>
    <a href="{% url 'forums:record' row.forum.pk meeting.pk %}">{{ meeting.display_title }}</a> ({{ meeting.starts_at|date:"DATE_FORMAT" }})</p>
  {% endfor %}
  <ul>
    <li>{% blocktranslate count n=row.open_items %}{{ n }} open action item{% plural %}{{ n }} open action items{% endblocktranslate %}</li>
    {% for meeting in row.upcoming %}<li>{% translate "Next meeting:" %} <a href="{{ meeting.get_absolute_url }}">{{ meeting.starts_at|date:"DATETIME_FORMAT" }}</a></li>{% endfor %}
  </ul>
  <p class="actions-bar">
    <a role="button" href="{% url 'forums:meeting_new' row.forum.pk %}">{% translate "Schedule a meeting" %}</a>
    <a href="{% url 'forums:contacts' row.forum.pk %}">{% translate "Members' contacts" %}</a>
    <a href="{% url 'forums:member_calendar' row.forum.member.code %}">{% translate "Calendar of deadlines, meetings and milestones (iCal)" %}</a>
  </p>
</section>
{% empty %}
<p>{% translate "You keep no forum." %}</p>
{% endfor %}"""


@pytest.fixture
def kept_forums(bishkek_forum, national_forum):
    """Bishkek's forum with every kind of warning (relative to now) and the national forum, kept by one secretariat."""
    now = timezone.now()
    bishkek_forum.name = 'Open Bishkek <Committee> & "friends"'
    bishkek_forum.save()
    held = dict(forum=bishkek_forum, status=Meeting.Status.HELD)
    Meeting.objects.create(**held, title="Budget & <audit>", starts_at=now - dt.timedelta(days=2))  # minutes due
    Meeting.objects.create(**held, title="", starts_at=now - dt.timedelta(days=80))  # minutes overdue, untitled
    Meeting.objects.create(forum=bishkek_forum, title="Roll call", starts_at=now - dt.timedelta(days=3))  # to record
    soon = Meeting.objects.create(forum=bishkek_forum, title="Next", starts_at=now + dt.timedelta(days=10))
    Meeting.objects.create(forum=bishkek_forum, title="Later", starts_at=now + dt.timedelta(days=40))
    for title in ("One", "Two"):
        ActionItem.objects.create(meeting=soon, title=title, owner="The secretariat")
    national = Meeting.objects.create(forum=national_forum, title="National", starts_at=now + dt.timedelta(days=5))
    ActionItem.objects.create(meeting=national, title="Only one", owner="The secretariat")
    user = UserFactory(username="two-forums")
    for forum in (bishkek_forum, national_forum):
        Role.objects.create(user=user, member=forum.member, kind=Role.Kind.SECRETARIAT)
    return user


def test_the_sections_written_in_python_are_what_the_template_wrote(client, kept_forums):
    template = engines["django"].from_string(_SECRETARIAT_LOOP)
    client.force_login(kept_forums)
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            response = client.get(reverse("forums:secretariat"))
            assert response.status_code == 200
            rows = response.context["rows"]
            assert [row["open_items"] for row in rows if row["upcoming"]] and len(rows) == 2
            assert any(row["minutes_due"] and row["to_record"] for row in rows)
            assert {overdue for row in rows for _m, _d, overdue in row["minutes_due"]} == {True, False}
            assert str(response.context["sections"]) in response.text
            # Periods at risk (the cadence of today's data has none to spare): one day left, several.
            for at_risk in ([], [SimpleNamespace(label="2026-H2", days_left=1)], [SimpleNamespace(label="2027-Q1", days_left=12)]):
                for row in rows:
                    row["at_risk"] = at_risk
                for open_items in (0, 1, 2, 1234):
                    rows[0]["open_items"] = open_items
                    written = template.render({"rows": rows})
                    assert secretariat_sections(rows) == written, (code, at_risk, open_items)
            assert secretariat_sections([]) == template.render({"rows": []})
        assert "&lt;Committee&gt; &amp; &quot;friends&quot;" in written and "Budget &amp; &lt;audit&gt;" in written


def test_a_person_who_keeps_no_forum_is_refused_and_an_administrator_sees_every_forum(client, kept_forums, admin_user):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("forums:secretariat")).status_code == 403
    from tests.factories import ForumFactory

    ForumFactory()  # a forum without action items
    client.force_login(admin_user)
    response = client.get(reverse("forums:secretariat"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == Forum.objects.count() >= 2
    # Each forum's open action items counted in the forums' query (none: 0, not a missing value).
    assert {row["forum"].pk: row["open_items"] for row in rows} == {
        forum.pk: ActionItem.objects.open().filter(meeting__forum=forum).count() for forum in Forum.objects.all()
    }
    assert 0 in {row["open_items"] for row in rows}
