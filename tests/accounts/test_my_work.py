""""My work" and the review queue on the real seed data: scoped rows, due/overdue/missing, fixed query counts."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from commitments.models import ActionPlan, ProgressUpdate
from tests.factories import CommitmentFactory, MilestoneFactory, ProgressUpdateFactory
from tests.pages import assert_strict_page

from .conftest import get_review_page, review_queue_of, sign_in

pytestmark = pytest.mark.django_db

# Mid 2019-H2, while the Kyrgyz plan 2018–2020 is in implementation.
PINNED = dt.datetime(2019, 8, 15, 10, 0, tzinfo=dt.UTC)


def _identifiers(html):
    return set(re.findall(r"<strong>(KG\w+)</strong>", html))


def test_my_work_needs_sign_in(client):
    response = client.get(reverse("work:my_work"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("accounts:login"))


@time_machine.travel(PINNED, tick=False)
def test_a_coordinator_sees_only_their_agencys_commitments_with_what_is_due(client, world):
    response = sign_in(client, world.users.own).get(reverse("work:my_work"))
    assert response.status_code == 200
    assert_strict_page(response)
    assert _identifiers(response.text) == {"KG0017"}
    html = response.text
    assert "Coordinator" in html or "coordinator" in html
    # The 2019-H2 period is shown and KG0017's milestones each have a status.
    assert "2019" in html
    assert "updates to review" not in html
    assert world.users.other_agency.username not in html


@time_machine.travel(PINNED, tick=False)
def test_the_point_of_contact_sees_the_whole_member_and_the_review_queue(client, world):
    signed_in = sign_in(client, world.users.poc)
    response = signed_in.get(reverse("work:my_work"))
    assert response.status_code == 200
    ids = _identifiers(response.text).union(  # (the member's commitments, about 50 milestones a page)
        *(_identifiers(signed_in.get(reverse("work:my_work") + f"?page={n}").text)
          for n in range(2, response.context["work_page"].paginator.num_pages + 1))
    )
    assert {"KG0001", "KG0008", "KG0017", "KG0018"} <= ids
    assert not any(i.startswith("KGBSK") for i in ids)
    assert "1 update to review" in response.text
    queue = response.context["queue"]
    assert [u.pk for u in queue] == [world.updates.submitted.pk]


@time_machine.travel(PINNED, tick=False)
def test_another_members_point_of_contact_sees_nothing_of_kyrgyzstans(client, world):
    response = sign_in(client, world.users.other_poc).get(reverse("work:my_work"))
    assert response.status_code == 200
    ids = _identifiers(response.text)
    assert ids and all(i.startswith("KGBSK") for i in ids)
    assert list(response.context["queue"]) == []


def test_a_civil_society_account_is_told_what_it_can_do(client, world):
    response = sign_in(client, world.users.civil).get(reverse("work:my_work"))
    assert response.status_code == 200
    assert "civil-society account" in response.text
    assert response.context["work"] == []


def test_the_secretariat_finds_its_forum(client, world):
    response = sign_in(client, world.users.secretariat).get(reverse("work:my_work"))
    assert "Open Government National Forum" in response.text


def test_the_status_of_each_milestone_comes_from_its_dates_and_updates(client, world):
    with time_machine.travel(PINNED, tick=False):
        response = sign_in(client, world.users.own).get(reverse("work:my_work"))
    (kg0017,) = response.context["work"]
    rows = {row.milestone.pk: row for row in kg0017.milestones}
    # The first milestone has a published update for 2019-H2: nothing missing for the period.
    assert rows[world.milestone.pk].missing is False
    assert rows[world.milestone.pk].latest.pk == world.updates.published.pk
    others = [row for pk, row in rows.items() if pk != world.milestone.pk]
    assert all(row.missing for row in others if row.status != "done" and row.milestone.start_date <= dt.date(2019, 12, 31))
    today = dt.date(2019, 8, 15)
    for row in kg0017.milestones:
        if row.status == "overdue":
            assert row.milestone.ends_on < today


def test_the_review_queue_is_for_points_of_contact(client, world):
    assert client.get(reverse("work:review_queue")).status_code == 302
    assert sign_in(client, world.users.own).get(reverse("work:review_queue")).status_code == 403
    client.logout()
    response = get_review_page(sign_in(client, world.users.poc))
    assert response.status_code == 200
    assert_strict_page(response)
    assert [u.pk for u in review_queue_of(response)] == [world.updates.submitted.pk]
    client.logout()
    assert review_queue_of(get_review_page(sign_in(client, world.users.other_poc))) == []


def _grow(world, n):
    """Add n commitments led by the Accounts Chamber, each with 3 milestones and a submitted update on each."""
    plan = ActionPlan.objects.get(member=world.kg)
    for i in range(n):
        commitment = CommitmentFactory(plan=plan, number=200 + i, identifier=f"KG{200 + i:04d}", lead_agency=world.chamber)
        for _ in range(3):
            milestone = MilestoneFactory(commitment=commitment)
            ProgressUpdateFactory(
                milestone=milestone, state=ProgressUpdate.State.SUBMITTED, published_at=None, author=world.users.own
            )


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, follow=True)
    assert response.status_code == 200
    if "work" in response.context:
        # "My work" renders one page of commitments; every commitment's workload (for the comparisons
        # below) is built when first read: read it now, before the data grows.
        list(response.context["work"])
    return len(queries), response


@pytest.mark.parametrize("who", ["own", "poc", "admin"])
def test_my_work_takes_the_same_number_of_queries_at_two_data_sizes(client, world, who):
    sign_in(client, getattr(world.users, who))
    url = reverse("work:my_work")
    small, first = _count(client, url)
    _grow(world, 6)
    large, second = _count(client, url)
    assert sum(len(c.milestones) for c in second.context["work"]) >= sum(len(c.milestones) for c in first.context["work"]) + 18
    assert small == large, f"{small} queries with the seed, {large} with 6 more commitments"


def test_the_review_queue_takes_the_same_number_of_queries_at_two_data_sizes(client, world):
    sign_in(client, world.users.poc)
    url = reverse("work:review_queue")
    small, first = _count(client, url)
    _grow(world, 6)
    large, second = _count(client, url)
    assert len(review_queue_of(second)) == len(review_queue_of(first)) + 18
    assert small == large


def test_a_quarterly_update_cadence_changes_what_my_work_reports_as_missing(client, world):
    """My work reads the reporting period from the compliance policy, as progress entry and status reports do."""
    from commitments import progress
    from compliance.models import Policy

    # A KG0017 milestone started by September 2019 and not done, with updates for January–June and
    # October–December 2019 only.
    milestone = next(
        m for m in world.kg0017.milestones.order_by("id")[1:]
        if (m.start_date or dt.date.min) <= dt.date(2019, 9, 30)
    )
    ProgressUpdate.objects.create(
        milestone=milestone, completion="limited", author=world.users.own, state="draft",
        period_start=dt.date(2019, 10, 1), period_end=dt.date(2019, 12, 31),
    )

    def row():
        with time_machine.travel(PINNED, tick=False):
            response = sign_in(client, world.users.own).get(reverse("work:my_work"))
        (kg0017,) = response.context["work"]
        return kg0017.period, next(r for r in kg0017.milestones if r.milestone.pk == milestone.pk), response

    period, by_default, _response = row()
    assert period.label == "2019-H2" and by_default.missing is False  # October–December lies in 2019-H2
    Policy.objects.create(member=world.kg, effective_from=dt.date(2000, 1, 1), update_cadence_months=3)
    period, quarterly, response = row()
    assert (period.label, period.end) == ("2019-Q3", dt.date(2019, 9, 30))
    assert quarterly.missing is True  # nothing for July–September
    assert response.context["period"] == period
    # The progress pages offer the same period.
    assert progress.reporting_periods(world.kg0017.plan, dt.date(2019, 8, 15))[0] == period


@time_machine.travel(PINNED, tick=False)
def test_a_submitted_update_whose_author_account_was_deleted_is_listed_not_a_500(client, world):
    """Issue 17's battery: the queue's author column read the deleted author in a filter argument (a 500)."""
    update = world.updates.submitted
    author = update.author
    assert author is not None
    author.delete()  # the update's author is set null
    update.refresh_from_db()
    assert update.author is None
    signed_in = sign_in(client, world.users.poc)
    work = signed_in.get(reverse("work:my_work"))
    assert work.status_code == 200
    assert [u.pk for u in work.context["queue"]] == [update.pk]
    review = get_review_page(signed_in)
    assert review.status_code == 200
    assert [u.pk for u in review_queue_of(review)] == [update.pk]
    assert "a deleted account" in work.text


@time_machine.travel(PINNED, tick=False)
def test_a_point_of_contacts_work_comes_a_page_at_a_time_with_the_counts_of_all(client, world):
    """Issue #20: a whole member's commitments are paged (about 50 milestones, at most 20 commitments a page) and
    the review queue shows its 10 oldest."""
    from accounts.work_views import QUEUE_SHOWN
    from commitments import workload

    _grow(world, 25)  # 25 more commitments, each with 3 submitted updates to review
    signed_in = sign_in(client, world.users.poc)
    first = signed_in.get(reverse("work:my_work"))
    assert first.status_code == 200
    assert_strict_page(first)
    work = first.context["work"]  # everything, for the totals
    total = len(work)
    milestones = sum(len(item.milestones) for item in work)
    size = workload.page_size(total, milestones)
    assert first.context["work_page"].paginator.per_page == size < total
    shown = _identifiers(first.text)
    assert len(shown) == size
    assert f"Commitments 1–{size} of {total}" in first.text
    assert 'rel="next"' in first.text
    overdue = sum(c.overdue for c in work)
    assert first.context["totals"]["overdue"] == overdue  # the totals count every page
    pages = [shown]
    for number in range(2, first.context["work_page"].paginator.num_pages + 1):
        page = signed_in.get(reverse("work:my_work") + f"?page={number}")
        assert page.status_code == 200
        pages.append(_identifiers(page.text))
    assert set().union(*pages) == {item.commitment.identifier for item in work}
    assert sum(len(p) for p in pages) == total  # each commitment on one page only
    # The review queue: its count is of all, its table the 10 waiting longest, the link leads to the rest.
    queue_count = first.context["queue_count"]
    assert queue_count >= 75 + 1
    assert f"{queue_count} updates to review" in first.text
    assert len(first.context["queue"]) == QUEUE_SHOWN
    oldest = ProgressUpdate.objects.filter(
        state=ProgressUpdate.State.SUBMITTED, milestone__commitment__plan__member=world.kg
    ).order_by("updated_at", "pk")[:QUEUE_SHOWN]
    assert [u.pk for u in first.context["queue"]] == [u.pk for u in oldest]  # the ones waiting longest
    assert reverse("commitments:review") in first.text
    # An out-of-range page number shows the last page, not an error.
    assert signed_in.get(reverse("work:my_work") + "?page=999").status_code == 200


@time_machine.travel(PINNED, tick=False)
def test_a_coordinators_few_commitments_show_on_one_page_without_paging(client, world):
    response = sign_in(client, world.users.own).get(reverse("work:my_work"))
    assert _identifiers(response.text) == {"KG0017"}
    assert "Commitments 1–" not in response.text and 'class="pagination"' not in response.text


@time_machine.travel(PINNED, tick=False)
@pytest.mark.parametrize("who", ["own", "poc"])
def test_each_milestones_latest_update_is_the_latest_the_person_may_see(client, world, who):
    """My work reads the updates of the person's own commitments by milestone, without the visibility filter:
    every one of them is visible to a person who may edit the commitment (``permissions.visible_to``).
    A draft by the coordinator, newer than every published update, is the latest for both of them."""
    from commitments.workload import latest_update
    from ogp_portal.permissions import visible_to

    user = getattr(world.users, who)
    draft = ProgressUpdate.objects.create(
        milestone=world.milestone, completion="substantial", author=world.users.own, state="draft",
        period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 6, 30),
    )
    response = sign_in(client, user).get(reverse("work:my_work"))
    rows = [row for item in response.context["work"] for row in item.milestones]
    assert rows
    for row in rows:
        seen = list(visible_to(user, ProgressUpdate.objects.filter(milestone=row.milestone)))
        expected = latest_update(seen)
        assert (row.latest.pk if row.latest else None) == (expected.pk if expected else None)
    (mine,) = [row for row in rows if row.milestone.pk == world.milestone.pk]
    assert mine.latest.pk == draft.pk


@pytest.mark.parametrize("cadence", [6, 3])
@pytest.mark.parametrize("day", ["2018-01-10", "2019-08-15", "2019-12-31", "2020-06-30", "2021-03-01"])
@pytest.mark.parametrize("who", ["own", "poc", "admin"])
def test_the_totals_counted_in_sql_are_those_of_every_commitments_workload(client, world, who, day, cadence):
    """Issue #20: the totals at the top come from one SQL aggregate (``workload.totals_query``), not from the
    workload of every commitment; they count the same milestones as the rules in Python, across dates
    (before the plan, in a period, on its last day, after the plan ended), month-precision ends, done
    milestones (their latest update of any state says complete or withdrawn) and a quarterly update cadence."""
    from commitments import workload
    from commitments.models import DatePrecision
    from compliance.models import Policy

    if cadence != 6:  # quarterly updates: shorter periods, other month cuts
        Policy.objects.create(member=world.kg, effective_from=dt.date(2000, 1, 1), update_cadence_months=cadence)

    milestones = list(world.kg0017.milestones.order_by("id"))
    for milestone in milestones[1:3]:  # ends given as a month: its last day counts
        milestone.end_date, milestone.end_precision = milestone.end_date.replace(day=1), DatePrecision.MONTH
        milestone.save()
    ProgressUpdate.objects.create(  # the latest update, a draft, says complete: done
        milestone=milestones[-1], completion="complete", author=world.users.own, state="draft",
        period_start=dt.date(2020, 7, 1), period_end=dt.date(2020, 12, 31),
    )
    with time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=dt.UTC), tick=False):
        response = sign_in(client, getattr(world.users, who)).get(reverse("work:my_work"))
    assert response.status_code == 200
    expected = workload.totals(list(response.context["work"]))
    assert expected["milestones"] > 0
    assert response.context["totals"] == expected


@pytest.mark.parametrize(
    "text",
    ["", "short", "x" * 100, "y" * 101, "Open data " * 30, "Открытые данные " * 10, "e\u0301" * 120, "ё" * 99 + "e\u0301" * 3],
)
@pytest.mark.parametrize("length", [100, 120])
def test_my_works_truncation_is_truncatechars(text, length):
    """The view shortens texts itself (issue #20): exactly what the template's ``truncatechars`` gave."""
    from django.template.defaultfilters import truncatechars

    from accounts.work_views import _truncated

    assert _truncated(text, length) == truncatechars(text, length)


@pytest.mark.parametrize("text", ["Open data " * 30, "Открытые данные " * 10, "e\u0301" * 120, "ё" * 99 + "e\u0301" * 3])
@pytest.mark.parametrize("code", ["en", "ru", "ky"])
def test_my_works_truncation_text_translated_once_is_truncatechars(text, code):
    """The truncation text translated once a page (``_truncation``, issue #20) gives what ``truncatechars`` gave."""
    from django.template.defaultfilters import truncatechars

    from accounts.work_views import _truncated, _truncation

    with translation.override(code):
        truncation = _truncation()
        for length in (80, 100, 120):
            assert _truncated(text, length, truncation) == truncatechars(text, length)


@time_machine.travel(PINNED, tick=False)
@pytest.mark.parametrize("who", ["own", "poc"])
def test_my_work_in_every_language_runs_the_same_queries(client, world, who):
    """The page reads only the columns it shows (issue #20), each translated one in every language: a column
    left out would be read again for each row in Russian or Kyrgyz."""
    sign_in(client, getattr(world.users, who))
    counts = {}
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            url = reverse("work:my_work")
        client.get(url)
        counts[code], _response = _count(client, url)
    assert counts["ru"] == counts["en"] == counts["ky"], counts


@time_machine.travel(PINNED, tick=False)
def test_a_commitment_without_milestones_is_counted_and_shown(client, world):
    """The number of commitments (for the pages) is counted with the totals, over commitments, not milestones."""
    plan = ActionPlan.objects.get(member=world.kg)
    CommitmentFactory(plan=plan, number=300, identifier="KG0300", lead_agency=world.chamber)
    response = sign_in(client, world.users.own).get(reverse("work:my_work"))
    assert _identifiers(response.text) == {"KG0017", "KG0300"}
    assert response.context["work_page"].paginator.count == len(response.context["work"]) == 2
    assert response.context["totals"]["milestones"] == sum(len(c.milestones) for c in response.context["work"])


# The template's loop over the page's commitments before "My work" wrote them in Python (issue #20): the
# view's HTML (``accounts.work_views._work_html``) must be this, byte for byte.
_TEMPLATE_LOOP = """{% load i18n %}  {% translate "Milestone" as l_milestone %}{% translate "Ends" as l_ends %}{% translate "Status" as l_status %}{% translate "Latest update" as l_latest %}{% translate "This period" as l_period %}{% translate "Progress" as l_progress %}{% translate "enter progress" as l_enter %}{% translate "Update missing" as l_missing %}{% translate "Nothing missing" as l_nothing %}{% translate "Report progress" as l_report %}{% translate "Open the commitment" as l_open %}{% translate "Lead agency:" as l_lead %}
  {# each milestone's status, label and class (accounts/_status.html, inlined): computed by the view (accounts.work_views._displayed) #}
  {% for item in work_page %}{% with commitment=item.commitment %}
  <details class="work-commitment"{% if item.needs_update %} open{% endif %}>
    <summary>
      <strong>{{ commitment.identifier }}</strong> {{ item.title }}
      <small>— {{ item.counts }}</small>
    </summary>
    <p>{% if commitment.lead_agency %}{{ l_lead }} {{ commitment.lead_agency }} · {% endif %}{{ commitment.plan.member.name }} ·
      {% if several_periods or ended_plans %}{% blocktranslate trimmed with start=item.period.start|date:"DATE_FORMAT" end=item.period.end|date:"DATE_FORMAT" %}reporting period {{ start }} – {{ end }}{% endblocktranslate %} ·{% endif %}
      <a href="{{ commitment.get_absolute_url }}">{{ l_open }}</a></p>
    <div class="overflow-auto" tabindex="0" role="region" aria-label="{{ item.milestones_of }}">
    <table class="striped">
      <caption class="visually-hidden">{{ item.milestones_of }}</caption>
      <thead>
        <tr>
          <th scope="col">{{ l_milestone }}</th>
          <th scope="col">{{ l_ends }}</th>
          <th scope="col">{{ l_status }}</th>
          <th scope="col">{{ l_latest }}</th>
          <th scope="col">{{ l_period }}</th>
          {% if item.reportable %}<th scope="col">{{ l_progress }}</th>{% endif %}
        </tr>
      </thead>
      <tbody>
        {% for row in item.milestones %}{# each row's link, dates and texts: computed by the view (accounts.work_views._displayed) #}
        <tr>
          <th scope="row"><a href="{{ row.progress_url }}">{{ row.milestone.number }}<span class="visually-hidden"> — {{ l_enter }}</span></a>
            <span class="deliverable">{{ row.deliverable }}</span></th>
          <td>{{ row.ends }}</td>
          <td>{% if row.marked %}<mark class="status status-{{ row.status }}">{{ row.status_label }}</mark>{% else %}<span class="status{{ row.status_class }}">{{ row.status_label }}</span>{% endif %}</td>
          <td>{{ row.latest_text }}</td>
          <td>{% if row.missing %}<mark>{{ l_missing }}</mark>{% else %}{{ l_nothing }}{% endif %}</td>
          {% if item.reportable %}<td><a href="{{ row.progress_url }}" class="report-progress">{{ l_report }}<span class="visually-hidden"> — {{ row.report_label }}</span></a></td>{% endif %}
        </tr>
        {% endfor %}
      </tbody>
    </table>
    </div>
  </details>
  {% endwith %}{% endfor %}
"""


@pytest.mark.parametrize("day", ["2019-08-15", "2021-03-01"])  # the plan running; ended (each commitment names its period)
@pytest.mark.parametrize("who", ["own", "poc"])
def test_my_works_rows_written_in_python_are_what_the_template_wrote(client, world, who, day):
    from django.template import engines

    from commitments.models import Agency

    plan = ActionPlan.objects.get(member=world.kg)
    agency = Agency.objects.create(member=world.kg, name='Office <of> "Data" & Co')
    tricky = CommitmentFactory(
        plan=plan, number=301, identifier="KG0301", lead_agency=agency, title="<b>Open & \"data\"</b> " * 12
    )
    MilestoneFactory(commitment=tricky, number="1.1", deliverable="Portal <script>alert('x')</script> & more " * 4)
    CommitmentFactory(plan=plan, number=302, identifier="KG0302", lead_agency=None)
    if who == "own":
        tricky.lead_agency = world.chamber
        tricky.save()
    template = engines["django"].from_string(_TEMPLATE_LOOP)
    signed_in = sign_in(client, getattr(world.users, who))
    with time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=dt.UTC), tick=False):
        for code in ("en", "ru", "ky"):
            with translation.override(code):
                response = signed_in.get(reverse("work:my_work") + "?page=999")  # the last page: KG0301 and KG0302
                assert response.status_code == 200
                context = response.context
                written = template.render(
                    {key: context[key] for key in ("work_page", "several_periods", "ended_plans")}
                )
            assert len(context["work_page"].object_list) >= 2
            assert bool(context["ended_plans"]) == (day == "2021-03-01")  # both kinds of first line
            assert "KG0301" in written and "&lt;b&gt;Open &amp; &quot;data&quot;" in written
            assert written == "  \n  \n  " + context["work_html"] + "\n"  # then the include, as before
            assert str(context["work_html"]) in response.text


