"""Public pages: member list, member, action plan and commitment, in three languages."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    ActionPlanFactory,
    ActivityFactory,
    AgencyFactory,
    CommitmentFactory,
    ForumFactory,
    LocalMemberFactory,
    MemberFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
)
from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Start each test in English: LocaleMiddleware leaves a request's language active in the thread."""
    with translation.override("en"):
        yield


@pytest.fixture
def kg():
    return MemberFactory()


@pytest.fixture
def bishkek(kg):
    return LocalMemberFactory(parent=kg)


@pytest.fixture
def plan(kg):
    plan = ActionPlanFactory(
        member=kg,
        title="National Action Plan 2018–2020",
        monitoring_body="Independent Reporting Mechanism",
        co_creation="Drafted with twelve civil-society organisations.",
        themes=["Fiscal openness", "Open data"],
        approval_act="Government Decree No. 360-r",
    )
    plan.lead_institutions.add(AgencyFactory(member=kg, name="Ministry of Economy"))
    return plan


@pytest.fixture
def commitment(plan):
    return CommitmentFactory(
        plan=plan,
        identifier="KG0017",
        title="Implement an auditing system with public participation",
        lead_agency=AgencyFactory(member=plan.member, name="Accounts Chamber", acronym="AC"),
        problem="Audits happen behind closed doors.",
        description="Open audits to citizens.",
        contribution="Citizens flag risks.",
        relevance="Public accountability.",
        additional_information="Linked to SDG 16.",
        expected_results="Audit reports with citizen input.",
        ogp_values=["civic_participation", "public_accountability"],
        themes=["Fiscal openness"],
        other_state_actors="Ministry of Finance",
        other_actors="Transparency International Kyrgyzstan",
        contact_name="Ulukbek Maripov",
        contact_title="Head of department",
        contact_email="esep@esep.kg",
        contact_phone="+996 312 323430",
    )


@pytest.fixture
def milestones(commitment):
    activity = ActivityFactory(
        commitment=commitment, number=2, title="Pilot public audits", expected_results="Two pilot audits."
    )
    first = MilestoneFactory(
        commitment=commitment,
        activity=activity,
        number="2.1",
        deliverable="Methodology adopted",
        budget_development_partners=True,
        budget_national=False,
        start_date=dt.date(2019, 3, 1),
        start_precision="month",
        end_date=dt.date(2019, 12, 1),
        end_precision="month",
    )
    second = MilestoneFactory(
        commitment=commitment,
        activity=activity,
        number="2.2",
        deliverable="Pilot audits held",
        start_date=dt.date(2019, 12, 1),
        start_precision="month",
        end_date=dt.date(2020, 8, 15),
        end_precision="day",
    )
    return first, second


def get(client, name, *args, lang="en"):
    with translation.override(lang):
        url = reverse(name, args=args)
    return client.get(url)


# --- member list --------------------------------------------------------------


def test_home_lists_national_members_with_their_local_members_nested(client, plan, bishkek):
    ActionPlanFactory(member=bishkek, title="Bishkek 2025")
    response = get(client, "commitments:home")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{bishkek.get_absolute_url()}"' in html
    assert f'href="{plan.member.get_absolute_url()}"' in html
    # Bishkek sits in a list nested inside Kyrgyz Republic's item.
    kg_item = html.index("Kyrgyz Republic")
    assert kg_item < html.index('class="nested-members"') < html.index("Bishkek")
    assert "Current plan:" in html and "Bishkek 2025" in html
    assert 'class="status status-active"' in html
    assert_strict_page(response)


def test_home_shows_names_and_titles_in_the_visitors_language_with_the_english_fallback(client, kg, bishkek):
    """The home page reads its rows as values, not models (issue #20): each name as the model's field gives it."""
    kg.name_ru = "Кыргызская Республика"
    kg.save()
    ActionPlanFactory(member=kg, title="Plan in English only")
    ActionPlanFactory(member=bishkek, title="Bishkek 2025", title_ru="Бишкек 2025")
    html = client.get("/ru/").content.decode()
    assert ">Кыргызская Республика</a>" in html and "Kyrgyz Republic</a>" not in html
    # Bishkek has no Russian name: the English one, marked as the fallback the template tag writes.
    assert '<span lang="en" class="fallback">Bishkek</span>' in html
    assert '<span lang="en" class="fallback">Plan in English only</span>' in html and ">Бишкек 2025</a>" in html
    local = client.get("/ru/?view=local").content.decode()
    # The national member's name in Russian, after the local member's.
    assert local.index('<span lang="en" class="fallback">Bishkek</span>') < local.index("Кыргызская Республика")
    kg.name_ru = ""
    kg.save()
    local = client.get("/ru/?view=local").content.decode()
    assert "Кыргызская Республика" not in local and local.count("Kyrgyz Republic") == 1


def test_the_home_pages_next_deadlines_are_the_five_open_ones_due_soonest_by_day_then_member_name():
    """ogp_portal.pages._next_deadlines: bounded by the fifth soonest day, ordered by day then name (issue #20)."""
    from ogp_portal.pages import _next_deadlines
    from tests.factories import AdminDeadlineFactory

    cycles = iter(range(100))

    def deadline(member, due_on, **fields):  # a cycle of its own (one deadline per member, kind and cycle)
        return AdminDeadlineFactory(member=member, due_on=due_on, cycle=f"C{next(cycles)}", **fields)

    today = dt.date(2026, 12, 7)
    names = {code: name for code, name in [("AA", "Zeta"), ("BB", "Alpha"), ("CC", "Mu"), ("DD", "Beta"), ("EE", "Omega")]}
    members = {code: MemberFactory(code=code, name=name, country=name) for code, name in names.items()}
    deadline(members["AA"], today - dt.timedelta(days=1))  # past
    deadline(members["BB"], today, met_on=today)  # met
    # Fewer than five open deadlines: every one of them, by day then member name.
    deadline(members["AA"], today + dt.timedelta(days=30))
    deadline(members["CC"], today + dt.timedelta(days=3))
    deadline(members["BB"], today + dt.timedelta(days=30))
    assert [(d.member.name, d.due_on) for d in _next_deadlines(today)] == [
        ("Mu", today + dt.timedelta(days=3)), ("Alpha", today + dt.timedelta(days=30)), ("Zeta", today + dt.timedelta(days=30)),
    ]
    # More than five: the fifth soonest day's deadlines compete by name; later days are left out.
    for code in ("DD", "EE", "CC"):
        deadline(members[code], today + dt.timedelta(days=30))
    deadline(members["DD"], today + dt.timedelta(days=31))
    assert [(d.member.name, d.due_on) for d in _next_deadlines(today)] == [
        ("Mu", today + dt.timedelta(days=3)),
        *[(name, today + dt.timedelta(days=30)) for name in ("Alpha", "Beta", "Mu")],
        ("Omega", today + dt.timedelta(days=30)),
    ]


