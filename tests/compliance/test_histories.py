"""Real procedural histories OGP published, entered through the admin's own forms over HTTP with CSRF,
and checked on the days of OGP's published decisions, on the administrators' page and with
``compliance_report --as-of`` (they must agree).

Sources (each history says which facts come from where):
* seed 000: OGP's letters to the Kyrgyz Republic of 9 March 2022 and 24 February 2023;
* opengovpartnership.org news "Turkey made inactive in the Open Government Partnership" (21 September
  2016) and "Government of Turkey leaves the Open Government Partnership" (2017); OGP's 2014 letter
  to Turkey as quoted by Joinup (4 May 2015): second NAP due 1 July 2014, not submitted as of
  1 November 2014, four months later; OGP's statement of 11 February 2014 on the missed September
  2013 self-assessment, as reported by FreedomInfo.org (3 May 2016);
* opengovpartnership.org news "Azerbaijan to maintain its inactive status" (29 June 2017) and the
  C&S Subcommittee minutes of 23–24 February 2016 as reported by FreedomInfo.org (9 March 2016);
* opengovpartnership.org news "Azerbaijan suspension extended; Bosnia and Herzegovina and Trinidad and
  Tobago designated inactive in OGP" (Steering Committee meeting of 5–6 December 2018);
* Montenegro and Bosnia and Herzegovina: the sources are in each test's docstring.
Only the facts those sources state are entered; where a source gives a meeting of several days, the
comment says which day was recorded.
"""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from commitments.models import Member
from compliance.models import Deadline, Decision, Finding, Letter, MemberStanding, StatusEvent

D = dt.date
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def admin(db, django_user_model):
    user = django_user_model.objects.create_superuser("ogp-admin", "admin@example.org", "a-long-password-123")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def submit(client, url, data, expect=302):
    """GET the admin form (reading its CSRF token), then POST it back as a browser would."""
    page = client.get(url)
    assert page.status_code == 200, url
    token = TOKEN.search(page.content.decode()).group(1)
    response = client.post(url, {**data, "csrfmiddlewaretoken": token})
    if response.status_code != expect:
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
        raise AssertionError(f"{url} answered {response.status_code}: {errors}")
    return response


def add_member(client, code, name, joined_on=""):
    submit(client, reverse("admin:commitments_member_add"), {
        "name_en": name, "code": code, "kind": "national", "country_en": name, "joined_on": joined_on,
    })
    return Member.objects.get(code=code)


def add_plan(client, member, title, start, end, submitted):
    submit(client, reverse("admin:commitments_actionplan_add"), {
        "member": member.pk, "title_en": title, "title": title, "start_date": start, "end_date": end,
        "submitted_on": submitted, "themes": "[]",
    })


def add_deadline(client, member, cycle, due_on, reason):
    url = reverse("admin:compliance_deadline_add") + f"?member={member.pk}"
    submit(client, url, {"member": member.pk, "kind": "action_plan", "cycle": cycle, "due_on": due_on, "reason": reason})


def add_decision(client, member, kind, decided_on, document, summary, due_on="", cycle=""):
    url = reverse("admin:compliance_decision_add") + f"?member={member.pk}"
    submit(client, url, {
        "member": member.pk, "kind": kind, "decided_on": decided_on, "cycle": cycle, "document": document,
        "summary": summary, "due_on": due_on, "met_on": "",
    })


def add_finding(client, member, effective_on, reason, reference, period=""):
    url = reverse("admin:compliance_finding_add") + f"?member={member.pk}"
    submit(client, url, {
        "member": member.pk, "kind": "contrary_to_process", "period": period, "effective_on": effective_on,
        "reason": reason, "reference": reference,
    })


def report(code, day):
    out = StringIO()
    call_command("compliance_report", "--as-of", day.isoformat(), "--member", code, "--json", stdout=out)
    [entry] = json.loads(out.getvalue())
    return entry


