"""The timeline's milestone bars, written in Python (issue #20), are byte for byte what the template's loop wrote."""

import datetime as dt
from types import SimpleNamespace

import pytest

from django.template import Context, Template

from commitments import timeline
from tests.engagement.conftest import people  # noqa: F401  (fixture)

# The loop _gantt.html had before the bars moved into timeline.GanttGroup.svg_rows.
FORMER_LOOP = Template(
    """{% for row in group.rows %}
      <g class="completion-{{ row.state }}{% if row.overdue %} overdue{% endif %}">
        <text class="row-label" x="{{ gantt.label_width|add:'-6' }}" y="{{ row.y|add:'15' }}" text-anchor="end">{{ row.milestone.number }}</text>
        <rect x="{{ row.x|stringformat:'.1f' }}" y="{{ row.y|add:'4' }}" width="{{ row.width|stringformat:'.1f' }}" height="14" rx="2"></rect>
        {% if row.overdue %}<text class="overdue-mark" x="{{ row.x|add:row.width|add:'4'|stringformat:'.1f' }}" y="{{ row.y|add:'16' }}">!</text>{% endif %}
      </g>
      {% endfor %}"""
)


def _milestone(number, start, end, state, overdue):
    return SimpleNamespace(
        number=number, start_date=start, ends_on=end, state=state, overdue=overdue, activity_id=None
    )


def test_the_bars_are_what_the_former_template_loop_wrote():
    commitment = SimpleNamespace(identifier="XN0001", title="A", start_date=dt.date(2020, 1, 1), end_date=dt.date(2022, 6, 30))
    milestones = [
        _milestone("1.1", dt.date(2020, 1, 1), dt.date(2020, 6, 30), "complete", False),
        _milestone("1.2", dt.date(2020, 3, 15), dt.date(2021, 11, 30), "limited", True),
        _milestone('2 <b>&"', None, None, "none", True),  # the commitment's dates; escaped
        _milestone("3", dt.date(2022, 6, 1), dt.date(2022, 6, 1), "substantial", False),
    ]
    gantt = timeline.build_gantt([(commitment, milestones)], dt.date(2021, 5, 17))
    (group,) = gantt.groups
    assert len(group.rows) == 4 and sum(row.overdue for row in group.rows) == 2
    assert any(row.x != int(row.x) and row.width != int(row.width) for row in group.rows)  # fractions are exercised
    expected = FORMER_LOOP.render(Context({"group": group, "gantt": gantt}))
    assert group.svg_rows == expected
    assert "2 &lt;b&gt;&amp;&quot;" in group.svg_rows


# The loop of the timeline's data table before its rows moved into timeline.Gantt.table_rows.
FORMER_TABLE_LOOP = Template(
    """{% load i18n portal %}{% translate "Milestone" as l_milestone %}{% translate "Start" as l_start %}{% translate "End" as l_end %}{% translate "Latest progress" as l_latest %}{% translate "Overdue" as l_overdue %}{% for group in gantt.groups %}{% for row in group.rows %}
      <tr{% if row.overdue %} class="overdue"{% endif %}>
        <th scope="row" data-label="{{ l_milestone }}">{{ group.commitment.identifier }} · {{ row.milestone.number }}</th>
        <td data-label="{{ l_start }}">{{ row.milestone.start_label|default:"—" }}</td>
        <td data-label="{{ l_end }}">{{ row.milestone.end_label|default:"—" }}</td>
        <td data-label="{{ l_latest }}">{{ row.state|completion_label }}</td>
        <td data-label="{{ l_overdue }}">{% if row.overdue %}{{ l_overdue }}{% else %}—{% endif %}</td>
      </tr>
      {% endfor %}{% endfor %}"""
)


def test_the_data_table_rows_are_what_the_former_template_loop_wrote_in_each_language():
    from django.utils import translation

    commitment = SimpleNamespace(identifier="XN<1>", title="A", start_date=dt.date(2020, 1, 1), end_date=dt.date(2022, 6, 30))
    milestones = [
        _milestone("1.1", dt.date(2020, 1, 1), dt.date(2020, 6, 30), "complete", False),
        _milestone('2 <b>&"', None, None, "none", True),
        _milestone("3", dt.date(2022, 6, 1), dt.date(2022, 6, 1), "limited", True),
    ]
    for m, (start, end) in zip(milestones, [("January 2020", "June 30, 2020"), ("", ""), ("June 1, 2022", "")]):
        m.start_label, m.end_label = start, end
    gantt = timeline.build_gantt([(commitment, milestones)], dt.date(2021, 5, 17))
    for language in ("en", "ru", "ky"):
        with translation.override(language):
            expected = FORMER_TABLE_LOOP.render(Context({"gantt": gantt}))
            assert gantt.table_rows == expected, language
    assert "XN&lt;1&gt; · 2 &lt;b&gt;&amp;&quot;" in gantt.table_rows and gantt.table_rows.count("<tr") == 3