# The review table's loop before "My work" wrote its rows in Python (issue #20).
_QUEUE_LOOP = """{% load i18n %}    {% for update in queue %}
    <tr>
      <td><a href="{{ update.milestone.commitment.get_absolute_url }}">{{ update.milestone.commitment.identifier }}</a>
        <small>{{ update.milestone.commitment.plan.member.name }}</small></td>
      <td>{{ update.milestone.number }} {{ update.milestone.deliverable|truncatechars:80 }}</td>
      <td>{{ update.period_start|date:"SHORT_DATE_FORMAT" }}–{{ update.period_end|date:"SHORT_DATE_FORMAT" }}</td>
      <td>{{ update.get_completion_display }}</td>
      <td>{% if update.author %}{{ update.author.get_full_name|default:update.author.get_username }}{% else %}{% translate "a deleted account" %}{% endif %}</td>
      <td>{{ update.updated_at|date:"DATE_FORMAT" }}</td>
    </tr>
    {% endfor %}
"""


@time_machine.travel(PINNED, tick=False)
def test_my_works_review_rows_written_in_python_are_what_the_template_wrote(client, world):
    from django.template import engines

    _grow(world, 3)  # more updates waiting
    waiting = ProgressUpdate.objects.filter(state=ProgressUpdate.State.SUBMITTED, milestone__commitment__plan__member=world.kg)
    tricky = waiting.order_by("updated_at", "pk").first()
    tricky.milestone.deliverable = "A <b>bold</b> & \"quoted\" deliverable, rather long " * 3
    tricky.milestone.save()
    ProgressUpdate.objects.filter(pk=tricky.pk).update(author=None)  # one row by a deleted account
    world.users.own.first_name, world.users.own.last_name = "Ann <&>", "O'Neil"
    world.users.own.save()
    template = engines["django"].from_string(_QUEUE_LOOP)
    signed_in = sign_in(client, world.users.poc)
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            response = signed_in.get(reverse("work:my_work"))
            assert response.status_code == 200
            queue = response.context["queue"]
            written = template.render({"queue": queue})
        assert len(queue) > 2 and {update.author is None for update in queue} == {True, False}
        assert "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;" in written
        assert written == "    " + response.context["queue_rows"] + "\n"
        assert str(response.context["queue_rows"]) in response.text