def page_status(client, code, day):
    html = client.get(reverse("compliance:admin_member", args=[code]), {"as_of": day.isoformat()}).content.decode()
    return re.search(r'data-what-if-status="([a-z_]+)"', html).group(1), re.findall(r'data-what-if-deadline="([^"]+)"', html)


def check(client, code, expected):
    """Each (day, status) on the page's what-if and in ``compliance_report --as-of``; both agree."""
    for day, status in expected:
        entry = report(code, day)
        on_page, deadlines = page_status(client, code, day)
        assert (day, entry["status"]) == (day, status)
        assert on_page == entry["status"]
        assert deadlines == [f"{d['kind']}:{d['due']}" for d in entry["next_deadlines"]]


def test_the_kyrgyz_republic_2022_2023_from_the_letters_of_seed_000(admin):
    kg = add_member(admin, "KG", "Kyrgyz Republic", "2017-11-21")
    add_plan(admin, kg, "National Action Plan 2018-2020", "2018-09-01", "2020-08-31", "")
    # The rules know the member's cycles; the administrator picks them from that list.
    html = admin.get(reverse("admin:compliance_deadline_add") + f"?member={kg.pk}").content.decode()
    assert all(f'value="{label}"' in html for label in ("2021-2023", "2022-2024", "2023-2025"))
    add_deadline(admin, kg, "2021-2023", "2021-12-31", "OGP letter of 9 March 2022")
    add_deadline(admin, kg, "2022-2024", "2022-12-31", "OGP letter of 9 March 2022")
    add_deadline(admin, kg, "2023-2025", "2023-12-31", "OGP letter of 24 February 2023")
    assert set(Deadline.objects.filter(member=kg, cycle__in=["2021-2023", "2022-2024"]).values_list("source", flat=True)) == {
        "administrator"
    }
    check(admin, "KG", [
        (D(2021, 12, 31), "active"),
        (D(2022, 1, 1), "contrary_to_process"),
        (D(2022, 3, 9), "contrary_to_process"),  # the first letter
        (D(2023, 1, 1), "under_review"),
        (D(2023, 2, 24), "under_review"),  # the second letter
        (D(2024, 1, 1), "inactive_recommended"),
    ])
    # The letters are dated documents attached to the status events they announce.
    event = StatusEvent.objects.get(member=kg, status="contrary_to_process")
    url = reverse("admin:compliance_letter_add") + f"?member={kg.pk}"
    submit(admin, url, {
        "member": kg.pk, "kind": "contrary_to_process", "dated": "2022-03-09", "document": "OGP letter of 9 March 2022",
        "status_event": event.pk, "decision": "", "summary": "",
    })
    assert Letter.objects.get(member=kg).status_event == event


def test_turkey_under_review_remedial_deadline_inactive_then_out(admin):
    tr = add_member(admin, "TR", "Turkey")  # joined April 2012: no day published, so none entered
    # OGP's 2014 letter: the second NAP was due 1 July 2014; more than four months late from 1 November 2014.
    add_deadline(admin, tr, "", "2014-07-01", "OGP letter to Turkey, 2014: second NAP due 1 July 2014")
    # OGP statement of 11 February 2014: the self-assessment due September 2013 was not delivered. A finding
    # names its cycle (issue 19): the rules offer the cycle before the first one they know, 2012-2014.
    add_finding(admin, tr, "2014-02-11", "Self-assessment report due September 2013 not delivered.",
                "OGP statement of 11 February 2014", period="2012-2014")
    # The Steering Committee resolution of 4 May 2016: a NAP by 1 September 2016, or inactive.
    add_decision(admin, tr, "sc_remedial_deadline", "2016-05-04", "Steering Committee resolution of 4 May 2016",
                 "Deliver a National Action Plan co-created with civil society by 1 September 2016.", due_on="2016-09-01")
    add_decision(admin, tr, "sc_inactive", "2016-09-21", "OGP news, 21 September 2016",
                 "Failed to deliver a National Action Plan since 2014.")
    add_decision(admin, tr, "sc_removal", "2017-09-21", "OGP news: Government of Turkey leaves OGP",
                 "Inactive for 12 months without re-engaging.")
    check(admin, "TR", [
        (D(2014, 2, 11), "contrary_to_process"),
        (D(2014, 10, 31), "contrary_to_process"),
        (D(2014, 11, 1), "under_review"),  # two consecutive cycles: the letter's "as of November 1, 2014"
        (D(2015, 3, 9), "under_review"),  # the C&S meeting Turkey was invited to, while under review
        # The 2015 plan (due 1 July 2015, 12 months on) never came: a further failure under review, and the
        # C&S recommended inactive status before the May 2016 meeting (FreedomInfo.org, 3 May 2016).
        (D(2016, 5, 3), "inactive_recommended"),
        (D(2016, 5, 4), "under_review"),  # the Steering Committee gave it until 1 September 2016 instead
        (D(2016, 9, 1), "under_review"),
        (D(2016, 9, 2), "inactive_recommended"),  # the remedial deadline passed
        (D(2016, 9, 21), "inactive"),
        (D(2017, 9, 21), "removed"),
    ])


