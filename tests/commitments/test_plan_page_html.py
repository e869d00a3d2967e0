"""The plan page's "where the plan stands" and "about the plan", written in Python (``commitments.plan_page``,
issue #20), are byte for byte what ``_plan_state.html`` and ``_plan_about.html`` wrote, in each language."""

import datetime as dt
from types import SimpleNamespace

import pytest

from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from commitments import plan_page, timeline

# templates/commitments/_plan_state.html before the plan page called plan_page.state_html (its timeline
# include already replaced by timeline.Gantt.html, tests/commitments/test_gantt_html.py).
FORMER_PLAN_STATE = Template(
    """
{% load i18n portal %}{# The plan page's shared part: no user, no form, no token in here (ogp_portal.cache.fragment). #}
<section aria-labelledby="summary-heading" class="plan-summary">
  <h2 id="summary-heading">{% translate "Where the plan stands" %}</h2>
  <ul class="headline-figures">
    <li><strong>{{ commitments|length }}</strong> {% blocktranslate trimmed count counter=commitments|length %}commitment{% plural %}commitments{% endblocktranslate %}</li>
    <li><strong>{{ milestone_count }}</strong> {% blocktranslate trimmed count counter=milestone_count %}milestone{% plural %}milestones{% endblocktranslate %}</li>
    <li class="{% if overdue_count %}is-overdue{% endif %}"><strong>{{ overdue_count }}</strong> {% blocktranslate trimmed count counter=overdue_count %}milestone overdue{% plural %}milestones overdue{% endblocktranslate %}</li>
  </ul>
  <p class="progress">{% blocktranslate trimmed with day=today|day %}As of {{ day }}, from the published progress updates only.{% endblocktranslate %}</p>
  {% if charts %}
  <div class="charts">
    {{ charts_html }}{# commitments.timeline.BarChart.html, as _bar_chart.html writes each #}
  </div>
  {% else %}
  <p>{% translate "No commitments yet." %}</p>
  {% endif %}
</section>

{% if gantt %}
<section aria-labelledby="timeline-heading">
  <h2 id="timeline-heading">{% translate "Timeline" %}</h2>
  {{ gantt.html }}{# timeline.Gantt.html: what _gantt.html wrote #}
</section>
{% endif %}

<section aria-labelledby="commitments-heading">
  <h2 id="commitments-heading">{% translate "Commitments" %}</h2>
  {% if commitments %}
  <p><a href="{% url 'commitments:list' %}?plan={{ plan.pk }}">{% translate "Search and filter these commitments" %}</a></p>
  <table class="stack">
    <caption class="visually-hidden">{% blocktranslate trimmed count counter=commitments|length %}{{ counter }} commitment in this plan{% plural %}{{ counter }} commitments in this plan{% endblocktranslate %}</caption>
    <thead>
      <tr>
        <th scope="col">{% translate "Identifier" %}</th>
        <th scope="col">{% translate "Title" %}</th>
        <th scope="col">{% translate "Lead agency" %}</th>
        <th scope="col">{% translate "Completion" %}</th>
        <th scope="col">{% translate "Last published update" %}</th>
        <th scope="col">{% translate "Milestones" %}</th>
      </tr>
    </thead>
    <tbody>
      {{ commitment_rows }}{# one <tr> per commitment, written by views.commitment_rows #}
    </tbody>
  </table>
  <p><a href="{% url 'commitments:plan_csv' plan.pk %}" download>{% translate "Download the commitments and milestones as CSV" %}</a></p>
  {% else %}
  <p>{% translate "No commitments yet." %}</p>
  {% endif %}
</section>

"""[1:]
)