def test_home_lists_a_local_member_without_a_national_member(client):
    LocalMemberFactory(parent=None, name="Lonely City", code="XXLC")
    response = get(client, "commitments:home")
    assert "Lonely City" in response.content.decode()


def test_home_lists_members_a_page_at_a_time_with_a_shareable_url_per_state(client, monkeypatch, bishkek):
    """Issue #12: at scale 10 (3,000 members) the home page does not render every member at once."""
    from ogp_portal import pages

    monkeypatch.setattr(pages, "MEMBERS_PER_PAGE", 2)
    MemberFactory(name="Armenia", code="AM", country="Armenia")
    MemberFactory(name="Zambia", code="ZM", country="Zambia")
    LocalMemberFactory(parent=None, name="Lonely City", code="XXLC")
    first = get(client, "commitments:home").content.decode()
    # National members first, by name; the OGP Local members nested under theirs.
    assert "Armenia" in first and "Kyrgyz Republic" in first and bishkek.name in first
    assert "Zambia" not in first and "Lonely City" not in first
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert "All members (5)" in first and "OGP Local members only (2)" in first
    second = client.get(reverse("commitments:home") + "?page=2").content.decode()
    assert "Zambia" in second and "Lonely City" in second and "Armenia" not in second
    local = client.get(reverse("commitments:home") + "?view=local")
    html = local.content.decode()
    assert bishkek.name in html and "Lonely City" in html and "Armenia" not in html
    assert "OGP Local member in Kyrgyz Republic" in html
    assert 'href="/?view=local" aria-current="page"' in html
    assert_strict_page(local)
    # A view or page that does not exist shows the first page, never an error.
    assert client.get(reverse("commitments:home") + "?view=nope&page=x").status_code == 200


def test_home_rows_escape_what_members_and_plans_are_called(client, kg):
    """The rows are built in the view (issue #20): every name is escaped as the template engine escaped it."""
    member = MemberFactory(name='Town <b>"&"</b>', code="AMP", country="Nowhere")
    ActionPlanFactory(member=member, title="Plan <i>&</i>")
    html = get(client, "commitments:home").content.decode()
    assert "<b>" not in html and "<i>&" not in html
    assert '<a href="/members/AMP/">Town &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;</a>' in html
    assert 'aria-label="Town &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;: compliance status Active"' in html
    assert "Plan &lt;i&gt;&amp;&lt;/i&gt;</a>" in html


@pytest.mark.parametrize("size", [1, 3])
def test_home_runs_a_constant_number_of_queries(client, django_assert_num_queries, kg, size):
    for i in range(size):
        national = MemberFactory(name=f"Country {i}", code=f"C{i}", country=f"Country {i}")
        ActionPlanFactory(member=national)
        for j in range(3):
            local = LocalMemberFactory(name=f"City {i}{j}", code=f"C{i}L{j}", parent=national)
            ActionPlanFactory(member=local)
            CommitmentFactory(plan=ActionPlanFactory(member=local, title="Later plan"))
    # nationals, their local members, orphans, plans, completions, overdue count, next deadlines
    with django_assert_num_queries(7):
        response = get(client, "commitments:home")
    assert response.status_code == 200


# --- member page --------------------------------------------------------------


def test_member_page_shows_its_plans_forums_and_local_members(client, plan, commitment, bishkek):
    forum = ForumFactory(member=plan.member)
    response = get(client, "commitments:member", "KG")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Kyrgyz Republic</h1>" in html
    assert f'href="{plan.get_absolute_url()}"' in html
    assert "1 commitment" in html
    assert f'href="{forum.get_absolute_url()}"' in html
    assert f'href="{bishkek.get_absolute_url()}"' in html
    assert_strict_page(response)


def test_member_page_of_a_local_member_links_back_to_its_national_member(client, bishkek):
    response = get(client, "commitments:member", "KGBSK")
    assert f'href="{bishkek.parent.get_absolute_url()}"' in response.content.decode()


def test_unknown_member_is_404(client, kg):
    assert get(client, "commitments:member", "NOPE").status_code == 404


def test_member_page_runs_a_constant_number_of_queries(client, django_assert_max_num_queries, plan, bishkek):
    for i in range(3):
        ActionPlanFactory(member=plan.member, title=f"Plan {i}")
        ForumFactory(member=plan.member, name=f"Forum {i}")
        CommitmentFactory(plan=plan)
    with django_assert_max_num_queries(5):  # 5th: the co-creation processes
        response = get(client, "commitments:member", "KG")
    assert response.status_code == 200


