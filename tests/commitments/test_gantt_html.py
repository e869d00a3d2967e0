"""The whole milestone timeline, written in Python (``timeline.Gantt.html``, issue #20), is byte for byte what ``_gantt.html`` wrote."""

import datetime as dt
from types import SimpleNamespace

import pytest

from django.template import Context, Template
from django.utils import translation

from commitments import timeline

# templates/commitments/_gantt.html before the plan and commitment pages called timeline.Gantt.html.
FORMER_GANTT = Template(
    """
{% load i18n l10n portal %}{# Gantt-style timeline of milestones grouped by commitment (server-side SVG), with today's line. #}
<figure class="gantt">
  {% localize off %}<svg viewBox="0 0 {{ gantt.width }} {{ gantt.height }}" role="img" aria-labelledby="gantt-title gantt-desc" focusable="false">
    <title id="gantt-title">{% translate "Milestone timeline" %}</title>
    <desc id="gantt-desc">{% blocktranslate trimmed with start=gantt.start|date:"YEAR_MONTH_FORMAT" end=gantt.end|date:"YEAR_MONTH_FORMAT" %}Milestones from {{ start }} to {{ end }}; overdue milestones are marked with an exclamation mark. The table below gives the same data.{% endblocktranslate %}</desc>
    {{ gantt.svg_body }}{# the ticks, the commitments' groups and today's line: timeline.Gantt.svg_body (issue #20) #}
  </svg>{% endlocalize %}
  <figcaption>
    <ul class="legend">
      <li><span class="swatch completion-complete" aria-hidden="true"></span>{% translate "Complete" %}</li>
      <li><span class="swatch completion-substantial" aria-hidden="true"></span>{% translate "Substantial" %}</li>
      <li><span class="swatch completion-limited" aria-hidden="true"></span>{% translate "Limited" %}</li>
      <li><span class="swatch completion-none" aria-hidden="true"></span>{% translate "No published update" %}</li>
      <li><span class="swatch overdue" aria-hidden="true">!</span>{% translate "Overdue: past its end without a published “complete”" %}</li>
      {% if gantt.today_x is not None %}<li><span class="swatch today" aria-hidden="true"></span>{% blocktranslate with day=gantt.today_label %}Today, {{ day }}{% endblocktranslate %}</li>
      {% elif gantt.today_after_end %}<li>{% blocktranslate with day=gantt.today_label %}Today ({{ day }}) is after the last milestone's end.{% endblocktranslate %}</li>
      {% else %}<li>{% blocktranslate with day=gantt.today_label %}Today ({{ day }}) is before the first milestone starts.{% endblocktranslate %}</li>{% endif %}
    </ul>
  </figcaption>
</figure>
<details class="gantt-data">
  <summary>{% translate "Timeline as a table" %}</summary>
  <table class="stack">
    <caption class="visually-hidden">{% translate "Milestone timeline" %}</caption>
    <thead><tr>
      <th scope="col">{% translate "Milestone" %}</th><th scope="col">{% translate "Start" %}</th><th scope="col">{% translate "End" %}</th>
      <th scope="col">{% translate "Latest progress" %}</th><th scope="col">{% translate "Overdue" %}</th>
    </tr></thead>
    <tbody>
      {{ gantt.table_rows }}{# one <tr> per milestone, written by timeline.Gantt.table_rows #}
    </tbody>
  </table>
</details>
"""[1:]
)


def _milestone(number, start, end, state, overdue):
    return SimpleNamespace(
        number=number, start_date=start, ends_on=end, state=state, overdue=overdue, activity_id=None,
        start_label=timeline.date_label(start) if start else "", end_label=timeline.date_label(end) if end else "",
    )


def _gantt(today, short=False):
    commitment = SimpleNamespace(identifier="XN<1>", title="A", start_date=dt.date(2020, 1, 1), end_date=dt.date(2022, 6, 30))
    milestones = [
        _milestone("1.1", dt.date(2020, 1, 1), dt.date(2020, 6, 30), "complete", False),
        _milestone('2 <b>&"', None, None, "none", True),
    ]
    if not short:
        milestones.append(_milestone("1.2", dt.date(2020, 3, 15), dt.date(2021, 11, 30), "limited", True))
    return timeline.build_gantt([(commitment, milestones)], today)


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize(
    "today", [dt.date(2021, 5, 17), dt.date(2030, 1, 1), dt.date(2019, 2, 3)], ids=["inside", "after", "before"]
)
@pytest.mark.parametrize("short", [False, True], ids=["long", "short"])
def test_the_timeline_is_what_the_former_template_wrote(language, today, short):
    with translation.override(language):
        gantt = _gantt(today, short)
        expected = FORMER_GANTT.render(Context({"gantt": gantt}))
        assert gantt.html() == expected
    assert ("XN&lt;1&gt;" in expected) and ("2 &lt;b&gt;&amp;&quot;" in expected)
