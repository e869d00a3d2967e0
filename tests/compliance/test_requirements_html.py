"""The minimum requirements' tables built in Python are the HTML the template's loop gave (issue #20)."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.utils import translation

from compliance import services
from compliance.requirements import VERDICTS, Check
from compliance.views import _by_cycle, _requirements_html

from .conftest import bishkek
from .test_requirements import build

# The template's loop as it was (templates/compliance/_member_detail.html before issue #20's change).
TEMPLATE = (
    "{% load i18n %}"
    + '{% translate "Requirement" as l_requirement %}{% translate "Status" as l_status %}{% translate "Records counted" as l_counted %}{% translate "Evidence" as l_evidence %}{# each label translated once, not per row (issue #20) #}{% for c in requirements %}\n  <h3>{{ c.cycle }} <small>({{ c.checks.0.start|date:"Y-m-d" }} – {{ c.checks.0.end|date:"Y-m-d" }})</small></h3>\n    <table class="compliance-table stack">\n      <thead><tr><th scope="col">{% translate "Requirement" %}</th><th scope="col">{% translate "Status" %}</th>\n        <th scope="col">{% translate "Records counted" %}</th><th scope="col">{% translate "Evidence" %}</th></tr></thead>\n      <tbody>{% for r in c.checks %}\n        <tr data-mr="{{ r.code }}" data-cycle="{{ r.cycle }}" data-verdict="{{ r.verdict }}">\n          <th scope="row" data-label="{{ l_requirement }}">{{ r.code }}: {{ r.title }}</th>\n          <td data-label="{{ l_status }}">{{ r.verdict_label }}{% if r.shortfalls %}<br><small>{% translate "Lacking in:" %} {{ r.shortfalls|join:", " }}</small>{% endif %}</td>\n          <td data-label="{{ l_counted }}">{{ r.counted }}</td>\n          <td data-label="{{ l_evidence }}"><small>{% for day, what in r.evidence|slice:":12" %}{% if day %}{{ day|date:"Y-m-d" }}: {% endif %}{{ what }}{% if not forloop.last %}; {% endif %}{% empty %}—{% endfor %}{% if r.evidence|length > 12 %} …{% endif %}</small></td>\n        </tr>{% endfor %}</tbody>\n    </table>\n  {% endfor %}'
)


def rendered(requirements) -> str:
    return Template(TEMPLATE).render(Context({"requirements": requirements}))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_tables_are_the_templates_for_a_members_checks(db, language):
    member = build()
    checks = services.minimum_requirements(member, bishkek(2021, 3, 1))
    assert len(checks) > 5
    with translation.override(language):
        requirements = _by_cycle(checks)
        assert str(_requirements_html(requirements)) == rendered(requirements)


def test_the_tables_escape_values_cut_the_evidence_at_twelve_and_list_shortfalls(db):
    verdict = next(iter(VERDICTS))
    many = [(dt.date(2020, 1, day), f"Minutes <{day}> & more") for day in range(1, 15)]
    checks = [
        Check("MR 1.1", "Forum <meets>", "2021-2023", dt.date(2021, 1, 1), dt.date(2023, 8, 31), verdict, 1234,
              evidence=many, shortfalls=["2021-H1", "<2022>"]),
        Check("MR 2.2", "Repository", "2021-2023", dt.date(2021, 1, 1), dt.date(2023, 8, 31), verdict, 0,
              evidence=[(None, "undated & kept")]),
        Check("MR 3.1", "Nothing", "2019-2021", dt.date(2019, 1, 1), dt.date(2021, 8, 31), verdict, 0),
    ]
    requirements = _by_cycle(checks)
    html = str(_requirements_html(requirements))
    assert html == rendered(requirements)
    assert "Minutes &lt;12&gt; &amp; more …" in html and "&lt;13&gt;" not in html and "&lt;2022&gt;" in html
    assert str(_requirements_html([])) == rendered([]) == ""


@pytest.mark.parametrize("thousands", [False, True])
def test_a_value_is_written_as_the_template_writes_it_whatever_its_type(settings, thousands):
    """``_text``'s short ways (plain text, integers) give what ``{{ value }}`` gives, as its general way does."""
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from compliance.views import _text

    settings.USE_THOUSAND_SEPARATOR = thousands
    values = ["a <b> & 'c' \"d\"", "", 0, -7, 12345678, 3.5, True, None, dt.date(2021, 3, 1), mark_safe("<i>x</i>"), gettext_lazy("Status")]
    for value in values:
        assert str(_text(value)) == Template("{{ value }}").render(Context({"value": value})), value