def test_member_page_shows_each_signed_in_visitor_their_own_follow_state_in_few_queries(
    client, django_assert_max_num_queries, plan, bishkek
):
    """Issue #20: the follow state is read in the member's own query; the fragments are shared, the button is not."""
    from django.contrib.auth import get_user_model

    from engagement import services as engagement

    follower = get_user_model().objects.create_user("follower", "follower@example.org", "x")
    other = get_user_model().objects.create_user("other", "other@example.org", "x")
    engagement.follow(plan.member, by=follower)
    client.force_login(follower)
    # Rendered whole (no page cache in tests): the user, the member with its follow state, its plans, forums, local
    # members, the roles and co-creation processes; the follow state was a query of its own.
    with django_assert_max_num_queries(7):
        html = get(client, "commitments:member", "KG").content.decode()
    assert "Stop following" in html and f'href="{plan.get_absolute_url()}"' in html
    client.force_login(other)
    html = get(client, "commitments:member", "KG").content.decode()
    assert "Follow: email me new updates" in html and "Stop following" not in html
    client.logout()
    html = get(client, "commitments:member", "KG").content.decode()
    assert "Sign in to follow by email" in html and "Stop following" not in html


# --- plan page ------------------------------------------------------------------


def test_plan_page_shows_the_plan_and_its_commitments(client, plan, commitment, milestones):
    response = get(client, "commitments:plan", plan.pk)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "National Action Plan 2018–2020",
        "Sept. 1, 2018",  # period start
        "Aug. 31, 2020",  # period end
        "Dec. 20, 2018",  # submitted on
        "Government Decree No. 360-r",
        "Ministry of Economy",
        "Independent Reporting Mechanism",
        "Drafted with twelve civil-society organisations.",
        "Fiscal openness",
        "KG0017",
        "Accounts Chamber (AC)",
    ):
        assert text in html, text
    assert f'href="{commitment.get_absolute_url()}"' in html
    assert 'data-label="Milestones">2' in html
    assert_strict_page(response)


def test_unknown_plan_is_404(client, db):
    assert get(client, "commitments:plan", 999999).status_code == 404


@pytest.mark.parametrize("size", [2, 6])
def test_plan_page_runs_a_constant_number_of_queries(client, django_assert_num_queries, plan, size):
    for _ in range(size):
        c = CommitmentFactory(plan=plan)
        for milestone in MilestoneFactory.create_batch(3, commitment=c):
            ProgressUpdateFactory(milestone=milestone)
    # plan, its lead institutions, commitments, milestones, published updates, published status reports
    with django_assert_num_queries(6):
        response = get(client, "commitments:plan", plan.pk)
    assert response.content.decode().count('data-label="Milestones">3') == size


# --- commitment page ------------------------------------------------------------


def test_commitment_page_shows_every_template_field(client, commitment, milestones):
    response = get(client, "commitments:commitment", "KG0017")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Implement an auditing system with public participation",
        "Audits happen behind closed doors.",
        "Open audits to citizens.",
        "Citizens flag risks.",
        "Public accountability.",
        "Linked to SDG 16.",
        "Audit reports with citizen input.",
        "Civic participation",
        "Public accountability",
        "Fiscal openness",
        "Accounts Chamber (AC)",
        "Ministry of Finance",
        "Transparency International Kyrgyzstan",
        "Ulukbek Maripov",
        "Head of department",
        'href="mailto:esep@esep.kg"',
        "+996 312 323430",
    ):
        assert text in html, text
    assert_strict_page(response)


def test_commitment_page_shows_activities_and_milestones_with_their_precision(client, commitment, milestones):
    html = get(client, "commitments:commitment", "KG0017").content.decode()
    assert "Activity 2: Pilot public audits" in html
    assert "Two pilot audits." in html
    assert "Methodology adopted" in html
    assert "Development partners&#x27; funds" in html
    assert "Within the national budget" in html
    # Month precision reads as a month, day precision as a full date.
    assert "March 2019" in html
    assert "December 2019" in html
    assert "Aug. 15, 2020" in html


def test_commitment_page_shows_published_progress_newest_first_and_no_draft(client, commitment, milestones):
    first, _second = milestones
    ProgressUpdateFactory(
        milestone=first, period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 6, 30), completion="limited"
    )
    ProgressUpdateFactory(
        milestone=first, period_start=dt.date(2019, 7, 1), period_end=dt.date(2019, 12, 31), completion="substantial"
    )
    ProgressUpdateFactory(
        milestone=first,
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 6, 30),
        completion="complete",
        narrative="Draft, not public yet.",
        state="draft",
        published_at=None,
    )
    html = get(client, "commitments:commitment", "KG0017").content.decode()
    assert html.index("completion-substantial\">Substantial</strong>") < html.index("completion-limited\">Limited</strong>")
    assert "Draft, not public yet." not in html
    assert "No published update yet" in html  # milestone 2.2


def test_milestones_outside_any_activity_are_listed_too(client, commitment):
    MilestoneFactory(commitment=commitment, number="9.9", deliverable="A loose deliverable")
    assert "A loose deliverable" in get(client, "commitments:commitment", "KG0017").content.decode()


def test_unknown_commitment_is_404(client, db):
    assert get(client, "commitments:commitment", "KG9999").status_code == 404


@pytest.mark.parametrize("size", [2, 4])
def test_commitment_page_runs_a_constant_number_of_queries(client, django_assert_num_queries, commitment, size):
    for n in range(1, size + 1):
        activity = ActivityFactory(commitment=commitment, number=n)
        for m in range(1, 4):
            milestone = MilestoneFactory(commitment=commitment, activity=activity, number=f"{n}.{m}")
            ProgressUpdateFactory(milestone=milestone)
    # commitment (with plan, member, lead agency), activities, milestones, published updates, their evidence,
    # published status report lines, civil-society reviews of the published updates (engagement)
    with django_assert_num_queries(7):
        response = get(client, "commitments:commitment", "KG0017")
    assert response.content.decode().count("completion-substantial\">Substantial</strong>") == size * 3


# --- languages ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_prefixed_pages_are_served_in_that_language(client, lang, commitment):
    response = get(client, "commitments:commitment", "KG0017", lang=lang)
    assert response.status_code == 200
    assert_strict_page(response, lang=lang)


def test_russian_page_falls_back_to_english_when_the_translation_is_empty(client, commitment):
    assert commitment.title_ru in ("", None)
    html = get(client, "commitments:commitment", "KG0017", lang="ru").content.decode()
    assert "Implement an auditing system with public participation" in html
    assert "Audits happen behind closed doors." in html


