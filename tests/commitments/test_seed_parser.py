"""The seed parser against the real seed documents (no database needed).

Run alone with:  .venv/bin/python -m pytest tests/commitments/test_seed_parser.py -p no:django -q -o addopts=""
"""

from pathlib import Path

import pytest

from commitments.management.commands.build_seed_fixtures import build_fixtures, write_fixtures
from commitments.seed_parser import (
    SeedFormatError,
    parse_date,
    parse_letters,
    parse_local_plan,
    parse_national_plan,
    render_json,
    strip_tooltips,
)

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "fixtures" / "seeds"
FIXTURES = REPO / "fixtures"

# Milestones per commitment, counted by hand in seed 001 (commitment 15's last
# milestone is numbered "37.1" in the seed, under Activity 4).
EXPECTED_MILESTONES = [9, 8, 8, 5, 6, 5, 9, 3, 4, 9, 4, 5, 2, 8, 10, 5, 3, 7]
EXPECTED_ACTIVITIES = [3, 4, 4, 3, 2, 2, 4, 1, 2, 2, 1, 2, 1, 2, 4, 1, 2, 1]



def _seed(prefix):
    (path,) = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def national():
    return parse_national_plan(_seed("001"))


@pytest.fixture(scope="module")
def bishkek():
    return parse_local_plan(_seed("003"))


@pytest.fixture(scope="module")
def letters():
    return parse_letters(_seed("000"))


def _commitment(plan, title):
    (commitment,) = [c for c in plan["commitments"] if c["title"] == title]
    return commitment


def _milestone(commitment, number):
    (milestone,) = [m for a in commitment["activities"] for m in a["milestones"] if m["number"] == number]
    return milestone


def _walk_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_strings(item)


# -- dates -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("October 2018", "2018-10"),
        ("August  2020 ", "2020-08"),
        ("July 1, \n2019", "2019-07-01"),
        ("August 31,  2020", "2020-08-31"),
        ("31 December 2021", "2021-12-31"),
        ("December 31, 2023", "2023-12-31"),
        ("17th January 2025", "2025-01-17"),
        ("Dec 2025", "2025-12"),
    ],
)
def test_parse_date_keeps_the_seed_precision(text, expected):
    assert parse_date(text) == expected


def test_parse_date_rejects_non_dates():
    with pytest.raises(SeedFormatError):
        parse_date("Development partners’ funds")


# -- national plan (seed 001) ---------------------------------------------------

def test_eighteen_commitments_in_seed_order(national):
    commitments = national["commitments"]
    assert len(commitments) == 18
    assert [c["number"] for c in commitments] == list(range(1, 19))
    assert [c["identifier"] for c in commitments] == [f"KG{n:04d}" for n in range(1, 19)]
    assert commitments[0]["title"] == "Implementation and promotion of open data policy in the Kyrgyz Republic"
    assert commitments[-1]["title"].startswith("Transparency of the financing elections (referendums)")
    assert {(c["start"], c["end"]) for c in commitments} == {("2018-09-01", "2020-08-31")}


def test_milestone_and_activity_counts_match_the_seed(national):
    counts = [sum(len(a["milestones"]) for a in c["activities"]) for c in national["commitments"]]
    assert counts == EXPECTED_MILESTONES
    assert sum(counts) == 110
    assert [len(c["activities"]) for c in national["commitments"]] == EXPECTED_ACTIVITIES
    for commitment in national["commitments"]:
        numbers = [a["number"] for a in commitment["activities"]]
        assert numbers == list(range(1, len(numbers) + 1))
        assert all(a["title"] for a in commitment["activities"])
        # every "Expected result N" landed on activity N
        assert all(a["expected_results"] for a in commitment["activities"])
        assert commitment["expected_results"] == ""


def test_audit_commitment(national):
    audit = _commitment(national, "Implement an auditing system with public participation")
    assert audit["identifier"] == "KG0017"
    assert audit["lead_agency"] == "Accounts Chamber"
    milestone = _milestone(audit, "2.2")
    assert milestone["start"] == "2019-12"
    assert milestone["end"] == "2020-08"
    assert milestone["budget_sources"] == ["development_partners", "national_budget"]
    assert milestone["budget_text"] == "Development partners’ funds\nWithin the national budget"
    assert audit["ogp_values"] == ["civic_participation"]
    assert audit["contact"]["email"] == "esep@esep.kg"
    assert audit["contact"]["phone"] == "+996 312 323430"