def _gantt():
    commitment = SimpleNamespace(identifier="XN1", title="A", start_date=dt.date(2020, 1, 1), end_date=dt.date(2022, 6, 30))
    milestone = SimpleNamespace(number="1", start_date=dt.date(2020, 1, 1), ends_on=dt.date(2020, 6, 30), state="complete",
                                overdue=False, start_label="a", end_label="b")
    return timeline.build_gantt([(commitment, [milestone])], dt.date(2021, 5, 17))


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("count, milestones, overdue", [(0, 0, 0), (1, 1, 1), (3, 4, 2), (5, 21, 5), (21, 1002, 0)])
@pytest.mark.parametrize("drawn", [True, False], ids=["charts", "no-charts"])
def test_the_part_is_what_the_former_template_wrote(language, count, milestones, overdue, drawn):
    plan = SimpleNamespace(pk=4)
    commitments = [SimpleNamespace(identifier=f"XN{i}") for i in range(count)]
    rows = mark_safe("\n      <tr><td>row &amp; more</td></tr>\n      ")
    charts_html = mark_safe('\n<figure class="chart">…</figure>\n') if drawn else ""
    gantt = _gantt() if drawn else None
    today = dt.date(2026, 12, 8)
    with translation.override(language):
        expected = FORMER_PLAN_STATE.render(Context({
            "plan": plan, "commitments": commitments, "charts": [1] if drawn else [], "charts_html": charts_html,
            "gantt": gantt, "commitment_rows": rows, "milestone_count": milestones, "overdue_count": overdue, "today": today,
        }))
        got = plan_page.state_html(plan, commitments, charts_html, gantt, rows, milestones, overdue, today)
    assert got == expected
    assert ("?plan=4" in got) == bool(count)


# templates/commitments/_plan_about.html before the plan page called plan_page.about_html.
FORMER_PLAN_ABOUT = Template("""{% load i18n portal %}{# The plan page's facts and co-creation: a shared part (views.plan_detail), from the whole plan row. #}
<section aria-labelledby="about-heading">
  <h2 id="about-heading">{% translate "About the plan" %}</h2>
  <dl class="facts">
    <dt>{% translate "Member" %}</dt><dd><a href="{{ member.get_absolute_url }}">{% name_of member %}</a></dd>
    <dt>{% translate "Implementation period" %}</dt>
    <dd>{% if plan.start_date or plan.end_date %}{{ plan.start_date|day|default:"…" }} – {{ plan.end_date|day|default:"…" }}{% else %}{% translate "Not stated" %}{% endif %}</dd>
    <dt>{% translate "Submitted on" %}</dt>
    <dd>{% if plan.submitted_on %}{{ plan.submitted_on|day }}{% else %}{% translate "No submission date recorded" %}{% endif %}</dd>
    {% if plan.approved_on or plan.approval_act %}
    <dt>{% translate "Approved" %}</dt>
    <dd>{{ plan.approval_act }}{% if plan.approval_act and plan.approved_on %}, {% endif %}{{ plan.approved_on|day }}</dd>
    {% endif %}
    <dt>{% translate "Lead institutions" %}</dt>
    <dd>{% with leads=lead_institutions %}{% if leads %}{% for lead in leads %}{% name_of lead %}{% if not forloop.last %}; {% endif %}{% endfor %}{% else %}{% translate "Not stated" %}{% endif %}{% endwith %}</dd>
    {% if plan.monitoring_body %}
    <dt>{% translate "Monitoring body" %}</dt><dd>{% tr plan "monitoring_body" %}</dd>
    {% endif %}
    {% if plan.themes %}
    <dt>{% translate "Themes" %}</dt>
    <dd><ul class="tags">{% for theme in plan.themes %}<li>{{ theme }}</li>{% endfor %}</ul></dd>
    {% endif %}
  </dl>
</section>

{% if plan.co_creation %}
<section aria-labelledby="co-creation-heading">
  <h2 id="co-creation-heading">{% translate "Co-creation" %}</h2>
  {% tr plan "co_creation" block=True %}
</section>
{% endif %}
""")


class Named(SimpleNamespace):
    def get_absolute_url(self):
        return self.url


