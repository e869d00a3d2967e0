"""The commitment page's shared part, written in Python (``commitments.commitment_page``: ``head_html``, its headline
figures and timeline, and ``body_html``, its facts, texts, activities, reports and contact; issue #20), is byte for
byte what ``_commitment_state.html`` wrote, in each language."""

import datetime as dt
from types import SimpleNamespace

import pytest

from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from commitments import commitment_page
from commitments.models import Rollup

# _commitment_state.html from its facts to its end, before the commitment page called commitment_page.body_html;
# its two includes, _rollup.html and _milestone_table.html, given as they were (TABLE without its load line).
FORMER_BODY = Template("""{% load i18n portal engagement %}<dl class="facts">
  <dt>{% translate "Period" %}</dt>
  <dd>{% if commitment.start_date or commitment.end_date %}{{ commitment.start_date|day }} – {{ commitment.end_date|day }}{% else %}{% translate "Not stated" %}{% endif %}</dd>
  <dt>{% translate "Completion" %}</dt>
  <dd>{% include rollup_template %}</dd>
  <dt>{% translate "Lead implementing agency" %}</dt>
  <dd>{% translate "Not stated" as not_stated %}{% name_of commitment.lead_agency not_stated %}</dd>
  {% if commitment.other_state_actors %}
  <dt>{% translate "Other state actors involved" %}</dt><dd>{% tr commitment "other_state_actors" block=True %}</dd>
  {% endif %}
  {% if commitment.other_actors %}
  <dt>{% translate "CSOs, private sector, multilaterals, working groups" %}</dt><dd>{% tr commitment "other_actors" block=True %}</dd>
  {% endif %}
  {% with values=commitment.get_ogp_values_display %}{% if values %}
  <dt>{% translate "OGP values" %}</dt>
  <dd><ul class="tags">{% for value in values %}<li>{{ value }}</li>{% endfor %}</ul></dd>
  {% endif %}{% endwith %}
  {% if commitment.themes %}
  <dt>{% translate "Themes" %}</dt>
  <dd><ul class="tags">{% for theme in commitment.themes %}<li>{{ theme }}</li>{% endfor %}</ul></dd>
  {% endif %}
</dl>

{% for label, name in sections %}
<section>
  <h2>{{ label|capfirst }}</h2>
  {% with text=commitment|attr:name %}{% if text %}{% tr commitment name block=True %}{% else %}<p>{% translate "Not stated" %}</p>{% endif %}{% endwith %}
</section>
{% endfor %}

<section aria-labelledby="milestones-heading">
  <h2 id="milestones-heading">{% translate "Activities and milestones" %}</h2>
  {% for activity in activities %}
  <article>
    <h3>{% blocktranslate trimmed with number=activity.number %}Activity {{ number }}{% endblocktranslate %}{% if activity.title %}: {% tr activity "title" %}{% endif %}</h3>
    {% if activity.expected_results %}
    <h4>{% translate "Expected results" %}</h4>
    {% tr activity "expected_results" block=True %}
    {% endif %}
    {% if activity.milestone_list %}
    {% blocktranslate trimmed with number=activity.number asvar caption %}Milestones of activity {{ number }}{% endblocktranslate %}
    {% include table_template with rows=activity.milestone_rows caption=caption %}
    {% endif %}
  </article>
  {% endfor %}
  {% if loose_milestones %}
  {% translate "Milestones" as caption %}
  {% include table_template with rows=loose_rows caption=caption %}
  {% endif %}
  {% if not activities and not loose_milestones %}
  <p>{% translate "No milestones yet." %}</p>
  {% endif %}
</section>

<section aria-labelledby="reports-heading">
  <h2 id="reports-heading">{% translate "Six-month status reports" %}</h2>
  {% if report_lines %}
  <ul>
    {% for line in report_lines %}
    <li><a href="{{ line.report.get_absolute_url }}">{% blocktranslate trimmed with label=line.report.period_label %}Status report {{ label }}{% endblocktranslate %}</a>
      ({% blocktranslate trimmed with day=line.report.published_at|day %}published on {{ day }}{% endblocktranslate %}):
      {% if line.completion %}{{ line.get_completion_display }}, {{ line.percent }} %{% else %}—{% endif %}</li>
    {% endfor %}
  </ul>
  {% else %}
  <p>{% translate "No status report has been published yet." %}</p>
  {% endif %}
  <p><a href="{% url 'commitments:commitment_history' commitment.identifier %}">{% translate "Change history" %}</a></p>
</section>

<section aria-labelledby="contact-heading">
  <h2 id="contact-heading">{% translate "Contact person" %}</h2>
  {% if commitment.contact_name or commitment.contact_email or commitment.contact_phone %}
  <dl class="facts">
    {% if commitment.contact_name %}<dt>{% translate "Name" %}</dt><dd>{{ commitment.contact_name }}</dd>{% endif %}
    {% if commitment.contact_title %}<dt>{% translate "Title, department" %}</dt><dd>{% tr commitment "contact_title" %}</dd>{% endif %}
    {% if commitment.contact_email %}<dt>{% translate "Email" %}</dt><dd>{{ commitment.contact_email|urlize }}</dd>{% endif %}
    {% if commitment.contact_phone %}<dt>{% translate "Phone" %}</dt><dd>{{ commitment.contact_phone }}</dd>{% endif %}
  </dl>
  {% else %}
  <p>{% translate "Not stated" %}</p>
  {% endif %}
</section>
<p class="feed-link"><a href="{% url 'commitments:commitment_feed' commitment.identifier %}" type="application/atom+xml">{% translate "Follow this page with a feed reader (Atom)" %}</a></p>
""")
ROLLUP = Template("""{% load i18n %}{% if rollup.level %}{{ rollup.get_level_display }} ({{ rollup.percent }} %){% else %}{% translate "No approved update yet" %}{% endif %}
""")
TABLE = Template("""{% load i18n %}
<table class="stack milestones">
  <caption class="visually-hidden">{{ caption }}</caption>
  <thead>
    <tr>
      <th scope="col">{% translate "Milestone" %}</th>
      <th scope="col">{% translate "Deliverable" %}</th>
      <th scope="col">{% translate "Budget source" %}</th>
      <th scope="col">{% translate "Start" %}</th>
      <th scope="col">{% translate "End" %}</th>
      <th scope="col">{% translate "Published progress" %}</th>
    </tr>
  </thead>
  <tbody>{{ rows }}{# one <tr> per milestone, written by views.milestone_rows #}
  </tbody>
</table>
""")