# The overview's loop as it was (templates/compliance/_overview.html before issue #20's change).
OVERVIEW_LOOP = (
    "{% load i18n %}"
    + '    {% translate "Member" as l_member %}{% translate "Status" as l_status %}{% translate "Since" as l_since %}{% translate "Open findings" as l_open %}{% translate "Next action plan due" as l_due %}{% for member in rows %}\n    <tr>\n      <th scope="row" data-label="{{ l_member }}"><a href="{% url \'compliance:member\' member.code %}">{{ member.name }}</a> <small>{{ member.code }}</small></th>\n      <td data-label="{{ l_status }}"><span class="status status-{{ member.status }}">{{ member.status_label }}</span></td>\n      <td data-label="{{ l_since }}">{% if member.status_since %}{{ member.status_since|date:"DATE_FORMAT" }}{% else %}—{% endif %}</td>\n      <td data-label="{{ l_open }}">{{ member.open_findings }}</td>\n      <td data-label="{{ l_due }}">{% if member.next_plan_due %}{{ member.next_plan_due|date:"DATE_FORMAT" }}\n        <small>({% blocktranslate count days=member.days_left %}{{ days }} day left{% plural %}{{ days }} days left{% endblocktranslate %})</small>{% else %}—{% endif %}</td>\n    </tr>\n    {% endfor %}'
)


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_overview_rows_are_the_templates(language):
    """The compliance overview's rows built in Python (compliance.views.overview_rows) are what its loop wrote."""
    from types import SimpleNamespace

    from compliance.models import MemberStatus
    from compliance.views import overview_rows

    today = dt.date(2026, 12, 7)
    members = []
    for i, (status, since, due, findings) in enumerate(
        [
            ("active", None, None, 0),
            ("under_review", dt.date(2025, 3, 1), today + dt.timedelta(days=1), 1),
            ("inactive", dt.date(2024, 11, 30), today + dt.timedelta(days=45), 12345),
            ("active", dt.date(2026, 1, 2), today - dt.timedelta(days=3), 2),
            ("active", None, today + dt.timedelta(days=2), 0),
        ]
    ):
        members.append(
            SimpleNamespace(
                code=f"X{i}<&>", name=f"Member \"{i}\" <b> & 'co'", status=status, status_label=MemberStatus(status).label,
                status_since=since, open_findings=findings, next_plan_due=due, days_left=(due - today).days if due else None,
            )
        )
    with translation.override(language):
        # The template writes the rows after the loop's indentation.
        assert "    " + str(overview_rows(members)) == Template(OVERVIEW_LOOP).render(Context({"rows": members}))