# The loop of the plan page's commitments table before its rows moved into views.commitment_rows.
FORMER_COMMITMENT_LOOP = Template(
    """{% load i18n portal %}{% translate "Identifier" as l_identifier %}{% translate "Title" as l_title %}{% translate "Lead agency" as l_agency %}{% translate "Completion" as l_completion %}{% translate "Last published update" as l_latest %}{% translate "Milestones" as l_milestones %}{% translate "Contested" as l_contested %}{% translate "No approved update yet" as l_no_update %}{% for c in commitments %}
      <tr>
        <td data-label="{{ l_identifier }}">{{ c.identifier }}</td>
        <th scope="row" data-label="{{ l_title }}"><a href="{{ c.get_absolute_url }}">{% tr c "title" %}</a>{% if c.contested %} <strong class="contested-badge">{{ l_contested }}</strong>{% endif %}</th>
        <td data-label="{{ l_agency }}">{% name_of c.lead_agency %}</td>
        <td data-label="{{ l_completion }}"><span class="completion completion-{{ c.rollup.level|default:'none' }}">{% if c.rollup.level %}{{ c.rollup.get_level_display }} ({{ c.rollup.percent }} %){% else %}{{ l_no_update }}{% endif %}</span></td>
        <td data-label="{{ l_latest }}">{% if c.latest_progress %}{{ c.latest_progress.published_at|date:"DATE_FORMAT" }}{% else %}—{% endif %}</td>
        <td data-label="{{ l_milestones }}">{{ c.milestone_count }}{% if c.overdue_count %} <span class="overdue-badge">{% blocktranslate trimmed count counter=c.overdue_count %}{{ counter }} overdue{% plural %}{{ counter }} overdue{% endblocktranslate %}</span>{% endif %}</td>
      </tr>
      {% endfor %}"""
)


def test_the_plan_pages_commitment_rows_are_what_the_former_template_loop_wrote_in_each_language():
    from django.urls import reverse
    from django.utils import timezone, translation

    from commitments.models import Rollup
    from commitments.views import commitment_rows

    class Row(SimpleNamespace):
        def get_absolute_url(self):
            return reverse("commitments:commitment", args=[self.identifier])

    agency = SimpleNamespace(name="Accounts <Chamber>", name_en="Accounts <Chamber>", name_ru="Счётная палата", name_ky="", acronym="AC")
    late_evening = timezone.make_aware(dt.datetime(2021, 3, 31, 23, 30), dt.timezone.utc)  # April 1 in Bishkek
    commitments = [
        Row(identifier="KG0001", title="Open <budget> & data", title_en="Open <budget> & data", title_ru="", title_ky="Ачык",
            lead_agency=agency, contested=True, rollup=Rollup(level="substantial", percent=75),
            latest_progress=SimpleNamespace(published_at=late_evening), milestone_count=4, overdue_count=2),
        Row(identifier="KG0002", title="Second", title_en="Second", title_ru="Второе", title_ky="",
            lead_agency=None, contested=False, rollup=Rollup(level=None, percent=0),
            latest_progress=None, milestone_count=0, overdue_count=0),
        Row(identifier="KG0003", title="Third", title_en="Third", title_ru="Третье", title_ky="Үчүнчү",
            lead_agency=agency, contested=False, rollup=Rollup(level="complete", percent=100),
            latest_progress=SimpleNamespace(published_at=None), milestone_count=1, overdue_count=1),
    ]
    for language in ("en", "ru", "ky"):
        with translation.override(language):
            expected = FORMER_COMMITMENT_LOOP.render(Context({"commitments": commitments}))
            assert commitment_rows(commitments) == expected, language
    assert "Open &lt;budget&gt; &amp; data" in commitment_rows(commitments)