def test_azerbaijan_response_policy_inactive_2016_maintained_2017(admin):
    # Only the Response Policy decisions are entered (no plans): the case was about civic space.
    az = add_member(admin, "AZ", "Azerbaijan")
    add_decision(admin, az, "css_inactive_recommended", "2016-02-24", "C&S Subcommittee minutes, 23–24 February 2016",
                 "Concerns on the operating environment for civil society found valid (recorded on the meeting's last day).")
    add_decision(admin, az, "sc_inactive", "2016-05-04", "Steering Committee resolution, Cape Town, 4 May 2016",
                 "Unresolved constraints on the operating environment for NGOs.")
    add_decision(admin, az, "sc_inactive", "2017-06-28", "Steering Committee resolution of 28 June 2017",
                 "Inactive status maintained for a second year.")
    check(admin, "AZ", [
        (D(2016, 2, 23), "active"),
        (D(2016, 2, 24), "inactive_recommended"),
        (D(2016, 5, 3), "inactive_recommended"),
        (D(2016, 5, 4), "inactive"),
        (D(2017, 6, 28), "inactive"),
        (D(2018, 6, 27), "inactive"),
    ])


def test_trinidad_and_tobago_made_inactive_in_december_2018(admin):
    """OGP news "Azerbaijan suspension extended; Bosnia and Herzegovina and Trinidad and Tobago designated
    inactive in OGP" (Steering Committee meeting of 5–6 December 2018); OGP's "Letters and Responses" page lists,
    for December 2019 (no day), the letter informing the Government of Trinidad and Tobago of its withdrawal
    from OGP, after the twelve months inactive the rules allow. Its earlier cycles are not published with days."""
    member = add_member(admin, "TT", "Trinidad and Tobago")
    # Steering Committee meeting of 5–6 December 2018; the decision is recorded on its last day.
    add_decision(admin, member, "sc_inactive", "2018-12-06", "OGP news: designated inactive, December 2018",
                 "Procedural Review case: designated inactive by the Steering Committee.")
    check(admin, "TT", [(D(2018, 12, 5), "active"), (D(2018, 12, 6), "inactive"), (D(2019, 12, 6), "removal_recommended")])