# The findings' include as it was (templates/compliance/_finding_groups.html before issue #20's change).
FINDING_GROUPS = '{% load i18n %}{% if groups %}{% translate "Cycle or period" as l_period %}{% translate "Effective" as l_effective %}{% translate "Outcome" as l_outcome %}{% translate "Reason" as l_reason %}\n<ul class="finding-groups">\n  {% for group in groups %}\n  <li>\n    <details>\n      <summary><strong>{{ group.label }}{% if group.subject_name %} — {{ group.subject_name }}{% endif %}</strong>: {{ group.amount }}, {{ group.span }}</summary>\n      <table class="compliance-table stack">\n        <caption class="visually-hidden">{{ group.label }}{% if group.subject_name %} — {{ group.subject_name }}{% endif %}</caption>\n        <thead><tr>\n          <th scope="col">{% translate "Cycle or period" %}</th>\n          <th scope="col">{% translate "Effective" %}</th>\n          {% if resolved %}<th scope="col">{% translate "Outcome" %}</th>{% endif %}\n          <th scope="col">{% translate "Reason" %}</th>\n        </tr></thead>\n        <tbody>\n          {% for f in group.findings %}\n          <tr>\n            <th scope="row" data-label="{{ l_period }}">{{ f.period }}</th>\n            <td data-label="{{ l_effective }}">{{ f.effective_on|date:"DATE_FORMAT" }}</td>\n            {% if resolved %}<td data-label="{{ l_outcome }}" data-outcome>{% if f.withdrawn_on %}{% blocktranslate with date=f.withdrawn_on|date:"DATE_FORMAT" %}Withdrawn on {{ date }}{% endblocktranslate %}{% if f.withdrawal_reason %}: {% translate f.withdrawal_reason %}{% endif %}{% elif f.resolved_on %}{% blocktranslate with date=f.resolved_on|date:"DATE_FORMAT" %}Resolved on {{ date }}{% endblocktranslate %}{% elif f.met_again_on %}{% blocktranslate with date=f.met_again_on|date:"DATE_FORMAT" %}Missed; met again on {{ date }}{% endblocktranslate %}{% endif %}</td>{% endif %}\n            <td data-label="{{ l_reason }}">{{ f.reason|default:"—" }}{% if f.reference %}<br><small>{{ f.reference }}</small>{% endif %}</td>\n          </tr>\n          {% endfor %}\n        </tbody>\n      </table>\n    </details>\n  </li>\n  {% endfor %}\n</ul>\n{% else %}\n<p>{% translate "None." %}</p>\n{% endif %}\n'


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_finding_groups_are_the_includes(language):
    """The member page's grouped findings built in Python (compliance.views.finding_groups_html) are the include's HTML."""
    from compliance import presentation
    from compliance.models import Finding
    from compliance.views import finding_groups_html

    kinds = [value for value, _label in Finding.Kind.choices]
    findings = [
        Finding(kind=kinds[0], subject="", period="2024-Q1", effective_on=dt.date(2024, 4, 1), reason="Late <update> & more"),
        Finding(kind=kinds[0], subject="", period="2024-Q2", effective_on=dt.date(2024, 7, 1), reference="Letter 12/3"),
        Finding(kind=kinds[1], subject="forum:1", period="2023-H2", effective_on=dt.date(2024, 1, 1), resolved_on=dt.date(2024, 3, 1)),
        Finding(kind=kinds[1], subject="forum:1", period="2024-H1", effective_on=dt.date(2024, 7, 1), met_again_on=dt.date(2024, 9, 1)),
        Finding(
            kind=kinds[-1], subject="", period="2021-2023", effective_on=dt.date(2023, 9, 1), withdrawn_on=dt.date(2023, 10, 2),
            withdrawal_reason="Extension granted: 100% & <late>",
        ),
        Finding(kind=kinds[-1], subject="", period="2023-2025", effective_on=dt.date(2025, 9, 1), withdrawn_on=dt.date(2025, 10, 2)),
    ]
    names = {"forum:1": "Open <Forum>"}
    with translation.override(language):
        for resolved in (False, True):
            groups = presentation.group_findings(findings, names)
            expected = Template(FINDING_GROUPS).render(Context({"groups": groups, "resolved": resolved}))
            assert str(finding_groups_html(groups, resolved)) == expected
        assert str(finding_groups_html([], False)) == Template(FINDING_GROUPS).render(Context({"groups": []}))


