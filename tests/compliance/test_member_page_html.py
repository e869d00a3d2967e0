"""The compliance member page's content, written in Python (``compliance.member_page.content_html``, issue #20),
is byte for byte what ``_member_detail.html`` wrote, in each language."""

import datetime as dt
from types import SimpleNamespace

import pytest

from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from compliance import member_page
from compliance.models import Deadline, MemberStatus

# templates/compliance/_member_detail.html before the page called member_page.content_html.
FORMER_CONTENT = Template("""{% load i18n l10n static portal %}{# The compliance member page's content, the same for every visitor (ogp_portal.cache.fragment): no user, form or token in here. #}
<nav aria-label="{% translate 'Breadcrumb' %}" class="breadcrumb">
  <ul>
    <li><a href="{% url 'compliance:overview' %}">{% translate "Compliance" %}</a></li>
    <li><span aria-current="page">{{ member.name }}</span></li>
  </ul>
</nav>
<h1>{% name_of member %}</h1>
<p class="current-status">
  {% translate "Status:" %} <span class="status status-{{ evaluation.status }}">{{ status_label }}</span>
  {% if evaluation.status_since %}{% blocktranslate with date=evaluation.status_since|date:"DATE_FORMAT" %}since {{ date }}{% endblocktranslate %}{% endif %}
</p>

<section aria-labelledby="deadlines-heading">
  <h2 id="deadlines-heading">{% translate "Next deadlines" %}</h2>
  {% if deadlines %}
  <table class="compliance-table stack">
    <thead><tr>
      <th scope="col">{% translate "Obligation" %}</th>
      <th scope="col">{% translate "Cycle or period" %}</th>
      <th scope="col">{% translate "Due" %}</th>
      <th scope="col">{% translate "Days left" %}</th>
    </tr></thead>
    <tbody>
      {% translate "Obligation" as l_obligation %}{% translate "Cycle or period" as l_period %}{% translate "Due" as l_due %}{% translate "Days left" as l_days_left %}{% for row in deadlines %}
      <tr>
        <td data-label="{{ l_obligation }}">{{ row.kind_label }}{% if row.forum %} — {{ row.forum.name }}{% endif %}
          {% if row.deadline.source == "administrator" %}<br><small>{% translate "Set by OGP:" %} {{ row.deadline.reason }}</small>{% endif %}</td>
        <td data-label="{{ l_period }}">{{ row.deadline.period }}</td>
        <td data-label="{{ l_due }}">{{ row.deadline.due|date:"DATE_FORMAT" }}</td>
        <td data-label="{{ l_days_left }}">{{ row.deadline.days_left }}</td>
      </tr>
      {% endfor %}
    </tbody>
  </table>
  {% else %}
  <p>{% translate "No upcoming deadline." %}</p>
  {% endif %}
</section>

<section aria-labelledby="history-heading">
  <h2 id="history-heading">{% translate "Status history" %}</h2>
  {{ status_history_html }}{# built in the view (compliance.views.status_history_html: no template nodes per event or year, issue #20) #}
</section>

<section aria-labelledby="open-heading">
  <h2 id="open-heading">{% translate "Open findings" %}</h2>
  {{ open_groups_html }}{# built in the view (compliance.views.finding_groups_html, issue #20) #}
</section>

<section aria-labelledby="resolved-heading">
  <h2 id="resolved-heading">{% translate "Past findings: met again, resolved or withdrawn" %}</h2>
  {{ resolved_groups_html }}{# built in the view (compliance.views.finding_groups_html, issue #20) #}
</section>
<section aria-labelledby="requirements-heading" id="minimum-requirements">
  <h2 id="requirements-heading">{% translate "OGP minimum requirements, per cycle" %}</h2>
  <p><small>{% translate "Checked from the portal's records; where OGP's wording was not retrieved, the records are shown without a verdict." %}</small></p>
  {{ requirements_html }}{# built in the view (compliance.views._requirements_html: no template nodes per row, issue #20) #}
</section>
<p><a href="{% url 'commitments:member' member.code %}">{% blocktranslate with name=member.name %}Action plans and forums of {{ name }}{% endblocktranslate %}</a>
  · <a href="{% url 'commitments:export' 'findings' 'csv' %}?member={{ member.code }}">{% translate "Findings as open data (CSV)" %}</a></p>
""")


def _deadline(kind, source, due, days_left, reason=""):
    return SimpleNamespace(kind=kind, source=source, reason=reason, period="2024–2026 <cycle>", due=due, days_left=days_left)


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("since", [dt.date(2021, 3, 1), None])
@pytest.mark.parametrize("with_deadlines", [True, False])
def test_the_content_is_what_the_former_template_wrote(language, since, with_deadlines):
    member = SimpleNamespace(code="XN<1>", name="Republic <of> X & Y", name_en="Republic <of> X & Y", name_ru="", name_ky="Х")
    evaluation = SimpleNamespace(status="active", status_since=since)
    kinds = list(Deadline.Kind)
    forum = SimpleNamespace(name="Forum <A> & B")
    deadlines = [
        {"deadline": _deadline(kinds[0].value, "rules", dt.date(2026, 12, 31), 23), "kind_label": kinds[0].label, "forum": None},
        {"deadline": _deadline(kinds[-1].value, "administrator", dt.date(2027, 1, 5), 1234, "Extended <by> OGP"),
         "kind_label": kinds[-1].label, "forum": forum},
    ] if with_deadlines else []
    parts = [mark_safe(f"\n<p>part {i} &amp; more</p>\n") for i in range(4)]
    with translation.override(language):
        label = MemberStatus("active").label
        expected = FORMER_CONTENT.render(Context({
            "member": member, "evaluation": evaluation, "status_label": label, "deadlines": deadlines,
            "status_history_html": parts[0], "open_groups_html": parts[1], "resolved_groups_html": parts[2],
            "requirements_html": parts[3],
        }))
        got = member_page.content_html(member, evaluation, label, deadlines, *parts)
    assert got == expected
    assert "Republic &lt;of&gt; X &amp; Y" in got and ("Extended &lt;by&gt; OGP" in got) == with_deadlines