def test_bosnia_and_herzegovina_first_plan_late_2015_then_inactive_2018(admin):
    """Bosnia and Herzegovina, 2014–2018:

    * joined 24 September 2014 (Government of BiH, PARCO: https://parco.gov.ba/en/partnerstvo-za-otvorenu-vlast/);
    * its first plan was due by the end of June 2015 (OGP news "Letters Sent to Countries Encouraging Submission
      of Action Plans": the 2015 plans "were due by the end of June, 2015", and "Bosnia and Herzegovina received
      a letter because they have not submitted their NAP within four months of the due date"; reported by
      FreedomInfo.org on 28 January 2016, http://www.freedominfo.org/2016/01/ogp-examines-membership-of-kenya-malawi-montenegro/);
    * designated inactive by the Steering Committee at its meeting of 5–6 December 2018 (OGP news above).

    Not published with days, so not entered: the 2016 and 2017 deadlines (the rules compute them, 12 months
    after each missed one), the C&S steps, the day in 2019 its first plan was published. Checked: the letter
    (as reported on 28 January 2016) and the Steering Committee's decision.
    """
    ba = add_member(admin, "BA", "Bosnia and Herzegovina", "2014-09-24")
    add_deadline(admin, ba, "", "2015-06-30", "OGP news, 2015: first NAP due by the end of June 2015")
    add_decision(admin, ba, "sc_inactive", "2018-12-06", "OGP news: designated inactive, December 2018",
                 "Procedural Review case: designated inactive by the Steering Committee (meeting of 5-6 December 2018).")
    check(admin, "BA", [
        (D(2015, 6, 30), "active"),
        (D(2016, 1, 28), "contrary_to_process"),  # more than four months late: OGP's letter, as reported
        # The rules' reading of the unpublished 2016 and 2017 cycles: a procedural review case recommended inactive.
        (D(2018, 12, 5), "inactive_recommended"),
        (D(2018, 12, 6), "inactive"),
    ])
    assert report("BA", D(2015, 6, 30))["next_deadlines"][0]["due"] == "2015-06-30"


def test_an_administrators_finding_is_resolved_only_by_an_administrator_with_a_reason(admin):
    kg = add_member(admin, "KG", "Kyrgyz Republic", "2017-11-21")
    add_plan(admin, kg, "National Action Plan 2018-2020", "2018-09-01", "2020-08-31", "2018-08-31")
    add_finding(admin, kg, "2019-03-01", "The forum did not meet for seven months.", "IRM report", period="2018-2020")
    finding = Finding.objects.get(member=kg, source="administrator")
    assert finding.resolved_on is None
    assert MemberStanding.objects.get(member=kg).status != "active"  # the sweep ran, and left it open
    url = reverse("admin:compliance_finding_resolve", args=[finding.pk])
    submit(admin, url, {"resolved_on": "2019-06-01", "resolution": ""}, expect=400)
    submit(admin, url, {"resolved_on": "2019-06-01", "resolution": "The forum met on 20 May 2019."})
    finding.refresh_from_db()
    assert (finding.resolved_on, finding.resolution) == (D(2019, 6, 1), "The forum met on 20 May 2019.")
    check(admin, "KG", [(D(2019, 3, 1), "contrary_to_process"), (D(2019, 6, 1), "active")])


def test_the_admin_offers_only_what_the_rules_judge_and_keeps_sweep_rows_read_only(admin):
    kg = add_member(admin, "KG", "Kyrgyz Republic", "2017-11-21")
    add_plan(admin, kg, "National Action Plan 2018-2020", "2018-09-01", "2020-08-31", "")
    html = admin.get(reverse("admin:compliance_deadline_add") + f"?member={kg.pk}").content.decode()
    # Issue 19.4: a self-assessment deadline is judged (2012–2021 eras), so it is offered; the others are not.
    assert 'value="self_assessment"' in html and 'value="forum_meeting"' not in html and 'name="source"' not in html
    assert 'value="2021-2023"' in html  # the member's cycles
    from compliance import services

    services.recompute_member(kg.pk)
    rule_row = Deadline.objects.filter(member=kg, source="rule").first()
    html = admin.get(reverse("admin:compliance_deadline_change", args=[rule_row.pk])).content.decode()
    assert 'name="due_on"' not in html  # read-only
    event = StatusEvent.objects.filter(member=kg).first()
    html = admin.get(reverse("admin:compliance_statusevent_change", args=[event.pk])).content.decode()
    assert 'name="status"' not in html
    # A plan with neither a start nor a submission date is refused with a message, not ignored.
    response = submit(admin, reverse("admin:commitments_actionplan_add"), {
        "member": kg.pk, "title_en": "Undated", "title": "Undated", "start_date": "", "end_date": "",
        "submitted_on": "", "themes": "[]",
    }, expect=200)
    assert "Give the day the plan was submitted" in response.content.decode()