# The review queue's loop before its articles were written in Python (issue #20).
_REVIEW_LOOP = """{% load i18n %}{% translate "Reporting period" as l_period %}{% translate "Completion" as l_completion %}{% translate "As of" as l_as_of %}{% translate "Narrative" as l_narrative %}{% translate "Submitted by" as l_submitted %}{% translate "Evidence" as l_evidence %}{% translate "Comment (required to return)" as l_comment %}{% translate "Approve and publish" as l_approve %}{% translate "Return with comment" as l_return %}
{% for u in updates %}
<article>
  <header>
    <h2><a href="{{ u.milestone.commitment.get_absolute_url }}">{{ u.milestone.commitment.identifier }}</a>,
      {{ u.milestone_label }}</h2>
    <p>{{ u.milestone.deliverable|truncatewords:25 }}</p>
  </header>
  <dl class="facts">
    <dt>{{ l_period }}</dt><dd>{{ u.period_text }}</dd>
    <dt>{{ l_completion }}</dt><dd>{{ u.completion_label }}</dd>
    <dt>{{ l_as_of }}</dt><dd>{{ u.as_of_text }}</dd>
    <dt>{{ l_narrative }}</dt><dd>{{ u.narrative|linebreaksbr|default:"—" }}</dd>
    <dt>{{ l_submitted }}</dt><dd>{{ u.author|default:"—" }}, {{ u.submitted_at|date:"DATETIME_FORMAT" }}</dd>
    <dt>{{ l_evidence }}</dt>
    <dd>{% for item in u.evidence.all %}<a href="{{ item.get_absolute_url }}"{% if item.kind == "link" %} rel="noopener noreferrer"{% endif %}>{{ item }}</a>{% if not forloop.last %}; {% endif %}{% empty %}—{% endfor %}</dd>
  </dl>
  <form method="post" action="{% url 'commitments:review_progress' u.pk %}">
    {% csrf_token %}
    <input type="hidden" name="version" value="{{ u.version }}">
    <label for="comment-{{ u.pk }}">{{ l_comment }}</label>
    <textarea id="comment-{{ u.pk }}" name="comment" rows="2"></textarea>
    <div class="grid buttons">
      <button type="submit" name="action" value="approve">{{ l_approve }}</button>
      <button type="submit" name="action" value="return" class="secondary">{{ l_return }}</button>
    </div>
  </form>
</article>
{% empty %}
<p>{% translate "Nothing is waiting for review." %}</p>
{% endfor %}
"""