def _plan(full):
    texts = {
        "monitoring_body": "Council <of> CSOs" if full else "",
        "co_creation": "Held <meetings>\n\nand & more" if full else "",
    }
    translated = {f"{name}_{code}": (value if code != "ru" else "") for name, value in texts.items() for code in ("en", "ru", "ky")}
    return SimpleNamespace(
        start_date=dt.date(2020, 1, 1) if full else None,
        end_date=None,
        submitted_on=dt.date(2019, 12, 31) if full else None,
        approved_on=dt.date(2020, 2, 1) if full == "approved" else None,
        approval_act="Decree <No. 5> & annex" if full else "",
        themes=["Open data", "Fiscal & budget"] if full else [],
        **texts, **translated,
    )


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("full", ["approved", True, False])
@pytest.mark.parametrize("leads", [0, 1, 2])
def test_the_about_part_is_what_the_former_template_wrote(language, full, leads):
    member = Named(url="/members/KG/?a&b", name="Kyrgyz <Republic>", name_en="Kyrgyz <Republic>", name_ru="", name_ky="Кыргыз")
    agencies = [
        Named(name="Ministry <of> Finance", name_en="Ministry <of> Finance", name_ru="", name_ky="Каржы", acronym="MoF"),
        Named(name="Parliament", name_en="Parliament", name_ru="Парламент", name_ky="", acronym=""),
    ][:leads]
    plan = _plan(full)
    with translation.override(language):
        expected = FORMER_PLAN_ABOUT.render(Context({"plan": plan, "member": member, "lead_institutions": agencies}))
        got = plan_page.about_html(plan, member, agencies)
    assert got == expected
    assert "/members/KG/?a&amp;b" in got


@pytest.mark.django_db
def test_the_plan_pages_commitment_rows_read_titles_and_agencies_as_the_models_do_in_each_language():
    """``plan_page.plan_commitments`` (plain rows): the title, the agency's name and whether a language's own column
    is empty (``tr``'s fallback mark) are what model instances give, in every language."""
    from commitments.models import Commitment
    from commitments.templatetags.portal import name_of, tr
    from tests.factories import CommitmentFactory

    first = CommitmentFactory(title_en="Open <budget>", title_ru="", title_ky="Ачык бюджет")
    plan = first.plan
    first.lead_agency.name_ru, first.lead_agency.name_ky, first.lead_agency.acronym = "Минфин", "", "MoF"
    first.lead_agency.save()
    CommitmentFactory(plan=plan, number=2, title_en="Second", title_ru="Второе", title_ky="", lead_agency=None)
    for language in ("en", "ru", "ky"):
        with translation.override(language):
            rows = plan_page.plan_commitments(plan.pk)
            models = list(Commitment.objects.filter(plan=plan).select_related("lead_agency").order_by("number", "identifier"))
            assert [c.pk for c in rows] == [c.pk for c in models]
            for row, model in zip(rows, models):
                assert (row.identifier, row.start_date, row.end_date, row.lead_agency_id) == (
                    model.identifier, model.start_date, model.end_date, model.lead_agency_id
                )
                assert tr(row, "title") == tr(model, "title"), language
                assert str(name_of(row.lead_agency)) == str(name_of(model.lead_agency)), language
                assert row.contested is False


@pytest.mark.django_db
@pytest.mark.parametrize("older, latest, overdue", [
    ("complete", "limited", False),  # done once: not overdue, though the latest level is lower
    ("limited", "substantial", True),
    ("limited", "withdrawn", False),
])
def test_the_plan_page_reads_a_milestones_latest_level_and_whether_any_level_is_done(client, older, latest, overdue):
    """The plan page keeps of each milestone's published levels the latest and a done one (session 13): where it
    stands and whether it is overdue are what the model's rules give from all of them."""
    from django.test import override_settings
    from django.utils import timezone

    from commitments.filters import milestone_is_overdue
    from commitments.timeline import latest_update
    from tests.factories import MilestoneFactory, ProgressUpdateFactory

    milestone = MilestoneFactory(end_date=dt.date(2019, 6, 30))  # long past
    updates = [
        ProgressUpdateFactory(milestone=milestone, completion=older, period_end=dt.date(2019, 6, 30)),
        ProgressUpdateFactory(milestone=milestone, completion=latest, period_end=dt.date(2019, 12, 31)),
    ]
    assert milestone_is_overdue(milestone, updates, timezone.localdate()) is overdue  # the rule, from every level
    with override_settings(PUBLIC_PAGE_CACHE=False):
        page = client.get(f"/plans/{milestone.commitment.plan_id}/").content.decode()
    assert ('class="overdue"' in page) is overdue
    state = latest_update(updates).completion
    assert f'class="completion-{state}' in page and (older == state or f'class="completion-{older}' not in page)