def test_a_remedial_deadline_without_its_date_is_refused_with_a_message(admin):
    tr = add_member(admin, "TR", "Turkey")
    url = reverse("admin:compliance_decision_add") + f"?member={tr.pk}"
    response = submit(admin, url, {
        "member": tr.pk, "kind": "sc_remedial_deadline", "decided_on": "2016-05-04", "cycle": "",
        "document": "Steering Committee resolution of 4 May 2016", "summary": "A plan by 1 September 2016.",
        "due_on": "", "met_on": "",
    }, expect=200)
    assert "A remedial deadline needs its date." in response.content.decode()
    assert not Decision.objects.filter(member=tr).exists()


def test_montenegro_three_missed_cycles_inactive_2017_reactivated_2018(admin):
    """Montenegro, 2014–2018, from what OGP and the government published:

    * FreedomInfo.org, "OGP Cautions 12 Countries Tardy on Their Commitments" (2 December 2014,
      http://www.freedominfo.org/2014/12/ogp-cautions-12-countries-tardy-commitments/): letters to ten
      countries, Montenegro among them, that had not submitted their action plan "within four months of
      the July 1 due date" (2014); the same letters on ogpblog.wordpress.com (5 December 2014);
    * OGP news "Letters Sent to Countries Encouraging Submission of Action Plans"
      (https://opengovpartnership.org/stories/letters-sent-to-countries-encouraging-submission-of-action-plans-2):
      the 2015 plans "were due by the end of June, 2015"; more than four months late is contrary to process;
    * FreedomInfo.org, "OGP Examines Membership of Kenya, Malawi, Montenegro" (28 January 2016,
      http://www.freedominfo.org/2016/01/ogp-examines-membership-of-kenya-malawi-montenegro/): deadlines
      missed in 2014 and 2015; OGP's letters of 7 January 2016 gave a new deadline of 1 July 2016;
    * OGP news "Montenegro Designated as Inactive in the Open Government Partnership" (Washington, D.C.,
      29 June 2017, https://www.opengovpartnership.org/news/montenegro-designated-as-inactive-in-the-open-government-partnership/):
      contrary to process for three consecutive cycles; at most one year to publish a plan;
    * OGP's "Letters and Responses" page (https://www.opengovpartnership.org/about/who-we-are/steering-committee/letters-and-responses/):
      Montenegro's letter of commitment and the C&S response, both 28 June 2018;
    * Government of Montenegro, "Montenegro regained active status in the Open Government Partnership"
      (https://www.otvorenauprava.me/en/news/montenegro-regained-active-status-in-the-open-government-partnership-ogp/),
      quoting OGP's CEO: active again "effective as of 20 November 2018".

    Not published, so not entered: the day Montenegro joined (cohort 2, 2012), the days in November 2015
    when the C&S took up the case and when it recommended inactive status, the day the 2018–2020 plan was
    submitted. Only days the sources give are checked.
    """
    me = add_member(admin, "ME", "Montenegro")
    add_deadline(admin, me, "", "2014-07-01", "FreedomInfo.org, 2 December 2014: second NAP due 1 July 2014")
    add_deadline(admin, me, "", "2015-06-30", "OGP news: 2015 plans due by the end of June 2015")
    add_deadline(admin, me, "", "2016-07-01", "OGP letter of 7 January 2016: new deadline 1 July 2016")
    # The news is datelined 29 June 2017; the resolution's own day is not published apart from it.
    add_decision(admin, me, "sc_inactive", "2017-06-29", "OGP news, 29 June 2017",
                 "Acted contrary to process for three consecutive cycles; no plan since November 2014.")
    add_decision(admin, me, "sc_reactivation", "2018-11-20", "Letter of OGP's CEO: active as of 20 November 2018",
                 "The Government adopted its 2018-2020 action plan.")
    check(admin, "ME", [
        (D(2014, 10, 31), "active"),
        (D(2014, 11, 1), "contrary_to_process"),  # more than four months after 1 July 2014: the first warning
        (D(2016, 1, 7), "under_review"),  # the 2015 plan missed too: the C&S reviews it (letters of 7 January 2016)
        (D(2017, 6, 28), "inactive_recommended"),  # the third cycle (due 1 July 2016) missed while under review
        (D(2017, 6, 29), "inactive"),
        (D(2018, 6, 28), "inactive"),  # the C&S answered Montenegro's letter of commitment: still inactive
        (D(2018, 11, 20), "active"),
    ])
    assert report("ME", D(2016, 1, 7))["next_deadlines"][0]["due"] == "2016-07-01"
    # OGP's letter of 7 January 2016 is attached to the status event it announced.
    # (The 2018-2020 plan's submission day is not entered, so the rules fail later cycles again after 2018.)
    event = StatusEvent.objects.filter(member=me, status="under_review").order_by("effective_on").first()
    assert D(2015, 7, 1) <= event.effective_on <= D(2016, 1, 7)
    submit(admin, reverse("admin:compliance_letter_add") + f"?member={me.pk}", {
        "member": me.pk, "kind": "under_review", "dated": "2016-01-07", "document": "OGP letter of 7 January 2016",
        "status_event": event.pk, "decision": "", "summary": "A new deadline of 1 July 2016.",
    })
    assert Letter.objects.get(member=me).status_event == event