@time_machine.travel(PINNED, tick=False)
def test_the_review_queues_articles_written_in_python_are_what_the_template_wrote(client, world):
    from django.template import engines

    from commitments.models import Evidence
    from commitments.progress_rows import review_articles

    _grow(world, 2)
    waiting = ProgressUpdate.objects.filter(state=ProgressUpdate.State.SUBMITTED, milestone__commitment__plan__member=world.kg)
    first, second = waiting.order_by("submitted_at", "pk")[:2]
    first.milestone.deliverable = "A <b>bold</b> & \"quoted\" deliverable " * 8
    first.milestone.save()
    ProgressUpdate.objects.filter(pk=first.pk).update(narrative="Line <one> & two\nline 'three'\r\nfour")
    ProgressUpdate.objects.filter(pk=second.pk).update(author=None, narrative="")
    Evidence.objects.create(update=first, kind="link", url="https://example.org/a?b=1&c=<2>")
    Evidence.objects.create(update=first, kind="link", url="https://example.org/second")
    template = engines["django"].from_string(_REVIEW_LOOP)
    signed_in = sign_in(client, world.users.poc)
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            response = get_review_page(signed_in)
            assert response.status_code == 200
            updates = list(response.context["updates"])
            written = template.render({"updates": updates, "csrf_token": "T0KEN<&>"})
            ours = review_articles(updates, "T0KEN<&>")
        assert len(updates) > 2 and "&lt;b&gt;bold&lt;/b&gt; &amp;" in written and "<br>" in written
        assert written == "\n" + ours + "\n"
        assert str(response.context["articles"]).split('name="csrfmiddlewaretoken"')[0] in response.text
    # Nothing waiting: the same sentence as before.
    ProgressUpdate.objects.filter(pk__in=[u.pk for u in waiting]).update(state=ProgressUpdate.State.DRAFT)
    empty = get_review_page(signed_in)
    assert empty.status_code == 200
    assert "\n\n<p>Nothing is waiting for review.</p>\n\n" in empty.text