def test_russian_page_shows_the_russian_text_when_set(client, commitment):
    commitment.title_ru = "Внедрить систему аудита с участием общественности"
    commitment.problem_ru = "Аудиты проходят за закрытыми дверями."
    commitment.save()
    html = get(client, "commitments:commitment", "KG0017", lang="ru").content.decode()
    assert "Внедрить систему аудита с участием общественности" in html
    assert "Аудиты проходят за закрытыми дверями." in html
    assert "Implement an auditing system with public participation" not in html
    # The English page is unchanged.
    assert "Implement an auditing system" in get(client, "commitments:commitment", "KG0017").content.decode()


def test_every_page_offers_a_language_switcher_for_each_language(client, kg):
    html = get(client, "commitments:home").content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    for code in ("en", "ru", "ky"):
        assert f'name="language" value="{code}" lang="{code}"' in html
    assert 'aria-current="true">English</button>' in html


def next_field(html):
    return re.search(r'name="next" value="([^"]*)"', html).group(1)


@pytest.mark.parametrize(
    ("page_lang", "target", "expected"),
    [
        ("en", "ru", "/ru/commitments/KG0017/?tab=1"),
        ("en", "ky", "/ky/commitments/KG0017/?tab=1"),
        ("ru", "en", "/commitments/KG0017/?tab=1"),
        ("ru", "ky", "/ky/commitments/KG0017/?tab=1"),
    ],
)
def test_switching_language_returns_to_the_same_page_in_that_language(client, commitment, page_lang, target, expected):
    with translation.override(page_lang):
        url = reverse("commitments:commitment", args=["KG0017"])
    html = client.get(url + "?tab=1").content.decode()
    response = client.post(reverse("set_language"), {"language": target, "next": next_field(html)})
    assert response.status_code == 302
    assert response["Location"] == expected
    assert client.get(expected).status_code == 200


def test_pages_have_a_skip_link_to_main_content(client, kg):
    html = get(client, "commitments:home").content.decode()
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert html.count("<h1") == 1


# --- the real seed data ---------------------------------------------------------


def test_home_lists_the_seed_members(client, seed_data):
    html = get(client, "commitments:home").content.decode()
    assert "Kyrgyz Republic" in html
    assert "Bishkek" in html


def test_kg_plan_page_lists_its_18_commitments(client, seed_data):
    from commitments.models import ActionPlan

    plan = ActionPlan.objects.get(member__code="KG")
    html = get(client, "commitments:plan", plan.pk).content.decode()
    assert html.count('data-label="Identifier">KG') == 18


def test_accounts_chamber_commitment_shows_milestone_2_2_with_its_months(client, seed_data):
    from commitments.models import Commitment

    commitment = Commitment.objects.get(title="Implement an auditing system with public participation")
    html = get(client, "commitments:commitment", commitment.identifier).content.decode()
    row = html[html.index('data-label="Milestone">2.2</th>') :]
    row = row[: row.index("</tr>")]
    assert "December 2019" in row
    assert "August 2020" in row


def test_the_commitment_list_pages_keep_the_filters_in_each_page_link(client, seed_data, monkeypatch):
    import html

    from commitments import list_views as views

    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    first = client.get(reverse("commitments:list"), {"member": "KG", "sort": "identifier"})
    assert first.status_code == 200
    body = first.content.decode()
    assert 'rel="prev"' not in body
    next_link = html.unescape(re.search(r'href="([^"]+)" rel="next"', body).group(1))
    assert "member=KG" in next_link and "sort=identifier" in next_link and "page=2" in next_link
    second = client.get(reverse("commitments:list") + next_link)
    assert 'rel="prev"' in second.content.decode()
    assert "Page 2 of" in second.content.decode()
    first_ids = set(re.findall(r"KG\d{4}", body.split("<tbody>")[1].split("</tbody>")[0]))
    second_ids = set(re.findall(r"KG\d{4}", second.content.decode().split("<tbody>")[1].split("</tbody>")[0]))
    assert len(first_ids) == 5 and first_ids.isdisjoint(second_ids)


def test_the_commitment_list_counts_a_bounded_number_of_results(client, seed_data, monkeypatch):
    """Issue #20: a broad search counts at most COUNT_LIMIT rows and says there are more."""
    from commitments import list_views as views

    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    url = reverse("commitments:list")
    exact = client.get(url, {"member": "KG"}).content.decode()
    total = int(re.search(r"(\d+) commitments</h2>", exact).group(1))
    assert total > 10
    monkeypatch.setattr(views, "COUNT_LIMIT", 10)
    capped = client.get(url, {"member": "KG"})
    body = capped.content.decode()
    assert capped.status_code == 200
    assert "More than 10 commitments: narrow the search or the filters to see them all." in body
    assert "Page 1 of 2" in body  # the pages of the rows counted
    monkeypatch.setattr(views, "COUNT_LIMIT", total)
    assert f"{total} commitments</h2>" in client.get(url, {"member": "KG"}).content.decode()