# The status history as it was (templates/compliance/_member_detail.html before issue #20's change: timeline, legend, events).
STATUS_HISTORY = "{% load i18n l10n %}" + '  {% if timeline %}\n  <figure class="status-timeline">\n    {% localize off %}<svg viewBox="0 0 {{ timeline.width }} 46" role="img" aria-labelledby="status-timeline-title" focusable="false">\n      <title id="status-timeline-title">{% blocktranslate trimmed with start=timeline.start|date:"DATE_FORMAT" end=timeline.end|date:"DATE_FORMAT" %}Status from {{ start }} to {{ end }}; the list below gives each change.{% endblocktranslate %}</title>\n      {% for segment in timeline.segments %}\n      <rect class="segment status-{{ segment.status }}" x="{{ segment.x|stringformat:\'.1f\' }}" y="4" width="{{ segment.width|stringformat:\'.1f\' }}" height="20"><title>{{ segment.label }}: {{ segment.start_label }} – {{ segment.end_label }}</title></rect>\n      {% endfor %}\n      {% for x, label in timeline.ticks %}\n      <line class="tick" x1="{{ x|stringformat:\'.1f\' }}" x2="{{ x|stringformat:\'.1f\' }}" y1="2" y2="30"></line>\n      {# A year label near an edge is anchored inside the viewBox, never cut off. #}\n      <text x="{{ x|stringformat:\'.1f\' }}" y="42" text-anchor="{% if x < 16 %}start{% elif x > timeline.width|add:\'-16\' %}end{% else %}middle{% endif %}">{{ label }}</text>\n      {% endfor %}\n    </svg>{% endlocalize %}\n    <figcaption>\n      <ul class="legend">\n        {% for segment in timeline.segments %}{% ifchanged segment.status %}<li><span class="swatch status-{{ segment.status }}" aria-hidden="true"></span>{{ segment.label }} ({{ segment.start_label }} – {{ segment.end_label }})</li>{% endifchanged %}{% endfor %}\n      </ul>\n    </figcaption>\n  </figure>\n  {% endif %}\n  {% if events %}\n  <ol class="status-history">\n    {% for event in events %}\n    <li id="event-{{ event.pk }}">\n      <strong>{{ event.effective_on|date:"DATE_FORMAT" }}</strong>:\n      <span class="status status-{{ event.status }}">{{ event.get_status_display }}</span>\n      {% if event.cycle %}({{ event.cycle }}){% endif %}\n      — <a href="{% url \'compliance:letter\' member.code event.pk %}">{% translate "Notification letter" %}</a>\n      {% if event.reason %}<br><small>{{ event.reason }}</small>{% endif %}\n    </li>\n    {% endfor %}\n  </ol>\n  {% else %}\n  <p>{% translate "The member has been active throughout." %}</p>\n  {% endif %}\n'


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("thousands", [False, True])
def test_the_status_history_is_the_templates(settings, language, thousands):
    """The timeline, its legend and the status events built in Python (compliance.views.status_history_html)."""
    from types import SimpleNamespace

    from compliance import presentation
    from compliance.models import MemberStatus
    from compliance.views import status_history_html

    settings.USE_THOUSAND_SEPARATOR = thousands
    statuses = [value for value, _label in MemberStatus.choices]

    def event(pk, status, day, cycle="", reason=""):
        return SimpleNamespace(
            pk=pk, status=status, effective_on=day, cycle=cycle, reason=reason,
            get_status_display=lambda: MemberStatus(status).label,
        )

    events = [
        event(12345, statuses[1], dt.date(2019, 1, 3), "2018-2020 <&>", "Late \"plan\" & <more>"),
        event(7, statuses[-1], dt.date(2021, 6, 30)),
        event(8, statuses[-1], dt.date(2022, 2, 1), reason="Again"),
        event(9, statuses[0], dt.date(2023, 12, 30), cycle="2023-2025"),
    ]
    today = dt.date(2026, 12, 7)
    cases = [
        (presentation.status_timeline(events, dt.date(2011, 9, 20), today), events, "KG"),
        (presentation.status_timeline(events, dt.date(2025, 12, 31), today), events[:1], "X<&>"),  # a year mark at the edge
        (presentation.status_timeline(events, dt.date(2011, 9, 20), dt.date(2026, 1, 10)), events, "KG"),  # and at the end
        (presentation.status_timeline([], dt.date(2020, 1, 1), today), [], "KG"),  # active throughout
        (None, [], "KG"),
    ]
    anchors = set()
    with translation.override(language):
        for timeline, shown, code in cases:
            context = Context({"timeline": timeline, "events": shown, "member": SimpleNamespace(code=code)})
            html = str(status_history_html(timeline, shown, code))
            assert "  " + html + "\n" == Template(STATUS_HISTORY).render(context)
            anchors.update(re.findall(r'text-anchor="(\w+)"', html))
    assert anchors == {"start", "middle", "end"}