# What _milestone_table.html wrote of an update before its reviews, before views.update_summary.
FORMER_UPDATE = Template(
    """{% load i18n %}
          <strong class="completion completion-{{ p.completion }}">{{ p.completion_label }}</strong>
          <span class="progress">{% blocktranslate trimmed with start=p.period_start_label end=p.period_end_label %}Reporting period {{ start }} – {{ end }}{% endblocktranslate %}</span>
          {% if p.narrative %}{{ p.narrative|linebreaks }}{% endif %}
          {% if p.self_approved %}<p class="self-approved"><small>{% translate "Approved by its author, the member's single point of contact." %}</small></p>{% endif %}
          {% with items=p.evidence_items %}{% if items %}
          <p class="evidence">{% translate "Evidence:" %}{% for item in items %} <a href="{{ item.get_absolute_url }}"{% if item.kind == "link" %} rel="nofollow noopener noreferrer"{% endif %}>{{ item|truncatechars:60 }}</a>{% if not forloop.last %};{% endif %}{% endfor %}</p>
          {% endif %}{% endwith %}
          """
)


def test_an_updates_summary_is_what_the_former_template_wrote_in_each_language():
    from django.utils import translation

    from commitments.models import Evidence
    from commitments.views import update_summary

    link = Evidence(pk=7, kind="link", url="https://example.org/report?a=1&b=<2>" + "x" * 80)
    file = Evidence(pk=8, kind="file", original_name="Отчёт <final> & signed.pdf")
    updates = [
        SimpleNamespace(completion="substantial", completion_label="Substantial", period_start_label="January 1, 2021",
                        period_end_label="June 30, 2021", narrative="Line <one>\nline two\n\nNew & para",
                        self_approved=True, evidence_items=[link, file]),
        SimpleNamespace(completion="limited", completion_label="Limited <l>", period_start_label="", period_end_label="",
                        narrative="", self_approved=False, evidence_items=[]),
        SimpleNamespace(completion="complete", completion_label="Complete", period_start_label="1 января 2021 г.",
                        period_end_label="30 июня 2021 г.", narrative=None, self_approved=False, evidence_items=[file]),
    ]
    for language in ("en", "ru", "ky"):
        with translation.override(language):
            for update in updates:
                assert update_summary(update) == FORMER_UPDATE.render(Context({"p": update})), (language, update)


# The loops _gantt.html had before the ticks, groups and today's line moved into timeline.Gantt.svg_body.
FORMER_BODY = Template(
    "{% load l10n %}{% localize off %}"
    + '    {% for tick in gantt.ticks %}\n    <line class="tick" x1="{{ tick.x|stringformat:\'.1f\' }}" x2="{{ tick.x|stringformat:\'.1f\' }}" y1="18" y2="{{ gantt.height }}"></line>\n    {% if tick.label %}<text class="tick-label" x="{{ tick.x|stringformat:\'.1f\' }}" y="13" text-anchor="middle">{{ tick.label }}</text>{% endif %}\n    {% endfor %}\n    {% for group in gantt.groups %}\n    <g class="gantt-group">\n      <text class="group-label" x="2" y="{{ group.y|add:\'15\' }}">{{ group.commitment.identifier }}{% if show_titles %} — {{ group.commitment.title|truncatechars:80 }}{% endif %}</text>\n      {{ group.svg_rows }}{# one <g> per milestone, written by timeline.GanttGroup.svg_rows #}\n    </g>\n    {% endfor %}\n    {% if gantt.today_x is not None %}\n    <line class="today" x1="{{ gantt.today_x|stringformat:\'.1f\' }}" x2="{{ gantt.today_x|stringformat:\'.1f\' }}" y1="16" y2="{{ gantt.height }}"></line>\n    {% endif %}'
    + "{% endlocalize %}"
)


def test_the_ticks_groups_and_todays_line_are_what_the_former_template_loops_wrote():
    from django.utils import translation

    first = SimpleNamespace(identifier='XN<0001>&"', title="A", start_date=dt.date(2020, 1, 1), end_date=dt.date(2022, 6, 30))
    second = SimpleNamespace(identifier="XN0002", title="B", start_date=dt.date(2021, 2, 1), end_date=dt.date(2021, 9, 30))
    milestones = [
        _milestone("1.1", dt.date(2020, 1, 1), dt.date(2020, 6, 30), "complete", False),
        _milestone("1.2", dt.date(2020, 3, 15), dt.date(2021, 11, 30), "limited", True),
    ]
    short = [_milestone("2.1", dt.date(2021, 2, 1), dt.date(2021, 9, 30), "none", False)]
    for language in ("en", "ru", "ky"):
        with translation.override(language):
            for groups, today in (
                ([(first, milestones), (second, short)], dt.date(2021, 5, 17)),  # six-month ticks, today inside
                ([(second, short)], dt.date(2021, 5, 17)),  # three-month ticks with month labels
                ([(first, milestones)], dt.date(2030, 1, 1)),  # today after the end: no line
            ):
                gantt = timeline.build_gantt(groups, today)
                assert gantt.ticks and any(tick.label for tick in gantt.ticks)
                expected = FORMER_BODY.render(Context({"gantt": gantt}))
                assert "    " + str(gantt.svg_body) == expected