@pytest.mark.parametrize("form", ["broad", "narrow"])
def test_a_searched_list_counts_its_matches_exactly_up_to_the_limit_whatever_part_matched(client, kg, monkeypatch, form):
    """Issue #20: the bounded count of a search reads the matches by their own text first (``search_subset``).

    Three commitments match "water" by their title, two by a milestone only, one by its lead agency's
    name: the count is exact up to COUNT_LIMIT and capped above it, whether or not the own-text
    matches alone pass the limit, in both forms of the search (PostgreSQL: broad and narrow).
    """
    from commitments import list_views as views
    from commitments import search

    monkeypatch.setattr(search, "BROAD_SEARCH_SHARE", 0 if form == "broad" else float("inf"))
    plan = ActionPlanFactory(member=kg)
    water_agency = AgencyFactory(member=kg, name="Water Resources Service")
    for n in range(3):
        CommitmentFactory(plan=plan, number=n + 1, identifier=f"KG10{n}", title=f"Clean water for district {n}")
    for n in range(2):
        by_milestone = CommitmentFactory(plan=plan, number=n + 10, identifier=f"KG20{n}", title=f"Roads {n}")
        MilestoneFactory(commitment=by_milestone, deliverable="Publish the water quality reports")
    CommitmentFactory(plan=plan, number=20, identifier="KG300", title="Irrigation budgets", lead_agency=water_agency)
    CommitmentFactory(plan=plan, number=21, identifier="KG400", title="Unrelated")
    url = reverse("commitments:list")

    def heading(limit):
        monkeypatch.setattr(views, "COUNT_LIMIT", limit)
        response = client.get(url, {"q": "water"})
        assert response.status_code == 200
        return re.search(r'<h2 id="results-heading">(.*?)</h2>', response.content.decode()).group(1)

    assert heading(1000) == "6 commitments"
    assert heading(6) == "6 commitments"
    assert heading(4).startswith("More than 4 commitments")  # three by their own text: the whole search is counted
    assert heading(2).startswith("More than 2 commitments")  # the own-text matches alone pass the limit


@pytest.mark.parametrize("form", ["broad", "narrow"])
def test_a_searched_lists_count_keeps_the_other_filters(client, kg, monkeypatch, form):
    """Issue #20: the count's own-text subset is read from the rows of the other filters (the search
    applied last), so another member's matches never make a filtered search "more than" the limit."""
    from commitments import list_views as views
    from commitments import search

    monkeypatch.setattr(search, "BROAD_SEARCH_SHARE", 0 if form == "broad" else float("inf"))
    armenia = MemberFactory(name="Armenia", code="AM", country="Armenia")
    for n in range(5):
        CommitmentFactory(plan=ActionPlanFactory(member=armenia), title=f"Clean water {n}")
    kg_plan = ActionPlanFactory(member=kg)
    CommitmentFactory(plan=kg_plan, number=1, identifier="KG101", title="Clean water for Osh")
    roads = CommitmentFactory(plan=kg_plan, number=2, identifier="KG102", title="Roads")
    MilestoneFactory(commitment=roads, deliverable="Water quality reports")
    CommitmentFactory(plan=kg_plan, number=3, identifier="KG103", title="Clean water")
    monkeypatch.setattr(views, "COUNT_LIMIT", 2)
    url = reverse("commitments:list")

    def heading(params):
        response = client.get(url, params)
        assert response.status_code == 200
        return re.search(r'<h2 id="results-heading">(.*?)</h2>', response.content.decode()).group(1)

    assert heading({"q": "water"}).startswith("More than 2 commitments")
    monkeypatch.setattr(views, "COUNT_LIMIT", 3)
    assert heading({"q": "water", "member": kg.code}) == "3 commitments"  # Armenia's five are not counted
    monkeypatch.setattr(views, "COUNT_LIMIT", 1)
    assert heading({"q": "water", "member": kg.code}).startswith("More than 1 commitment")