def test_nothing_accepted_is_silently_ignored(admin):
    """Issue #7 point 5, clause by clause, through the admin's forms over HTTP with CSRF."""
    from django.core.exceptions import ValidationError

    from commitments.models import ActionPlan
    from compliance import services

    kg = add_member(admin, "KG", "Kyrgyz Republic", "2017-11-21")
    add_plan(admin, kg, "National Action Plan 2018-2020", "2018-09-01", "2020-08-31", "")
    url = reverse("admin:compliance_deadline_add") + f"?member={kg.pk}"
    # A deadline kind the rules do not judge by a hand-set date is not offered, and a forged one is refused.
    for kind in ("status_update", "forum_meeting", "remedial"):  # (a self-assessment is judged since issue 19.4)
        response = submit(admin, url, {"member": kg.pk, "kind": kind, "cycle": "", "due_on": "2021-12-31",
                                       "reason": "Forged kind"}, expect=200)
        assert "Select a valid choice" in response.content.decode()
    assert not Deadline.objects.filter(member=kg, source="administrator").exists()
    # The source cannot be chosen: a forged "rule" is still the administrator's deadline.
    submit(admin, url, {"member": kg.pk, "kind": "action_plan", "cycle": "2021-2023", "due_on": "2021-12-31",
                        "reason": "OGP letter of 9 March 2022", "source": "rule"})
    mine = Deadline.objects.get(member=kg, cycle="2021-2023")
    assert (mine.source, mine.due_on) == ("administrator", D(2021, 12, 31))
    # The sweep recomputes; the administrator's row stays, unchanged.
    services.recompute_member(kg.pk)
    mine.refresh_from_db()
    assert (mine.source, mine.due_on) == ("administrator", D(2021, 12, 31))
    # A deadline the rules use for no cycle is saved, and the administrator is told so.
    response = admin.get(url)
    token = TOKEN.search(response.content.decode()).group(1)
    response = admin.post(url, {"member": kg.pk, "kind": "action_plan", "cycle": "", "due_on": "2017-01-01",
                                "reason": "Before joining", "csrfmiddlewaretoken": token}, follow=True)
    assert "use this deadline for none of the member" in response.content.decode()
    # Rows the sweep owns are read-only: a rule deadline can be neither changed nor deleted.
    rule_row = Deadline.objects.filter(member=kg, source="rule").first()
    assert rule_row is not None
    change = reverse("admin:compliance_deadline_change", args=[rule_row.pk])
    page = admin.get(change).content.decode()
    assert 'name="due_on"' not in page
    delete = admin.get(reverse("admin:compliance_deadline_delete", args=[rule_row.pk]))
    assert delete.status_code == 403
    before = (rule_row.due_on, rule_row.source)
    rule_row.refresh_from_db()
    assert (rule_row.due_on, rule_row.source) == before
    event = StatusEvent.objects.filter(member=kg).first()
    assert admin.get(reverse("admin:compliance_statusevent_delete", args=[event.pk])).status_code == 403
    assert admin.get(reverse("admin:compliance_statusevent_add")).status_code == 403
    # A remedial deadline "met" after its date would be ignored by the rules: it is refused with a message.
    response = submit(admin, reverse("admin:compliance_decision_add") + f"?member={kg.pk}", {
        "member": kg.pk, "kind": "sc_remedial_deadline", "decided_on": "2024-03-01", "cycle": "",
        "document": "Resolution", "summary": "A plan by 1 September 2024.", "due_on": "2024-09-01", "met_on": "2024-10-01",
    }, expect=200)
    assert "A remedial deadline is met between the decision and its date" in response.content.decode()
    assert not Decision.objects.filter(member=kg).exists()
    # A plan with neither a start nor a submission date is refused by the model too (every path saves through it).
    with pytest.raises(ValidationError) as refused:
        ActionPlan(member=kg, title="Undated", title_en="Undated").full_clean()
    assert "submitted_on" in refused.value.message_dict