@time_machine.travel(PINNED, tick=False)
def test_my_works_first_sentence_ends_each_date_with_one_full_stop_in_every_language(client, world):
    """Russian and Kyrgyz dates end in "г." and "ж.": the sentence that closes on one adds no second stop."""
    signed_in = sign_in(client, world.users.poc)
    first = {}
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            response = signed_in.get(reverse("work:my_work"))
        assert response.status_code == 200
        first[code] = re.search(r"<h1>[^<]*</h1>\s*<p>([^<]*)</p>", response.text).group(1)
        assert ".." not in first[code], first[code]
    assert first["en"] == "Today is Aug. 15, 2019. The current reporting period runs from July 1, 2019 to Dec. 31, 2019."
    assert first["ru"] == "Сегодня 15 августа 2019 г. Текущий отчётный период длится с 1 июля 2019 г. по 31 декабря 2019 г."
    assert first["ky"] == "Бүгүн 15 Август 2019 ж. Учурдагы отчеттук мезгил 1 Июль 2019 ж. баштап 31 Декабрь 2019 ж. чейин."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Сегодня 7 декабря 2026 г..", "Сегодня 7 декабря 2026 г."),
        ("Бүгүн 7-декабрь 2026-ж.. Учурдагы мезгил 2027-ж. чейин.", "Бүгүн 7-декабрь 2026-ж. Учурдагы мезгил 2027-ж. чейин."),
        ("Wait... then go.", "Wait... then go."),  # an ellipsis stays
        ("Today is Dec. 7, 2026.", "Today is Dec. 7, 2026."),
    ],
)
def test_single_stops_makes_a_doubled_full_stop_one_and_keeps_safe_text_safe(text, expected):
    from django.utils.safestring import SafeData, mark_safe

    from ogp_portal.templatetags.sentences import single_stops

    assert single_stops(text) == expected and not isinstance(single_stops(text), SafeData)
    assert isinstance(single_stops(mark_safe(text)), SafeData)