def test_the_lists_count_subset_is_within_the_filtered_search(kg, monkeypatch):
    """The FilterSet's count subset holds only rows of its results (same filters, own text) and tests the vector once."""
    from django.db import connection

    from commitments import search
    from commitments.filters import CommitmentFilterSet
    from commitments.models import Commitment
    from commitments.search import SEARCH_VECTOR_COLUMN

    armenia = MemberFactory(name="Armenia", code="AM", country="Armenia")
    other = CommitmentFactory(plan=ActionPlanFactory(member=armenia), title="Open data portal")
    plan = ActionPlanFactory(member=kg)
    own = CommitmentFactory(plan=plan, number=1, title="Open budget data", description="")
    by_milestone = CommitmentFactory(plan=plan, number=2, title="Roads", description="")
    MilestoneFactory(commitment=by_milestone, deliverable="Open data on roads")
    monkeypatch.setattr(search, "BROAD_SEARCH_SHARE", 0)  # PostgreSQL: the broad form, whose count reads the subset
    filterset = CommitmentFilterSet({"q": "open data", "member": kg.code}, queryset=Commitment.objects.all())
    assert set(filterset.qs.values_list("pk", flat=True)) == {own.pk, by_milestone.pk}
    subset = filterset.search_subset_qs
    assert set(subset.values_list("pk", flat=True)) == {own.pk}  # not Armenia's, not the milestone's
    assert other.pk not in set(filterset.unsearched_qs.values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        sql = str(subset.order_by().values("pk").query)
        assert sql.count(f'"{SEARCH_VECTOR_COLUMN}"') == 1  # the own-text test only, not the search's as well


def test_the_lists_count_walks_a_search_alone_in_key_order_and_counts_the_same(client, kg, monkeypatch):
    """With the search as the only filter the bounded count walks its subset by the primary key (the same rows
    every time, never the table's empty pages); with another filter the planner keeps its choice; the count
    is the same either way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commitments import list_views as views
    from commitments import search
    from commitments.filters import CommitmentFilterSet
    from commitments.models import Commitment

    plan = ActionPlanFactory(member=kg)
    for number in range(1, 6):
        CommitmentFactory(plan=plan, number=number, title=f"Open data {number}", description="")
    CommitmentFactory(plan=plan, number=6, title="Roads", description="")
    monkeypatch.setattr(search, "BROAD_SEARCH_SHARE", 0)  # PostgreSQL: the broad form, whose count reads the subset
    alone = CommitmentFilterSet({"q": "open data"}, queryset=Commitment.objects.all())
    assert alone.search_subset_in_key_order is True
    assert CommitmentFilterSet({"q": "open data", "member": kg.code}, queryset=Commitment.objects.all()).search_subset_in_key_order is False
    assert CommitmentFilterSet({"q": "open data", "sort": "-updated"}, queryset=Commitment.objects.all()).search_subset_in_key_order is True
    assert CommitmentFilterSet({"member": kg.code}, queryset=Commitment.objects.all()).search_subset_in_key_order is False
    url = reverse("commitments:list")

    def heading(params):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
        return re.search(r'<h2 id="results-heading">(.*?)</h2>', response.content.decode()).group(1), counts

    found, counts = heading({"q": "open data"})
    assert found == "5 commitments"
    if connection.vendor == "postgresql":  # the subset's walk: ORDER BY the key inside the bounded count
        assert len(counts) == 1 and "ORDER BY" in counts[0].split(") subset")[0], counts
    monkeypatch.setattr(views, "COUNT_LIMIT", 3)
    found, counts = heading({"q": "open data"})
    assert found.startswith("More than 3 commitments")
    found, counts = heading({"q": "open data", "member": kg.code})
    assert found.startswith("More than 3 commitments")
    if connection.vendor == "postgresql":
        assert "ORDER BY" not in counts[0].split(") subset")[0], counts


def test_the_search_subset_is_the_search_results_matched_by_their_own_text(kg):
    """``search_subset`` (the bounded count's first test) never holds a commitment the search does not find."""
    from commitments.models import Commitment
    from commitments.search import search_commitments, search_subset

    plan = ActionPlanFactory(member=kg)
    own = CommitmentFactory(plan=plan, number=1, title="Open budget data", description="")
    by_milestone = CommitmentFactory(plan=plan, number=2, title="Roads", description="")
    MilestoneFactory(commitment=by_milestone, deliverable="Open data on roads")
    CommitmentFactory(plan=plan, number=3, title="Open hearings", description="")
    everything = Commitment.objects.all()
    found = set(search_commitments(everything, "open data").values_list("pk", flat=True))
    subset = set(search_subset(everything, "open data").values_list("pk", flat=True))
    assert found == {own.pk, by_milestone.pk}
    assert subset == {own.pk}
    assert set(search_subset(everything, "").values_list("pk", flat=True)) == set(everything.values_list("pk", flat=True))


def test_the_commitment_list_offers_the_plans_and_agencies_of_the_chosen_member_only(client, kg):
    """Issue #12: 10,000 plans and 22,500 agencies at scale 10 are not options on every list page."""
    armenia = MemberFactory(name="Armenia", code="AM", country="Armenia")
    kg_commitment = CommitmentFactory(plan=ActionPlanFactory(member=kg, title="Kyrgyz plan"))
    am_commitment = CommitmentFactory(plan=ActionPlanFactory(member=armenia, title="Armenian plan"))
    url = reverse("commitments:list")
    plain = client.get(url).content.decode()
    assert 'name="plan"' not in plain and 'name="lead_agency"' not in plain
    assert "choose a member and apply" in plain
    assert f'<option value="{kg.code}">' in plain and f'<option value="{armenia.code}">' in plain  # every member
    chosen = client.get(url, {"member": kg.code}).content.decode()
    assert f'<option value="{kg.code}" selected>' in chosen
    assert "Kyrgyz plan" in chosen and "Armenian plan" not in chosen.split("<tbody>")[0]
    assert str(kg_commitment.lead_agency) in chosen and str(am_commitment.lead_agency) not in chosen
    assert "choose a member and apply" not in chosen
    # A shared link to a plan keeps working without a member: that plan is the one option, selected.
    linked = client.get(url, {"plan": am_commitment.plan_id})
    html = linked.content.decode()
    assert linked.status_code == 200
    assert f'<option value="{am_commitment.plan_id}" selected>' in html
    assert am_commitment.identifier in html and kg_commitment.identifier not in html
    assert_strict_page(linked)


# --- search in the visitor's language, with a note on where it matched (issue 18) ------------


@pytest.fixture
def chamber_commitment(kg):
    chamber = AgencyFactory(member=kg, name="Accounts Chamber", name_ru="Счетная палата Кыргызской Республики",
                            name_ky="Кыргыз Республикасынын Эсептөө палатасы")
    plan = ActionPlanFactory(member=kg)
    return CommitmentFactory(plan=plan, identifier="KG0017", title="Implement an auditing system", title_ru="", title_ky="",
                             lead_agency=chamber)


@pytest.mark.parametrize(
    ("url", "note"),
    [
        ("/ru/commitments/?q=Счетная+палата", "Найдено на языках: русский."),
        ("/ky/commitments/?q=Эсептөө", "Кыргызча"),
        ("/ru/commitments/?q=auditing", "английский"),
        ("/commitments/?q=auditing", "Matched in: English."),
    ],
)
def test_search_in_russian_or_kyrgyz_finds_translated_agency_names_and_says_where_it_matched(client, chamber_commitment, url, note):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "KG0017" in html
    found = re.search(r'<p class="search-note">([^<]*)</p>', html)
    assert found and note.lower() in found.group(1).lower(), found and found.group(1)


def test_a_russian_search_that_matched_only_english_text_says_so(client, chamber_commitment):
    html = client.get("/ru/commitments/?q=auditing").content.decode()
    note = re.search(r'<p class="search-note">([^<]*)</p>', html).group(1)
    assert note.startswith("Ничего не найдено на языке «Русский»")


def test_the_note_names_the_visitors_language_first(client, chamber_commitment):
    CommitmentFactory(plan=chamber_commitment.plan, identifier="KG0018", title="OGP portal", title_ru="Портал OGP")
    html = client.get("/ru/commitments/?q=OGP").content.decode()
    assert '<p class="search-note">Найдено на языках: Русский, Английский.</p>' in html


def test_the_note_reads_the_members_name_and_country_in_each_language(client, chamber_commitment):
    """Issue #20: the list tests the names of a row's agency and member in Python, on the names its page query reads."""
    member = chamber_commitment.plan.member
    member.name_ru, member.country_ru, member.name_ky, member.country_ky = "Кыргызская Республика", "Кыргызстан", "", "Кыргызстан"
    member.save()
    html = client.get("/ru/commitments/?q=кыргызская+кыргызстан").content.decode()
    assert "KG0017" in html
    assert '<p class="search-note">Найдено на языках: Русский.</p>' in html  # name and country, both Russian
    html = client.get("/ru/commitments/?q=кыргызстан").content.decode()
    note = re.search(r"<p class=\"search-note\">([^<]*)</p>", html)
    assert note and note.group(1) == "Найдено на языках: Русский, Кыргызский.", note and note.group(1)  # the country in both


def test_no_note_without_a_search(client, chamber_commitment):
    assert 'class="search-note"' not in client.get("/ru/commitments/").content.decode()


# --- the home page: each plan's standing and what is contested (issue 18) ---------------------


def test_home_shows_each_plans_standing_and_what_is_contested(client, kg):
    from django.utils import timezone

    from compliance.models import MemberStanding
    from engagement.models import Review
    from tests.factories import UserFactory

    plan = ActionPlanFactory(member=kg, title="Plan 2018-2020")
    disputed = CommitmentFactory(plan=plan, identifier="KG0001", completion="complete")
    CommitmentFactory(plan=plan, identifier="KG0002")
    milestone = MilestoneFactory(commitment=disputed)
    update = ProgressUpdateFactory(milestone=milestone, completion="complete")
    now = timezone.now()
    MemberStanding.objects.create(member=kg, status="contrary_to_process", open_findings=2, swept_at=now)
    Review.objects.create(update=update, author=UserFactory(), stance="dispute", comment="Not done.", created_at=now)
    html = get(client, "commitments:home").content.decode()
    assert "open findings: 2" in html  # the member's stored standing, as the sweep wrote it
    standing = re.search(r'<span class="plan-standing">(.*?)</span>', html, re.S).group(1)
    assert "2 commitments" in standing and "complete: 1" in standing
    assert f'href="/commitments/?plan={plan.pk}&amp;contested=true">contested: 1</a>' in standing
    assert re.search(r'\?contested=true"><strong>1</strong> commitment contested</a>', html)
    russian = get(client, "commitments:home", lang="ru").content.decode()
    assert "2 обязательства" in russian and "оспаривается: 1" in russian and "1</strong> обязательство оспаривается" in russian


def test_home_counts_no_contest_once_the_dispute_is_answered(client, kg):
    from django.utils import timezone

    from engagement.models import Review
    from tests.factories import UserFactory

    plan = ActionPlanFactory(member=kg)
    update = ProgressUpdateFactory(milestone=MilestoneFactory(commitment=CommitmentFactory(plan=plan)))
    now = timezone.now()
    Review.objects.create(update=update, author=UserFactory(), stance="dispute", comment="No.", created_at=now,
                          response="Here is the report.", responded_at=now)
    html = get(client, "commitments:home").content.decode()
    assert "contested: " not in html
    assert re.search(r'<strong>0</strong> commitments contested', html)


@pytest.mark.parametrize("lang", ["en", "ru", "ky"])
def test_bar_chart_labels_have_room_for_the_longest_label_in_the_visitors_language(lang):
    from commitments import timeline

    with translation.override(lang):
        chart = timeline.tally_chart("t", "u", ["none", "complete", "substantial", "not_started"])
        longest = max(len(str(bar.label)) for bar in chart.bars)
    # 12px labels, right-aligned 8 units before the bars: about 7.2 units a letter must fit.
    assert chart.label_width - 8 >= longest * 7.2
    assert chart.width == chart.label_width + chart.bar_area + 60


@pytest.mark.parametrize(("count", "russian", "kyrgyz"), [(18, "обязательств", "милдеттенме"), (21, "обязательство", "милдеттенме"), (3, "обязательства", "милдеттенме")])
def test_the_plan_headline_counts_commitments_in_russian_and_kyrgyz(client, kg, count, russian, kyrgyz):
    plan = ActionPlanFactory(member=kg)
    for number in range(1, count + 1):
        CommitmentFactory(plan=plan, identifier=f"KG{number:04d}", number=number)
    for lang, word in (("ru", russian), ("ky", kyrgyz)):
        html = get(client, "commitments:plan", plan.pk, lang=lang).content.decode()
        figures = re.search(r'<ul class="headline-figures">(.*?)</ul>', html, re.S).group(1)
        assert re.search(rf"<strong>{count}</strong>\s*{word}\s*</li>", figures), figures[:300]
        assert "commitments" not in figures


def test_the_lists_sort_select_marks_the_chosen_order_and_keeps_a_list_of_orders(client, kg):
    """The sort select (rendered in Python like the other filters, issue #20): every order, the chosen one
    selected, the default when none; several orders in one value (?sort=a,b) stay a text field."""
    url = reverse("commitments:list")
    body = client.get(url, {"sort": "-member"}).content.decode()
    select = re.search(r'<select name="sort"[^>]*>(.*?)</select>', body, re.S).group(1)
    values = re.findall(r'<option value="([^"]*)"', select)
    assert values == ["", "member", "-member", "number", "-number", "identifier", "-identifier", "title", "-title",
                      "end", "-end", "updated", "-updated", "overdue", "-overdue"]
    assert re.findall(r'<option value="([^"]*)" selected>', select) == ["-member"]
    assert '<option value="" selected>Member and number</option>' in client.get(url).content.decode()
    assert '<input type="text" name="sort" value="title,number" id="id_sort">' in client.get(url, {"sort": "title,number"}).content.decode()


@pytest.mark.parametrize(("lang", "member", "descending"), [("ru", "Участник", "по убыванию"), ("en", "Member", "descending")])
def test_the_lists_sort_select_says_descending_in_the_visitors_language(client, kg, lang, member, descending):
    """django-filter writes "(descending)" once, when the FilterSet is defined (in English): the labels
    follow the language of each request."""
    with translation.override(lang):
        url = reverse("commitments:list")
    body = client.get(url).content.decode()
    select = re.search(r'<select name="sort"[^>]*>(.*?)</select>', body, re.S).group(1)
    labels = dict(re.findall(r'<option value="([^"]*)">([^<]*)</option>', select))
    assert labels["-member"] == f"{member} ({descending})", labels
    assert labels["member"] == member
    if lang != "en":
        assert "descending" not in select


def _rows_from_instances(commitments):
    """The list's rows as session 8 wrote them from model instances (templatetags tr / name_of): the reference."""
    from html import escape

    from django.utils.formats import date_format
    from django.utils.timezone import template_localtime
    from django.utils.translation import gettext as _

    from commitments.templatetags.portal import name_of, tr
    from ogp_portal.paths import path_of

    label = {k: escape(str(t)) for k, t in (("identifier", _("Identifier")), ("title", _("Title")), ("plan", _("Action plan")),
             ("agency", _("Lead agency")), ("completion", _("Completion")), ("latest", _("Last published update")),
             ("overdue", _("Overdue milestones")), ("contested", _("Contested")), ("no_update", _("No approved update yet")))}
    commitment_url, plan_url = path_of("commitments:commitment"), path_of("commitments:plan")
    rows = []
    for c in commitments:
        contested = f' <strong class="contested-badge">{label["contested"]}</strong>' if c.contested else ""
        rollup = c.stored_rollup
        completion = f"{escape(str(rollup.get_level_display()))} ({rollup.percent} %)" if rollup.level else label["no_update"]
        latest = date_format(template_localtime(c.latest_update_at), "DATE_FORMAT") if c.latest_update_at else ""
        overdue = f'<span class="overdue-badge">{c.overdue_count}</span>' if c.overdue_count else "0"
        rows.append(
            "      <tr>\n"
            f'        <td data-label="{label["identifier"]}">{escape(c.identifier)}</td>\n'
            f'        <th scope="row" data-label="{label["title"]}"><a href="{escape(commitment_url(c.identifier))}">'
            f'{tr(c, "title")}</a>{contested}</th>\n'
            f'        <td data-label="{label["plan"]}"><a href="{escape(plan_url(c.plan_id))}">{name_of(c.plan.member)}</a>'
            f'<br><small>{tr(c.plan, "title")}</small></td>\n'
            f'        <td data-label="{label["agency"]}">{name_of(c.lead_agency)}</td>\n'
            f'        <td data-label="{label["completion"]}"><span class="completion completion-{escape(c.completion or "none")}">'
            f"{completion}</span></td>\n"
            f'        <td data-label="{label["latest"]}">{escape(latest or "—")}</td>\n'
            f'        <td data-label="{label["overdue"]}">{overdue}</td>\n'
            "      </tr>\n"
        )
    return "".join(rows)


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_lists_rows_from_plain_rows_are_byte_for_byte_those_of_the_model_instances(kg, language):
    """The list reads plain rows (issue #20): the same HTML as from instances through tr/name_of, fallbacks
    to English (marked), a missing lead agency, an acronym, the roll-up, a date, escaping."""
    from commitments import list_views as views
    from commitments.filters import CommitmentFilterSet
    from commitments.models import Commitment

    kg.name_ru, kg.name_ky = "Кыргызская Республика", ""
    kg.save()
    plan = ActionPlanFactory(member=kg, title="Plan <2020>", title_ru="План", title_ky="")
    agency = AgencyFactory(member=kg, name="Accounts & Audit", name_ru="", name_ky="Эсептөө палатасы", acronym="A&A")
    CommitmentFactory(plan=plan, identifier="KG0001", number=1, title="Open <data>", title_ru="", title_ky="Ачык маалымат",
                      lead_agency=agency, completion="substantial", completion_percent=67)
    CommitmentFactory(plan=plan, identifier="KG0002", number=2, title="Budget \"quotes\"", title_ru="Бюджет", lead_agency=None)
    milestone = MilestoneFactory(commitment=Commitment.objects.get(identifier="KG0002"), end_date=dt.date(2020, 1, 31))
    ProgressUpdateFactory(milestone=milestone, state="published", published_at=dt.datetime(2020, 3, 1, 12, tzinfo=dt.timezone.utc))
    with translation.override(language):
        filters = CommitmentFilterSet({}, queryset=Commitment.objects.select_related("plan__member", "lead_agency").only(*views.LIST_COLUMNS),
                                      today=dt.date(2021, 1, 1))
        expected = _rows_from_instances(list(filters.qs))
        assert "KG0002" in expected and ("fallback" in expected) == (language != "en")
        assert str(views._list_rows(filters.qs.values(*views.ROW_VALUES))) == expected


def test_the_matched_in_columns_test_each_word_in_the_title_or_description_or_all_in_one_milestone(kg):
    """Issue #20: the note's columns (one upper-cased copy of each column a row, every word tested against it)."""
    from commitments.models import Commitment
    from commitments.search import matched_languages, search_language_columns

    plan = ActionPlanFactory(member=kg)
    split = CommitmentFactory(plan=plan, number=1, title="Open hearings", description="Budget DATA", title_ru="", description_ru="")
    joined = CommitmentFactory(plan=plan, number=2, title="Roads", description="", title_ru="Дороги", description_ru="")
    MilestoneFactory(commitment=joined, deliverable="x", deliverable_ru="Открытые ДАННЫЕ о дорогах")
    apart = CommitmentFactory(plan=plan, number=3, title="Roads", description="", title_ru="", description_ru="")
    MilestoneFactory(commitment=apart, deliverable="open hearings", deliverable_ru="")
    MilestoneFactory(commitment=apart, deliverable="data", deliverable_ru="")
    across = CommitmentFactory(plan=plan, number=4, title="Open", description="", title_ru="данные", description_ru="")

    def languages(pk, text):
        row = Commitment.objects.filter(pk=pk).values("pk", **search_language_columns(text))[0]
        return matched_languages([row], text)

    assert languages(split.pk, "open data") == ["en"]
    assert languages(joined.pk, "открытые данные") == ["ru"]
    assert languages(apart.pk, "open data") == []  # the two words in two milestones: no match
    assert languages(across.pk, "open данные") == []  # one word in English, the other in Russian
    assert languages(split.pk, "") == []