def test_first_commitment(national):
    first = national["commitments"][0]
    assert first["lead_agency"] == "State Committee of Information Technologies and Communications"
    milestone = _milestone(first, "3.1")
    assert milestone["start"] == "2018-10"
    assert milestone["end"] == "2019-07-01"  # "July 1, ⏎2019": day precision
    assert _milestone(first, "1.1") == {
        "number": "1.1",
        "deliverable": "Conduct consultations with civil society and entrepreneurs to identify the demand, "
        "priorities and criteria for open data in government bodies.",
        "budget_sources": ["development_partners"],
        "budget_text": "Development partners’ funds",
        "start": "2018-10",
        "end": "2018-12",
    }
    activity = first["activities"][0]
    assert activity["title"] == "Involvement of public authorities in the process of the open data compilation."
    assert activity["expected_results"].startswith("1.1. Public consultations, involving at least 200")
    assert activity["expected_results"].count("\n") == 3
    assert first["ogp_values"] == ["access_to_information", "civic_participation"]
    assert first["additional_information"] == ""
    assert first["contact"] == {
        "name": "Ms. B.Keneshova",
        "title": "Specialist of implementation of ICT projects and electronic services department of SCITC",
        "email": "",
        "phone": "(0312) 605046, (0312) 605040",
        "email_phone_raw": "(0312) 605046; (0312) 605040",
    }


def test_seed_irregularities_are_handled(national):
    commitments = national["commitments"]
    # "Activity 2." with a full stop instead of a colon
    assert commitments[4]["activities"][1]["title"].startswith("Creating a national open data platform")
    # "Commitment Start and End date" (lower case) still gives the period
    assert commitments[4]["start"] == "2018-09-01"
    # milestone numbered "37.1" under Activity 4 is kept as written
    assert [m["number"] for m in commitments[14]["activities"][3]["milestones"]] == ["37.1"]
    # Cyrillic "М" in "Mr. М.Т.Alishev" is fixed
    assert commitments[1]["contact"]["name"] == "Mr. M.T.Alishev"
    # agency and institution budgets map to the national budget, wording kept
    assert _milestone(commitments[9], "2.1")["budget_text"] == "Within “Taza Koom” programme budget"
    assert _milestone(commitments[9], "2.1")["budget_sources"] == ["national_budget"]
    # "Technology and innovations:" label
    assert commitments[4]["ogp_values"] == ["access_to_information", "technology_innovation"]
    # collapsed double spaces in single-line fields
    assert commitments[3]["lead_agency"].startswith("Information Technologies Institution “Adilet Sot” under")


def test_member_plan_and_forum(national):
    assert national["member"] == {
        "name": "Kyrgyz Republic",
        "code": "KG",
        "kind": "national",
        "country": "Kyrgyz Republic",
        "joined_on": "2017-11-21",
    }
    plan = national["plan"]
    assert (plan["start"], plan["end"]) == ("2018-09-01", "2020-08-31")
    assert plan["lead_institution"] is None
    assert len(plan["themes"]) == 9
    assert plan["themes"][0] == "Judicial openness"
    assert plan["themes"][-1] == "Fiscal openness"
    assert plan["co_creation"].startswith("After joining the OGP, process of collecting proposals")
    assert "[bookmark" not in plan["co_creation"]
    assert (plan["approval_act"], plan["approved_on"]) == ("Government Decree No. 360-r", "2018-10-16")
    assert national["forum"] == {
        "name": "Open Government National Forum",
        "founding_act": "Government Decree No. 226-r",
        "founded_on": "2018-06-27",
        "member_count": 38,
        "co_chairs": ["Vice Prime Minister (state)", "civil society representative"],
        "first_meeting_on": "2018-06-30",
        "meetings_until": "2018-07-30",
        "meeting_count": 4,
    }


