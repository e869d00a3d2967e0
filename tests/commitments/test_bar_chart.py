"""The bar charts (plan page, home page), written in Python (issue #20), are byte for byte what ``_bar_chart.html`` wrote."""

import pytest

from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from commitments import timeline
from commitments.filters import NO_UPDATE

# templates/commitments/_bar_chart.html before it called commitments.timeline.BarChart.html.
FORMER_TEMPLATE = Template(
    """{% load i18n l10n %}{# A horizontal bar chart (server-side SVG) followed by the same data as a table. #}
<figure class="chart">
  <figcaption id="chart-{{ key }}-title">{{ chart.title }}</figcaption>
  {% localize off %}<svg class="bar-chart" viewBox="0 0 {{ chart.width }} {{ chart.height }}" role="img" aria-labelledby="chart-{{ key }}-title" focusable="false">
    {% for bar in chart.bars %}
    <g class="completion-{{ bar.value }}">
      <text x="{{ chart.label_width|add:'-8' }}" y="{{ bar.y|add:'19' }}" text-anchor="end">{{ bar.label }}</text>
      <rect x="{{ chart.label_width }}" y="{{ bar.y|add:'5' }}" width="{{ bar.width|stringformat:'.1f' }}" height="18" rx="2"></rect>
      <text class="value" x="{{ chart.label_width|add:bar.width|add:'6'|stringformat:'.1f' }}" y="{{ bar.y|add:'19' }}">{{ bar.count }}</text>
    </g>
    {% endfor %}
  </svg>{% endlocalize %}
  <table class="chart-data">
    <caption class="visually-hidden">{{ chart.title }}</caption>
    <thead><tr><th scope="col">{% translate "Completion" %}</th><th scope="col">{{ chart.unit|capfirst }}</th><th scope="col">{% translate "Share" %}</th></tr></thead>
    <tbody>
      {% for bar in chart.bars %}<tr><th scope="row">{{ bar.label }}</th><td>{{ bar.count }}</td><td>{{ bar.percent }}%</td></tr>{% endfor %}
    </tbody>
    <tfoot><tr><th scope="row">{% translate "Total" %}</th><td>{{ chart.total }}</td><td>100%</td></tr></tfoot>
  </table>
</figure>
"""
)

CASES = [
    ["complete", "limited", "limited", "limited", NO_UPDATE],
    ["substantial"] * 3 + ["not_started"] * 7 + ["complete"] * 1234,  # thousands, fractions of bars
    ["complete"],
]


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("values", CASES)
@pytest.mark.parametrize("key", ["home", 1, 2, '<"k">'])
def test_the_chart_is_what_the_former_template_wrote(language, values, key):
    with translation.override(language):
        chart = timeline.tally_chart('Milestones <by> "completion"', "milestones & <more>", values)
        assert any(bar.width != int(bar.width) for bar in chart.bars) or len(chart.bars) == 1
        expected = FORMER_TEMPLATE.render(Context({"chart": chart, "key": key}))
        assert chart.html(key) + "\n" == expected
        # The include both pages use writes the same bytes.
        assert render_to_string("commitments/_bar_chart.html", {"chart": chart, "key": key}) == expected
    assert "Milestones &lt;by&gt; &quot;completion&quot;" in expected
