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