class Obj(SimpleNamespace):
    def get_absolute_url(self):
        return self.url

    def get_ogp_values_display(self):
        return self.values

    def get_completion_display(self):
        return self.completion_label


def _commitment(full):
    text = "First <para>\n\nsecond & more" if full else ""
    fields = {
        name: text for name in ("problem", "description", "contribution", "relevance", "additional_information", "expected_results")
    }
    if full:
        fields["relevance"] = ""  # one section not stated
    translated = {f"{name}_{code}": (value if code != "ru" else "") for name, value in fields.items() for code in ("en", "ru", "ky")}
    agency = Obj(name="Ministry <of> Finance", name_en="Ministry <of> Finance", name_ru="Минфин", name_ky="", acronym="MoF") if full else None
    return Obj(
        identifier="XN0001<2>" if full else "XN00010021",
        start_date=dt.date(2020, 1, 1) if full else None,
        end_date=dt.date(2022, 6, 30) if full else None,
        lead_agency=agency,
        other_state_actors="Parliament & co" if full else "",
        other_state_actors_en="Parliament & co", other_state_actors_ru="", other_state_actors_ky="Парламент",
        other_actors="CSOs <many>" if full else "",
        other_actors_en="CSOs <many>", other_actors_ru="НКО", other_actors_ky="",
        values=["Transparency", "Civic <participation>"] if full else [],
        themes=["Open data", "Fiscal & budget"] if full else [],
        contact_name="Ann <A>" if full else "",
        contact_title="Head & chief" if full else "",
        contact_title_en="Head & chief", contact_title_ru="", contact_title_ky="",
        contact_email="ann@example.org" if full else "",
        contact_phone="+996 <312>" if full else "",
        **fields, **translated,
    )


SECTIONS = [(label, name) for label, name in (
    ("problem", "problem"), ("description", "description"), ("relevance", "relevance"), ("expected results", "expected_results"),
)]


def _activities(rows):
    return [
        Obj(pk=1, number=1, title="Open <budget>", title_en="Open <budget>", title_ru="", title_ky="Ачык", expected_results="More & better",
            expected_results_en="More & better", expected_results_ru="Больше", expected_results_ky="", milestone_list=[1], milestone_rows=rows),
        Obj(pk=2, number=12, title="", title_en="", title_ru="", title_ky="", expected_results="", expected_results_en="",
            expected_results_ru="", expected_results_ky="", milestone_list=[], milestone_rows=""),
    ]