@pytest.mark.parametrize(
    "commitments, milestones, size",
    [(52, 261, 9), (8, 40, 10), (3, 0, 20), (40, 40, 20), (10, 1000, 5), (1, 200, 5)],
)
def test_my_works_pages_hold_about_fifty_milestones(commitments, milestones, size):
    """A point of contact's 52 commitments with 261 milestones come 9 a page (~45 rows), not 20 (~100 rows)."""
    from commitments import workload

    assert workload.page_size(commitments, milestones) == size


@time_machine.travel(PINNED, tick=False)
def test_my_works_queries_compiled_once_follow_each_persons_scope_and_a_change_of_role(client, world):
    """Issue #20: "My work"'s SQL is compiled once per process and scope; a role given or taken changes what is read,
    and two people never share a scope's rows (the compiled queries kept from the earlier tests in this process)."""
    from commitments.models import Role
    from ogp_portal import compiled as compiled_module

    def page(user):
        client.force_login(user)
        response = client.get(reverse("work:my_work") + "?page=999")
        return response.context["work_page"].paginator.count, _identifiers(response.text), len(response.context["queue"])

    coordinator, poc = world.users.own, world.users.poc
    fresh = {}
    for user in (coordinator, poc):
        compiled_module._COMPILED.clear()
        fresh[user.pk] = page(user)
    assert page(coordinator) == fresh[coordinator.pk] and page(poc) == fresh[poc.pk]  # compiled, the same rows
    work = {key[0] if isinstance(key[0], str) else key[0][0]: entry for key, entry in compiled_module._COMPILED.items()}
    assert {"work-roles", "work-plans", "work-page", "work-milestones", "work-queue"} <= set(work)
    assert all(work[name].fast is not None for name in ("work-roles", "work-plans", "work-page", "work-milestones", "work-queue"))
    assert fresh[coordinator.pk][0] == 1 and fresh[poc.pk][0] > 1 and fresh[poc.pk][2] >= 1
    role = Role.objects.create(user=coordinator, member=world.kg, kind=Role.Kind.POINT_OF_CONTACT)
    coordinator.refresh_from_db()
    assert page(coordinator)[0] == fresh[poc.pk][0] and page(coordinator)[2] == fresh[poc.pk][2]  # now the member's
    role.delete()
    assert page(coordinator) == fresh[coordinator.pk]  # and back