# The loop of _milestone_table.html before its rows moved into views.milestone_rows.
FORMER_MILESTONE_LOOP = Template("{% load i18n portal engagement %}" + '\n    {% translate "Milestone" as l_milestone %}{% translate "Deliverable" as l_deliverable %}{% translate "Budget source" as l_budget %}{% translate "Start" as l_start %}{% translate "End" as l_end %}{% translate "Published progress" as l_progress %}{% translate "No published update yet" as l_none %}\n    {% for m in milestones %}\n    <tr id="milestone-{{ m.pk }}"{% if m.overdue %} class="overdue"{% endif %}>\n      <th scope="row" data-label="{{ l_milestone }}">{{ m.number }}</th>\n      <td data-label="{{ l_deliverable }}">{% tr m "deliverable" %}</td>\n      <td data-label="{{ l_budget }}">{% for source in m.budget_sources %}{{ source }}{% if not forloop.last %}; {% endif %}{% empty %}{{ m.budget_text|default:"—" }}{% endfor %}</td>\n      <td data-label="{{ l_start }}">{{ m.start_label|default:"—" }}</td>\n      <td data-label="{{ l_end }}">{{ m.end_label|default:"—" }}{% if m.overdue %}<br><span class="overdue-badge">{% translate "Overdue" %}</span>{% endif %}</td>\n      <td data-label="{{ l_progress }}">\n        {% for p in m.published_updates %}\n        <div class="update">{{ p.summary }}{# level, period, text and evidence: views.update_summary #}{% review_panel p %}\n        </div>\n        {% empty %}{{ l_none }}{% endfor %}\n        <!--personal:enter:{{ m.pk }}:{{ m.number|urlencode:"" }}-->\n      </td>\n    </tr>\n    {% endfor %}')


@pytest.mark.django_db
def test_the_milestone_rows_are_what_the_former_template_loop_wrote_in_each_language(people, rf):
    from django.utils import timezone, translation
    from django.utils.safestring import mark_safe

    from commitments.models import Milestone
    from commitments.views import milestone_rows, review_panels
    from engagement import services as engagement_services

    engagement_services.review(people.published, by=people.users.civil, stance="dispute", comment="<No> & no.", now=timezone.now())
    milestones = list(Milestone.objects.filter(commitment=people.commitment).order_by("id"))[:3]
    assert len(milestones) == 3
    for i, m in enumerate(milestones):
        m.overdue, m.published_updates = i % 2 == 0, []
        m.start_label, m.end_label = ("January 1, 2021", "") if i else ("", "June <30>, 2021")
    first, second, third = milestones
    first.number = '1 <b>&" /x'  # escaped, and quoted in the slot
    first.published_updates = [people.published]
    people.published.summary = mark_safe("\n          <strong>Substantial</strong>\n          ")
    second.budget_national, second.budget_development_partners = True, True  # "Development partners' funds": escaped
    third.budget_national = third.budget_development_partners = False
    third.budget_text = "Donor <grant> & more"
    context = {"request": rf.get("/"), "commitment": people.commitment}
    for language in ("en", "ru", "ky"):
        with translation.override(language):
            expected = FORMER_MILESTONE_LOOP.render(Context({**context, "milestones": milestones}))
            assert milestone_rows(milestones, review_panels([people.published], context)) == expected, language
    rows = milestone_rows(milestones, review_panels([people.published], context))
    assert "1 &lt;b&gt;&amp;&quot; /x" in rows and "<!--personal:enter:%d:1%%20%%3Cb%%3E%%26%%22%%20%%2Fx-->" % first.pk in rows
    assert "Donor &lt;grant&gt; &amp; more" in rows and "partners&#x27; funds" in rows
    assert "&lt;No&gt; &amp; no." in rows  # the review panel, rendered as in the template