def _lines():
    published = timezone.make_aware(dt.datetime(2021, 3, 31, 23, 30), dt.timezone.utc)  # April 1 in Bishkek
    return [
        Obj(report=Obj(url="/plans/4/reports/1/", period_label="2021 <H1>", published_at=published), completion="substantial",
            completion_label="Substantial", percent=75),
        Obj(report=Obj(url="/plans/4/reports/2/?a=1&b=2", period_label="2020 H2", published_at=None), completion="",
            completion_label="", percent=0),
    ]


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("full", [True, False], ids=["full", "empty"])
@pytest.mark.parametrize("level", ["substantial", None])
@pytest.mark.parametrize("with_activities, loose", [(True, True), (True, False), (False, True), (False, False)])
def test_the_body_is_what_the_former_template_wrote(language, full, level, with_activities, loose):
    commitment = _commitment(full)
    rollup = Rollup(level=level, percent=75 if level else 0)
    rows = mark_safe("\n    <tr><td>row &amp; more</td></tr>\n    ")
    activities = _activities(rows) if with_activities else []
    loose_milestones = [1, 2] if loose else []
    loose_rows = rows if loose else ""
    lines = _lines() if full else []
    with translation.override(language):
        expected = FORMER_BODY.render(Context({
            "commitment": commitment, "rollup": rollup, "sections": SECTIONS, "activities": activities,
            "loose_milestones": loose_milestones, "loose_rows": loose_rows, "report_lines": lines,
            "rollup_template": ROLLUP, "table_template": TABLE,
        }))
        got = commitment_page.body_html(commitment, rollup, SECTIONS, activities, loose_milestones, loose_rows, lines)
        assert got + "\n" == expected
        assert commitment_page.rollup_html(rollup) == ROLLUP.render(Context({"rollup": rollup}))
    if full:
        assert "Ministry &lt;of&gt; Finance" in got and "2021 &lt;H1&gt;" in got and "?a=1&amp;b=2" in got


# _commitment_state.html's headline figures and timeline (up to its facts), before commitment_page.head_html.
FORMER_HEAD = Template("""{% load i18n portal engagement %}{# The commitment page's shared part (ogp_portal.cache.fragment): no user, form or token in here; the per-visitor links are <!--personal:…--> slots that engagement's personal_parts tag fills. #}
<section aria-labelledby="state-heading" class="commitment-state">
  <h2 id="state-heading">{% translate "Where it stands" %}</h2>
  <ul class="headline-figures">
    <li><span class="completion completion-{{ rollup.level|default:'none' }}"><strong>{{ rollup_html }}</strong></span><br><small>{% translate "completion, rolled up from the milestones" %}</small></li>
    <li>{% if commitment.latest_progress %}<strong>{{ commitment.latest_progress.published_at|day }}</strong>{% else %}<strong>—</strong>{% endif %}<br><small>{% translate "last published update" %}</small></li>
    <li class="{% if commitment.overdue_count %}is-overdue{% endif %}"><strong>{{ commitment.overdue_count }}</strong><br><small>{% blocktranslate trimmed count counter=commitment.overdue_count %}milestone overdue{% plural %}milestones overdue{% endblocktranslate %}</small></li>
    {% if any_published %}{% commitment_contested commitment as contested %}{% endif %}{% if contested %}<li class="is-contested"><strong class="contested-badge">{% translate "Contested" %}</strong><br><small>{% translate "a reviewer disputes a published update; no response yet" %}</small></li>{% endif %}
  </ul>
  {% if gantt %}{{ gantt.html }}{# timeline.Gantt.html: what _gantt.html wrote #}{% endif %}
</section>

""")


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("overdue", [0, 1, 3, 5, 21])
@pytest.mark.parametrize("contested", [True, False])
@pytest.mark.parametrize("level", ["complete", None])
@pytest.mark.parametrize("updated", [True, False])
def test_the_head_is_what_the_former_template_wrote(language, overdue, contested, level, updated):
    from commitments import timeline

    published = timezone.make_aware(dt.datetime(2021, 3, 31, 23, 30), dt.timezone.utc)  # April 1 in Bishkek
    commitment = Obj(latest_progress=Obj(published_at=published) if updated else None, overdue_count=overdue,
                     identifier="XN<1>", start_date=dt.date(2020, 1, 1), end_date=dt.date(2022, 6, 30))
    milestone = SimpleNamespace(number="1", start_date=dt.date(2020, 1, 1), ends_on=dt.date(2020, 6, 30), state="complete",
                                overdue=bool(overdue), start_label="a", end_label="b")
    gantt = timeline.build_gantt([(commitment, [milestone])], dt.date(2021, 5, 17)) if updated else None
    rollup = Rollup(level=level, percent=100 if level else 0)
    with translation.override(language):
        # The former template asked engagement's tag only with a published update; its answer given as ``contested``.
        expected = FORMER_HEAD.render(Context({
            "commitment": commitment, "rollup": rollup, "rollup_html": commitment_page.rollup_html(rollup),
            "any_published": False, "contested": contested, "gantt": gantt,
        }))
        got = commitment_page.head_html(commitment, rollup, contested, gantt)
    assert got == expected
    assert ("contested-badge" in got) == contested