# The page's content as its template wrote it before "My work" wrote it in Python (issue #20), the review table's
# include in place: rendered with the view's context, it must give the same bytes.
# (A string here, not a template file: the catalogs' extraction reads the project's .html files, not this.)
_CONTENT_TEMPLATE = """{% load i18n %}
<h1>{% translate "My work" %}</h1>
{% if period %}
{% load sentences %}{% blocktranslate trimmed with start=period.start|date:"DATE_FORMAT" end=period.end|date:"DATE_FORMAT" today=now|date:"DATE_FORMAT" asvar today_and_period %}
  Today is {{ today }}. The current reporting period runs from {{ start }} to {{ end }}.
{% endblocktranslate %}<p>{{ today_and_period|single_stops }}</p>
{% endif %}
{% for plan in ended_plans %}
<p>{% blocktranslate trimmed with title=plan.title end=plan.end_date|date:"DATE_FORMAT" %}
  The action plan “{{ title }}” ended on {{ end }}: its progress is reported for its last reporting period.
{% endblocktranslate %}</p>
{% endfor %}

<section aria-labelledby="roles-heading">
  <h2 id="roles-heading">{% translate "Your roles" %}</h2>
  {% if roles or is_administrator %}
  <ul>
    {% if is_administrator %}<li>{% translate "Administrator (OGP staff)" %} — <a href="{% url 'admin:index' %}">{% translate "administration" %}</a></li>{% endif %}
    {% for role in roles %}
    <li>{{ role.get_kind_display }}: <a href="{{ role.member.get_absolute_url }}">{{ role.member.name }}</a>{% if role.agency %}, {{ role.agency }}{% endif %}</li>
    {% endfor %}
  </ul>
  {% else %}
  <p>{% blocktranslate trimmed %}
    You have a civil-society account: you can follow and review the commitments of every member.
    Government coordinators and points of contact receive their roles from the OGP administrators.
  {% endblocktranslate %} <a href="{% url 'commitments:home' %}">{% translate "Browse the members and their commitments" %}</a></p>
  {% endif %}
  <p><a href="{% url 'accounts:password_change' %}">{% translate "Change your password" %}</a></p>
</section>

{% load engagement %}{% my_disputes request.user %}
{% load cocreation_links %}{% my_cocreation request.user %}

{% if may_review %}
<section aria-labelledby="review-heading">
  <h2 id="review-heading">{% blocktranslate trimmed count counter=queue_count %}{{ counter }} update to review{% plural %}{{ counter }} updates to review{% endblocktranslate %}</h2>
  {% if queue_count > queue|length %}<p>{% blocktranslate trimmed with shown=queue|length %}The {{ shown }} waiting longest:{% endblocktranslate %}</p>{% endif %}
  {% load i18n %}{% if queue %}
<div class="overflow-auto" tabindex="0" role="region" aria-label="{% translate 'Updates waiting for review' %}">
<table class="striped">
  <caption class="visually-hidden">{% translate "Updates waiting for review" %}</caption>
  <thead>
    <tr>
      <th scope="col">{% translate "Commitment" %}</th>
      <th scope="col">{% translate "Milestone" %}</th>
      <th scope="col">{% translate "Reporting period" %}</th>
      <th scope="col">{% translate "Completion" %}</th>
      <th scope="col">{% translate "Author" %}</th>
      <th scope="col">{% translate "Submitted" %}</th>
    </tr>
  </thead>
  <tbody>
    {# the rows: written by the view (accounts.views._queue_rows) #}{{ queue_rows }}
  </tbody>
</table>
</div>
{% if review_url %}<p><a href="{{ review_url }}" role="button">{% translate "Review these updates" %}</a></p>{% endif %}
{% else %}
<p>{% translate "No update is waiting for review." %}</p>
{% endif %}

</section>
{% endif %}

{% if may_import %}
<section aria-labelledby="import-heading">
  <h2 id="import-heading">{% translate "Action plans" %}</h2>
  <p><a href="{% url 'commitments:import_upload' %}">{% translate "Import an action plan" %}</a>:
    {% translate "a Word or plain-text file in OGP's commitment template, or the portal's CSV; you see every change before anything is saved." %}</p>
</section>
{% endif %}

{% if forums %}
<section aria-labelledby="forums-heading">
  <h2 id="forums-heading">{% translate "Forums you keep" %}</h2>
  <ul>{% for forum in forums %}<li><a href="{{ forum.get_absolute_url }}">{{ forum.name }}</a> ({{ forum.member.name }}) · <a href="{% url 'forums:meeting_new' forum.pk %}" class="schedule-meeting">{% translate "Schedule a meeting" %}</a></li>{% endfor %}</ul>
</section>
{% endif %}

{% if work_page %}
<section aria-labelledby="milestones-heading">
  <h2 id="milestones-heading">{% translate "Your commitments and milestones" %}</h2>
  <ul class="work-totals">
    <li>{% blocktranslate trimmed count counter=totals.overdue %}{{ counter }} milestone overdue{% plural %}{{ counter }} milestones overdue{% endblocktranslate %}</li>
    <li>{% blocktranslate trimmed count counter=totals.due %}{{ counter }} milestone due this period{% plural %}{{ counter }} milestones due this period{% endblocktranslate %}</li>
    <li>{% blocktranslate trimmed count counter=totals.missing %}{{ counter }} update missing for this period{% plural %}{{ counter }} updates missing for this period{% endblocktranslate %}</li>
  </ul>
  {% if work_page.has_other_pages %}<p>{% blocktranslate trimmed with first=work_page.start_index last=work_page.end_index total=work_page.paginator.count %}Commitments {{ first }}–{{ last }} of {{ total }}{% endblocktranslate %}</p>{% endif %}
  {# the commitments and their milestone tables: written by the view (accounts.views._work_html) #}
  {# each row's link, dates, texts and status: computed by the view (accounts.views._displayed) #}
  {{ work_html }}
  {% include "_pagination.html" with page=work_page %}
</section>
{% endif %}
"""


