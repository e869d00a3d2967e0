"""The template parser on small documents: the forms of the template it reads, and what it reports."""

from commitments.template_parser import parse_date, parse_plan, read_text

TEMPLATE = """\
Action Plan of Example City 2025
\tCommitment 1: Open the city budget
\tCommitment Start and End Date
\tJanuary 1, 2025 – December 31, 2025
\tLead implementing agency/actor
\tFinance Department
\tWhat is the public problem that the commitment will address?
\tNobody can read the budget.
\tMilestone Activity with a verifiable deliverable
\tBudget
\tStart date
\tEnd date
\t1.1. Publish the budget as open data
\tDevelopment partners’ funds
Within the city budget
\tFebruary 2025
\tJune 30,
2025
\t1.2. Hold a public hearing
\tThe mayor's goodwill
\tJuly 2025
\tSeptember 2025
\tExpected result
\tThe budget is online.
\tA stray note
\tEmail and Phone
"""


def test_a_small_plan_in_the_template_with_its_problems_located():
    data, problems = parse_plan(read_text(TEMPLATE), code="EXC")
    assert data["plan"]["title"] == "Action Plan of Example City 2025"
    (commitment,) = data["commitments"]
    assert commitment["identifier"] == "EXC0001"
    assert commitment["title"] == "Open the city budget"  # "Commitment 1:" is not part of the title
    assert (commitment["start"], commitment["end"]) == ("2025-01-01", "2025-12-31")  # period in its own cell
    first, second = commitment["activities"][0]["milestones"]
    assert first["budget_sources"] == ["development_partners", "national_budget"]  # two lines, two sources
    assert first["budget_text"] == "Development partners’ funds\nWithin the city budget"
    assert (first["start"], first["end"]) == ("2025-02", "2025-06-30")
    assert commitment["expected_results"] == "The budget is online."  # no activity number: commitment level
    messages = [str(p) for p in problems]
    assert messages == [
        "line 19: Milestone 1.2: the budget “The mayor's goodwill” names no known source (development partners’ "
        "funds or a budget); it was kept as written, with no source ticked.",
        "line 25: Commitment 1: this cell was not understood and was not imported: “A stray note”.",
        "line 26: Commitment 1: the label “Email and Phone” has no value cell; the stored value is kept.",
    ] + [
        f"line 3: Commitment 1: no “{label}” cell was found; the stored value is kept."
        for label in ("What is the commitment?", "How will the commitment contribute to solve the public problem?",
                      "Why is this commitment relevant to OGP values?",
                      "Name of responsible person from implementing agency", "Title, Department")
    ]


def test_the_seed_date_forms():
    assert parse_date("October 2018") == "2018-10"
    assert parse_date("July 1, \n2019") == "2019-07-01"
    assert parse_date("August 31,  2020") == "2020-08-31"
