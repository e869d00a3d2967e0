"""The minimum requirements' tables built in Python are the HTML the template's loop gave (issue #20)."""

import datetime as dt

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