@pytest.mark.parametrize("day", ["2019-08-15", "2021-03-01"])  # the plan running; ended
@pytest.mark.parametrize("who", ["own", "poc", "civil", "secretariat", "admin", "other_poc"])
def test_my_works_content_written_in_python_is_what_its_template_wrote(client, world, who, day):
    from django.template import engines

    template = engines["django"].from_string(_CONTENT_TEMPLATE)
    signed_in = sign_in(client, getattr(world.users, who))
    if who == "secretariat":
        assert world.kg.forums.exists()  # the forums section is written too
    with time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=dt.UTC), tick=False):
        for code in ("en", "ru", "ky"):
            for page in ("", "?page=2", "?page=999"):
                with translation.override(code):
                    response = signed_in.get(reverse("work:my_work") + page)
                    assert response.status_code == 200
                    context = response.context
                    keys = ("period", "now", "ended_plans", "roles", "is_administrator", "may_review", "queue", "queue_count",
                            "queue_rows", "review_url", "may_import", "forums", "work_page", "totals", "work_html")
                    written = template.render({key: context[key] for key in keys}, response.wsgi_request)
                assert written == context["content"], (who, code, page)
                assert written in response.text


@pytest.mark.parametrize("identifier", ["KG0017", "XN00010038", "a b", "ключ", "a%b?c", "ZZ1357924680"])
@pytest.mark.parametrize("code", ["en", "ru", "ky"])
def test_my_works_progress_links_reversed_once_a_page_are_reverses(identifier, code):
    """Issue #20: the progress form's address is reversed once a page (``_progress_path``), then filled per commitment
    and milestone: exactly what ``reverse()`` gives, in every language, quoted identifiers included."""
    from accounts.work_views import _progress_path

    with translation.override(code):
        progress = _progress_path()
        for pk in (1, 178, 98765):
            assert progress(identifier)(pk) == reverse("commitments:progress", args=[identifier, pk])