def test_the_admin_offers_only_the_members_own_status_events_and_cycles(admin):
    me = add_member(admin, "ME", "Montenegro")
    add_deadline(admin, me, "", "2014-07-01", "FreedomInfo.org, 2 December 2014: second NAP due 1 July 2014")
    kg = add_member(admin, "KG", "Kyrgyz Republic", "2017-11-21")
    add_plan(admin, kg, "National Action Plan 2018-2020", "2018-09-01", "2020-08-31", "")
    from compliance import services

    services.recompute_member(kg.pk)
    theirs = set(StatusEvent.objects.filter(member=kg).values_list("pk", flat=True))
    mine = set(StatusEvent.objects.filter(member=me).values_list("pk", flat=True))
    assert theirs and mine
    html = admin.get(reverse("admin:compliance_letter_add") + f"?member={me.pk}").content.decode()
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', html.split('name="status_event"')[1].split("</select>")[0])}
    assert offered == mine
    html = admin.get(reverse("admin:compliance_decision_add") + f"?member={me.pk}").content.decode()
    from compliance.models import Cycle

    offered = set(re.findall(r'<option value="(\d{4}-\d{4})"', html.split('name="cycle"')[1].split("</select>")[0]))
    # Montenegro's own cycles (issue 19: ``services.member_cycles``, with the cycle before the first one the rules know).
    assert offered == set(services.member_cycles(me)) >= set(Cycle.objects.filter(member=me).values_list("label", flat=True))
    assert not offered & set(services.member_cycles(kg)) - set(Cycle.objects.filter(member=me).values_list("label", flat=True))


def test_a_members_own_policy_with_a_kind_is_refused_not_ignored(admin):
    """The rules read a member's own policy for that member whatever "applies to" says: the form refuses it."""
    from compliance.models import Policy

    me = add_member(admin, "ME", "Montenegro")
    response = submit(admin, reverse("admin:compliance_policy_add"), {
        "member": me.pk, "applies_to": "local", "effective_from": "2016-01-07", "forum_cadence_months": 3,
        "update_cadence_months": 6, "deadline_rule": "calendar_2015", "under_review_after_cycles": 2,
        "inactive_after_years_without_plan": 3, "removal_after_inactive_months": 12, "first_plan_months": 12,
        "grace_days": 0, "reason": "OGP letter of 7 January 2016",
    }, expect=200)
    assert "applies to that member only" in response.content.decode()
    assert not Policy.objects.filter(member=me).exists()