def test_agencies(national):
    agencies = {a["name"]: a for a in national["agencies"]}
    assert agencies["State Committee of Information Technologies and Communications"] == {
        "acronym": "SCITC",
        "name": "State Committee of Information Technologies and Communications",
        "kind": "state",
    }
    assert agencies["Ministry of Finance of the Kyrgyz Republic"]["acronym"] == "MoF"  # Cyrillic М fixed
    assert agencies["Organization for Economic Co-operation and Development"]["kind"] == "multilateral"
    # lead agencies missing from the abbreviations list
    assert agencies["Ministry of Justice of Kyrgyz Republic"]["acronym"] is None
    assert agencies["Accounts Chamber"]["acronym"] is None
    acronyms = {a["acronym"] for a in national["agencies"]}
    assert not acronyms & {"AMP", "FT", "KR", "RLA", "SEP", "LAs", "HOs", "NPO", "PRs KRG"}
    assert len(national["agencies"]) == 23


# -- Bishkek (seed 003) ---------------------------------------------------------

def test_bishkek_plan(bishkek):
    assert bishkek["member"] == {
        "name": "Bishkek",
        "code": "KGBSK",
        "kind": "local",
        "country": "Kyrgyz Republic",
        "joined_on": "2020-01-01",
        "joined_year": 2020,
    }
    plan = bishkek["plan"]
    assert plan["title"] == "Action plan – Bishkek, Kyrgyz Republic, 2025 – 2025"
    assert (plan["submitted_on"], plan["start"], plan["end"]) == ("2025-01-17", None, "2025-12")
    assert plan["monitoring_body"] == "Association ‘Alliance for Transparent Budget’"
    assert plan["endorsements"] == ["PF Civic Participation", "PF Sotsium"]
    assert len(plan["lead_institutions"]) == 2
    assert [c["identifier"] for c in bishkek["commitments"]] == ["KGBSK0001", "KGBSK0002", "KGBSK0003"]
    assert bishkek["commitments"][2]["title"].startswith("Creation of a digital tool for feedback")


def test_bishkek_forum(bishkek):
    forum = bishkek["forum"]
    assert forum["name"] == "Open Bishkek Committee"
    assert len(forum["members"]) == 6
    assert [m["sector"] for m in forum["members"]].count("government") == 3
    assert forum["members"][0] == {
        "name": "Mirlanbek Baigonchokov",
        "organisation": "Bishkek Mayor’s Office",
        "position": "First Deputy Mayor",
        "sector": "government",
    }
    assert forum["members"][3]["organisation"] == "PF Women’s Democratic Network"
    assert "2024-05-22" in [m["date"] for m in forum["meetings"]]
    assert forum["public_meeting_count"] == 5


def test_bishkek_glossary_tooltips_removed(bishkek):
    assert strip_tooltips(_seed("003"))[1] == 7
    for text in _walk_strings(bishkek):
        assert "..." not in text
        assert "Articles of Governance" not in text


# -- letters (seed 000) ---------------------------------------------------------

def test_letters(letters):
    first, second = letters["letters"]
    assert (first["date"], first["status"], first["cycle"]) == ("2022-03-09", "contrary_to_process", "2021-2023")
    assert (first["missed_deadline"], first["next_deadline"]) == ("2021-12-31", "2022-12-31")
    assert first["addressee"] == "His Excellency Baktybek Amanbaev"
    assert (second["date"], second["status"], second["cycle"]) == ("2023-02-24", "under_review", "2022-2024")
    assert (second["missed_deadline"], second["next_deadline"]) == ("2022-12-31", "2023-12-31")
    assert "placed under review" in second["summary"]
    assert letters["deadlines"] == ["2021-12-31", "2022-12-31", "2023-12-31"]


# -- fixtures --------------------------------------------------------------------

def test_build_is_deterministic():
    assert build_fixtures(SEEDS) == build_fixtures(SEEDS)


def test_committed_fixtures_equal_a_fresh_parse(tmp_path):
    written = write_fixtures(SEEDS, tmp_path)
    assert sorted(p.name for p in written) == ["bishkek_2025.json", "kg_nap_2018_2020.json", "kg_ogp_letters.json"]
    for path in written:
        committed = FIXTURES / path.name
        assert committed.is_file(), f"{committed} missing: run `make fixtures`"
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} is stale: run `make fixtures`"


def test_fixture_sources_and_rendering(national):
    fixtures = build_fixtures(SEEDS)
    assert fixtures["kg_nap_2018_2020.json"].endswith("}\n")
    assert '"source": "001_' in fixtures["kg_nap_2018_2020.json"]
    assert "’" in fixtures["kg_nap_2018_2020.json"]  # ensure_ascii=False
    assert render_json({"b": 1, "a": 2}) == '{\n  "b": 1,\n  "a": 2\n}\n'
