"""The plan's status reports table written in Python (``commitments.progress_rows.status_report_rows``; issue #20)
is byte for byte what the template's loop wrote, in every language: a published report (with its day), one in
preparation, a period without one for the point of contact (the form that prepares it) and for anyone else, none."""

import datetime as dt

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from commitments.models import StatusReport
from commitments.progress_rows import status_report_rows
from compliance.engine import Period

_ROWS_LOOP = """{% load i18n %}{% for period, report in periods %}
  <tr>
    <th scope="row" data-label="{% translate 'Period' %}">{{ period.label }} ({{ period.start|date:"DATE_FORMAT" }} – {{ period.end|date:"DATE_FORMAT" }})</th>
    <td data-label="{% translate 'State' context 'status' %}">{% if report %}{{ report.get_state_display }}{% if report.is_published %}, {{ report.published_at|date:"DATE_FORMAT" }}{% endif %}{% else %}{% translate "Not started" %}{% endif %}</td>
    <td data-label="{% translate 'Report' %}">
      {% if report %}<a href="{{ report.get_absolute_url }}">{% blocktranslate trimmed with label=period.label %}Status report {{ label }}{% endblocktranslate %}</a>
      {% elif can_publish %}
      <form method="post">{% csrf_token %}<input type="hidden" name="period" value="{{ period.label }}">
        <button type="submit" class="outline">{% blocktranslate trimmed with label=period.label %}Prepare the report for {{ label }}{% endblocktranslate %}</button></form>
      {% endif %}
    </td>
  </tr>
  {% empty %}
  <tr><td colspan="3">{% translate "No status report has been published yet." %}</td></tr>
  {% endfor %}"""


def _periods():
    published = StatusReport(pk=7, state=StatusReport.State.PUBLISHED, published_at=timezone.make_aware(dt.datetime(2020, 1, 15, 23, 30)))
    draft = StatusReport(pk=8, state=StatusReport.State.DRAFT)
    return [
        (Period(dt.date(2020, 7, 1), dt.date(2020, 12, 31), "2020-H2"), None),
        (Period(dt.date(2020, 1, 1), dt.date(2020, 6, 30), "2020-H1"), draft),
        (Period(dt.date(2019, 7, 1), dt.date(2019, 12, 31), "2019-<H2>"), published),
    ]


def test_the_rows_written_in_python_are_what_the_templates_loop_wrote():
    template = engines["django"].from_string(_ROWS_LOOP)
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            for periods in (_periods(), []):
                for can_publish in (True, False):
                    context = {"periods": periods, "can_publish": can_publish, "csrf_token": "T0KEN<&>"}
                    written = template.render(context)
                    assert status_report_rows(periods, can_publish, "T0KEN<&>") == written, (code, can_publish, periods)
                    assert ("2019-&lt;H2&gt;" in written) == bool(periods) and ("T0KEN&lt;&amp;&gt;" in written) == (can_publish and bool(periods))


@pytest.mark.django_db
def test_the_point_of_contact_prepares_a_report_from_the_table_and_then_finds_its_link(client, kg17, people):
    _coordinator, poc = people
    url = reverse("commitments:status_reports", args=[kg17.plan.pk])
    client.force_login(poc)
    page = client.get(url)
    assert page.status_code == 200 and 'name="period" value="2019-H1"' in page.text
    response = client.post(url, {"period": "2019-H1"})
    report = StatusReport.objects.get(plan=kg17.plan, period_label="2019-H1")
    assert response.status_code == 302 and response.headers["Location"] == report.get_absolute_url()
    again = client.get(url)
    assert f'<a href="{report.get_absolute_url()}">Status report 2019-H1</a>' in again.text
    assert 'name="period" value="2019-H1"' not in again.text
    client.logout()
    assert f'<a href="{report.get_absolute_url()}">' not in client.get(url).text  # in preparation: not for everyone
