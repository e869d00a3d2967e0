"""The forum page's tables built in Python (forums.rows) are the HTML the template's loops wrote (issue #20)."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from forums import services
from forums.models import Meeting
from forums.rows import meeting_rows, period_rows

pytestmark = pytest.mark.django_db

# The loops as they were in templates/forums/forum_detail.html before issue #20's change.
MEETING_LOOP = "{% load i18n portal %}" + '      {% translate "Date" as l_date %}{% translate "Meeting" as l_meeting %}{% translate "Place" as l_place %}{% translate "Status" as l_status %}{% translate "Minutes" as l_minutes %}{% translate "Forum meeting" as l_untitled %}{% translate "Published" as l_published %}{% translate "Not published" as l_unpublished %}{# once, not per row #}\n      {% for meeting in meetings %}\n      <tr>\n        <td data-label="{{ l_date }}"><time datetime="{{ meeting.starts_at|date:\'c\' }}">{{ meeting.starts_at|day }}</time></td>\n        <th scope="row" data-label="{{ l_meeting }}"><a href="{{ meeting.get_absolute_url }}">{{ meeting.title|default:l_untitled }}</a></th>\n        <td data-label="{{ l_place }}">{{ meeting.place|default:"—" }}</td>\n        <td data-label="{{ l_status }}">{{ meeting.get_status_display }}</td>\n        <td data-label="{{ l_minutes }}">{% if meeting.minutes_published_at %}{{ l_published }}{% elif meeting.status == "held" %}{{ l_unpublished }}{% else %}—{% endif %}</td>\n      </tr>\n      {% endfor %}'
PERIOD_LOOP = "{% load i18n portal %}" + '      {% for p in periods %}\n      <tr>\n        <th scope="row" data-label="{% translate \'Period\' %}">{{ p.label }}</th>\n        <td data-label="{% translate \'Dates\' %}">{{ p.period.start|day }} – {{ p.period.end|day }}</td>\n        <td data-label="{% translate \'Status\' %}"><span class="state state-{{ p.state }}">{{ p.state_label }}</span>\n          {% if p.state == "at_risk" %}{% blocktranslate count days=p.days_left %}({{ days }} day left){% plural %}({{ days }} days left){% endblocktranslate %}{% endif %}</td>\n      </tr>\n      {% endfor %}'


def _meetings(forum):
    """The forum's meetings with every case a row shows: untitled, no place, held with or without minutes, cancelled."""
    starts = timezone.make_aware(dt.datetime(2025, 12, 31, 23, 30), dt.timezone.utc)  # the next day in Bishkek
    Meeting.objects.create(forum=forum, title="", place="", starts_at=starts, status=Meeting.Status.HELD)
    Meeting.objects.create(
        forum=forum, title='Budget <review> & "co"', place="Hall <1> & 2", starts_at=starts - dt.timedelta(days=40),
        status=Meeting.Status.CANCELLED,
    )
    Meeting.objects.create(
        forum=forum, title="Published minutes", place="Online", starts_at=starts - dt.timedelta(days=90),
        status=Meeting.Status.HELD, minutes_published_at=starts - dt.timedelta(days=80),
    )
    return list(forum.meetings.defer("agenda", "minutes", "private_notes").order_by("-starts_at"))


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_meeting_rows_are_the_templates(bishkek_forum, language):
    meetings = _meetings(bishkek_forum)
    assert len(meetings) >= 3
    with translation.override(language):
        # The template wrote the rows after the loop's indentation and its labels' line.
        expected = Template(MEETING_LOOP).render(Context({"meetings": meetings}))
        assert expected.startswith("      \n      ")
        assert str(meeting_rows(bishkek_forum, meetings)) == expected.removeprefix("      \n      ")


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("day", [dt.date(2025, 6, 20), dt.date(2025, 12, 30), dt.date(2026, 12, 7)])
def test_the_period_rows_are_the_templates(bishkek_forum, language, day):
    meetings = _meetings(bishkek_forum)
    now = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    periods = services.forum_cadence(bishkek_forum, meetings, now)
    assert periods
    with translation.override(language):
        expected = Template(PERIOD_LOOP).render(Context({"periods": periods}))
        assert "      " + str(period_rows(periods)) == expected


def test_a_period_at_risk_says_how_many_days_are_left():
    period = services.CadencePeriod(services.policy.Period(dt.date(2026, 7, 1), dt.date(2026, 12, 31), "2026-H2"), services.PeriodState.AT_RISK, 1)
    html = str(period_rows([period]))
    assert "(1 day left)" in html and 'class="state state-at_risk"' in html
    assert str(period_rows([period])) == Template(PERIOD_LOOP).render(Context({"periods": [period]})).removeprefix("      ")


SECTOR_LOOP = "{% load i18n portal %}" + '  {% for value, sector, people in composition.sectors %}{% if people %}\n  <h3>{{ sector }}</h3>\n  <ul>\n    {% for person in people %}\n    <li>\n      {{ person.person }}{% if person.role != "member" %} — <strong>{{ person.get_role_display }}</strong>{% endif %}\n      {% if person.position or person.organisation %}<br><small>{{ person.position }}{% if person.position and person.organisation %}, {% endif %}{{ person.organisation }}</small>{% endif %}\n      {% if person.term_start or person.term_end %}<br><span class="term">{% translate "Term" %}: {{ person.term_start|day|default:"…" }} – {{ person.term_end|day|default:"…" }}</span>{% endif %}\n    </li>\n    {% endfor %}\n  </ul>\n  {% endif %}{% empty %}{% endfor %}'


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_sector_lists_are_the_templates(bishkek_forum, language):
    from forums.models import ForumMembership
    from forums.rows import sector_lists

    memberships = list(bishkek_forum.memberships.order_by("role", "person"))
    assert memberships
    # Every case a person's line shows: a role, a position without an organisation, a term open at either end.
    extra = ForumMembership(forum=bishkek_forum, person="Ann <Lee> & co", role=memberships[-1].role, sector=memberships[0].sector,
                            position="Chair & founder", organisation="", term_start=dt.date(2024, 2, 29), term_end=None)
    plain = ForumMembership(forum=bishkek_forum, person="Bob", role="member", sector=memberships[0].sector,
                            position="", organisation="NGO \"X\"", term_start=None, term_end=dt.date(2027, 1, 31))
    composition = services.composition(bishkek_forum, [*memberships, extra, plain], dt.date(2025, 6, 1))
    assert any(people for _value, _label, people in composition.sectors)
    with translation.override(language):
        expected = Template(SECTOR_LOOP).render(Context({"composition": composition}))
        assert "  " + str(sector_lists(composition.sectors)) == expected
