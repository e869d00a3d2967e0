"""Turn the OGP seed documents into neutral, JSON-ready dictionaries.

The seed documents live in ``/work/shared/seeds`` (read-only) and are plain text:

* ``000_*.txt`` – two OGP Support Unit letters to the Kyrgyz Republic (Markdown-ish),
* ``001_*.txt`` – the Kyrgyz National Action Plan 2018–2020, a Word template
  flattened to text: every table cell starts with a TAB, lines without a leading
  TAB continue the cell above (dates such as ``July 1, ⏎2019`` included),
* ``002_*.txt`` – a news item on the accession (not parsed: 001 carries the date),
* ``003_*.txt`` – the OGP Local action plan page of Bishkek (scraped web page),
* ``004_*.txt`` – the 2017 letter of intent to join OGP (English and Russian).

Everything here is a pure function: text in, dictionaries out.  Nothing is typed
by hand into the output; every value is read from the seed text.  The only
hand-written data are the small mapping tables below (budget-source codes, agency
kinds, OGP-value labels, month names, number words), each documented where it is
defined.  The parser is strict: a cell or line it does not understand raises
``SeedFormatError`` instead of being silently skipped, so a changed seed is noticed.

Whitespace policy: every value is stripped; inside a value runs of spaces and
tabs are collapsed to one space.  Single-line fields (titles, names, dates,
agencies, budget lines) are joined onto one line; multi-line fields (problem,
expected results, deliverables, co-creation text …) keep their line breaks, with
trailing blanks removed and runs of blank lines reduced to one blank line.

Only the standard library (re, datetime, json) is used; no Django import.
"""

import datetime
import json
import re

__all__ = [
    "SeedFormatError",
    "parse_national_plan",
    "parse_local_plan",
    "parse_letters",
    "parse_letter_of_intent",
    "parse_date",
    "render_json",
]


class SeedFormatError(ValueError):
    """The seed text does not have the layout the parser expects."""


# ---------------------------------------------------------------------------
# Mapping tables (the only hand-written data)
# ---------------------------------------------------------------------------

MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)

# Small number words used in running text ("four meetings", "six members").
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}

# Budget cells of the national plan, matched in this order against each line of
# the cell.  The plan offers two sources: development partners' funds and the
# state budget.  Lines naming a state body's or a state programme's own budget
# ("Within the approved budget of MJ", "Within the MOF budget", "Within SFIS
# budget", "Within “Taza Koom” programme budget") are state money too, so they map
# to ``national_budget``; the exact wording is kept in ``budget_text``.
BUDGET_SOURCES = (
    (re.compile(r"development partners", re.I), "development_partners"),
    (re.compile(r"^within\b.*\bbudget\b", re.I), "national_budget"),
)

# Labels opening a line of the "Why is this commitment relevant to OGP values?"
# answer, mapped to OGP values.  Output keeps the order of OGP_VALUE_ORDER.
OGP_VALUE_LABELS = (
    (re.compile(r"^(transparency|access to information)$", re.I), "access_to_information"),
    (re.compile(r"^(citizen|civic) participation$", re.I), "civic_participation"),
    (re.compile(r"^(public )?accountability$", re.I), "public_accountability"),
    (re.compile(r"^technology and innovations?$", re.I), "technology_innovation"),
)
OGP_VALUE_ORDER = ("access_to_information", "civic_participation", "public_accountability", "technology_innovation")

# Kinds of the institutions in the abbreviation list at the top of seed 001,
# keyed by acronym (after the Cyrillic look-alike letters are fixed, see
# ``fix_mixed_script``).
AGENCY_KINDS = {
    "CEC": "state",
    "FSPM": "state",
    "ITI “Adilet Sot”": "state",
    "KR GO": "state",
    "ME": "state",
    "MES": "state",
    "MIA": "state",
    "MoES": "state",
    "MoF": "state",
    "MoH": "state",
    "NISS": "state",
    "NSC": "state",
    "OECD": "multilateral",
    "SAEPF": "state",
    "SALGIER": "state",
    "SCIESU": "state",
    "SCITC": "state",
    "SFIS": "state",
    "SIETS": "state",
    "SNSC": "state",
    "SRS": "state",
}
# Abbreviations in the same list that are not one institution: systems and
# documents (AMP, RLA, SEP), a concept (FT), the country (KR) and generic classes
# of bodies (HOs, LAs, NPO, PRs KRG).  They are left out of ``agencies``.
NOT_INSTITUTIONS = {"AMP", "FT", "HOs", "KR", "LAs", "NPO", "PRs KRG", "RLA", "SEP"}
# A lead implementing agency of the national plan that is missing from the
# abbreviation list is added with this kind (the template's "lead implementing
# agency" is always a public body in this plan).
LEAD_AGENCY_KIND = "state"

# OGP member codes; commitment identifiers are <code><four-digit number>.
NATIONAL_MEMBER_CODE = "KG"
# NAP is used but never spelled out in seed 001.
ABBREVIATION_EXPANSIONS = {"NAP": "National Action Plan"}

# Cyrillic letters that look like Latin ones.  Seed 001 types some acronyms and
# initials with a Cyrillic first letter ("МoF", "М.Т.Alishev").
_HOMOGLYPHS = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c",
    "у": "y", "х": "x", "і": "i",
})


# ---------------------------------------------------------------------------
# Generic helpers
# ---------------------------------------------------------------------------

def render_json(data):
    """Serialise a fixture the one deterministic way (used by the command and tests)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def fix_mixed_script(text):
    """Replace Cyrillic look-alikes by Latin letters in words that mix both scripts.

    Pure Cyrillic words (the Russian parts of the seeds, "доб." …) are untouched.
    """
    def fix(match):
        word = match.group(0)
        if re.search(r"[A-Za-z]", word) and re.search(r"[\u0400-\u04FF]", word):
            return word.translate(_HOMOGLYPHS)
        return word

    return re.sub(r"\S+", fix, text)


def single_line(text):
    """Strip and collapse all whitespace (line breaks included) to single spaces."""
    return " ".join((text or "").split())


def multi_line(text):
    """Strip a multi-line value, keep its line breaks, collapse spaces inside lines."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in (text or "").split("\n")]
    out = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue  # no leading blank lines, no runs of blank lines
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _month_number(name):
    name = name.lower().rstrip(".")
    for index, month in enumerate(MONTHS, start=1):
        if month == name or (len(name) >= 3 and month.startswith(name)):
            return index
    raise SeedFormatError(f"unknown month {name!r}")


_MONTH_RE = r"[A-Za-z]{3,9}\.?"
_DATE_PATTERNS = (
    # "July 1, 2019", "August 31,  2020"
    (re.compile(rf"^(?P<m>{_MONTH_RE})\s+(?P<d>\d{{1,2}}),\s*(?P<y>\d{{4}})$"), "day"),
    # "31 December 2021", "17th January 2025"
    (re.compile(rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH_RE})\s+(?P<y>\d{{4}})$"), "day"),
    # "October 2018", "Dec 2025"
    (re.compile(rf"^(?P<m>{_MONTH_RE})\s+(?P<y>\d{{4}})$"), "month"),
)
# A date in running text, day precision only (for letters and narrative).
DATE_IN_TEXT = (
    rf"(?:{_MONTH_RE}\s+\d{{1,2}},\s*\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_RE}\s+\d{{4}})"
)


def parse_date(text):
    """Parse a seed date as precisely as it is written.

    Returns ``"YYYY-MM-DD"`` for a day ("July 1, 2019", "31 December 2021",
    "17th January 2025") and ``"YYYY-MM"`` for a month ("October 2018", "Dec 2025").
    Raises SeedFormatError for anything else.
    """
    value = single_line(text)
    for pattern, precision in _DATE_PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        try:
            month = _month_number(match.group("m"))
        except SeedFormatError:
            continue
        year = int(match.group("y"))
        if precision == "month":
            return f"{year:04d}-{month:02d}"
        return datetime.date(year, month, int(match.group("d"))).isoformat()
    raise SeedFormatError(f"not a date: {text!r}")


def is_date(text):
    try:
        parse_date(text)
    except SeedFormatError:
        return False
    return True


def _number(word):
    word = word.lower()
    if word.isdigit():
        return int(word)
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    raise SeedFormatError(f"not a number: {word!r}")


def _search(pattern, text, flags=0, what=None):
    match = re.search(pattern, text, flags)
    if not match:
        raise SeedFormatError(f"seed text not found: {what or pattern}")
    return match


def _key(label):
    """Comparison key of a template label: lower case, all whitespace removed."""
    return re.sub(r"\s+", "", label.lower())


# ---------------------------------------------------------------------------
# Seed 001 – national action plan
# ---------------------------------------------------------------------------

_BOOKMARK_RE = re.compile(r"\[bookmark: [^\]]*\]")
_HEADING_RE = re.compile(r"^(?:\[bookmark: _Toc\d+\])+\s*(?P<title>.+?)\s*$", re.M)

# Template labels whose value is the next cell.
_FIELD_LABELS = {
    _key("Lead implementing agency/actor"): "lead_agency",
    _key("What is the public problem that the commitment will address?"): "problem",
    _key("What is the commitment?"): "description",
    _key("How will the commitment contribute to solve the public problem?"): "contribution",
    _key("Why is this commitment relevant to OGP values?"): "relevance",
    _key("Additional information"): "additional_information",
    _key("Name of responsible person from implementing agency"): "contact_name",
    _key("Title, Department"): "contact_title",
    _key("Email and Phone"): "email_phone",
    _key("Other Actors Involved – State actors involved"): "other_state_actors",
    # also written "CSOs, private sector,multilaterals, working groups"
    _key("CSOs, private sector, multilaterals, working groups"): "other_actors",
}
# Template headings that carry no value.
_HEADER_CELLS = {
    _key(label) for label in (
        "Commitment description",
        "Contact information",
        "Milestone Activity with a verifiable deliverable",
        "Budget",
        "Start date",  # also "Start Date"
        "End date",
    )
}
_SINGLE_LINE_FIELDS = {"lead_agency", "contact_name", "contact_title"}
_PERIOD_RE = re.compile(r"^commitment start and end date\s*(?P<period>.*)$", re.I | re.S)
_ACTIVITY_RE = re.compile(r"^Activity\s+(?P<n>\d+)\s*[:.]\s*(?P<title>.*)$", re.S)
_MILESTONE_RE = re.compile(r"^(?P<n>\d+\.\d+)\.?\s+(?P<text>.*)$", re.S)
_EXPECTED_RE = re.compile(r"^Expected result\s*(?P<n>\d+)?$", re.I)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _sections(text):
    """Split the plan into its numbered, bookmarked sections: [(title, body)]."""
    matches = list(_HEADING_RE.finditer(text))
    sections = [("", text[: matches[0].start()])] if matches else [("", text)]
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        sections.append((match.group("title"), text[match.end():end]))
    return sections


def _section(sections, pattern):
    for title, body in sections:
        if re.fullmatch(pattern, title, re.I):
            return body
    raise SeedFormatError(f"section not found: {pattern}")


def _cells(text):
    """Cells of the flattened Word tables: a TAB opens a cell, other lines continue it.

    Lines before the first TAB (introductory prose) are ignored.
    """
    cells = []
    for line in text.split("\n"):
        if line.startswith("\t"):
            cells.append([line.lstrip("\t")])
        elif cells:
            cells[-1].append(line)
    return ["\n".join(cell).strip() for cell in cells]


def _paragraphs(body):
    """Prose of a section, paragraphs separated by one blank line."""
    return multi_line(body)


def parse_abbreviations(text):
    """The "ACRONYM – Full name" list that opens seed 001: [(acronym, name)]."""
    entries = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        match = re.match(r"^(?P<acronym>.+?)\s*[–-]\s+(?P<name>.+)$", line)
        if not match:
            raise SeedFormatError(f"not an abbreviation line: {line!r}")
        entries.append((single_line(match.group("acronym")), single_line(match.group("name"))))
    return entries


def _agency_key(name):
    """Loose comparison key for agency names ("of the Kyrgyz Republic" vs "of Kyrgyz Republic")."""
    name = re.sub(r"\([^)]*\)", " ", name.lower())
    name = re.sub(r"\bthe\b", " ", name)
    return " ".join(re.sub(r"[^\w“”\s]", " ", name).split())


def _agencies(abbreviations, lead_agencies):
    agencies, known = [], set()
    for acronym, name in abbreviations:
        if acronym in NOT_INSTITUTIONS:
            continue
        if acronym not in AGENCY_KINDS:
            raise SeedFormatError(f"abbreviation {acronym!r} missing from AGENCY_KINDS/NOT_INSTITUTIONS")
        agencies.append({"acronym": acronym, "name": name, "kind": AGENCY_KINDS[acronym]})
        known.add(_agency_key(name))
    for name in lead_agencies:
        key = _agency_key(name)
        if key not in known:
            agencies.append({"acronym": None, "name": name, "kind": LEAD_AGENCY_KIND})
            known.add(key)
    return agencies


def _period(text):
    parts = re.split(r"\s+[–-]\s+", single_line(text))
    if len(parts) != 2:
        raise SeedFormatError(f"not a period: {text!r}")
    return parse_date(parts[0]), parse_date(parts[1])


def _budget(cells):
    lines = [line for cell in cells for line in multi_line(cell).split("\n") if line]
    sources = []
    for line in lines:
        for pattern, code in BUDGET_SOURCES:
            if pattern.search(line):
                if code not in sources:
                    sources.append(code)
                break
        else:
            raise SeedFormatError(f"unknown budget source: {line!r}")
    return sources, "\n".join(lines)


def _ogp_values(relevance):
    found = set()
    for line in relevance.split("\n"):
        match = re.match(r"^([^:]{3,60}):", line.strip())
        if not match:
            continue
        for pattern, value in OGP_VALUE_LABELS:
            if pattern.match(match.group(1).strip()):
                found.add(value)
    return [value for value in OGP_VALUE_ORDER if value in found]


def _contact(name, title, raw):
    emails = _EMAIL_RE.findall(raw)
    phones = []
    for piece in re.split(r"[,;\n]", _EMAIL_RE.sub(" ", raw)):
        piece = re.sub(r"^(?:ph|phone|tel)\.?:?\s*", "", single_line(piece), flags=re.I)
        if len(re.findall(r"\d", piece)) >= 5:
            phones.append(piece)
    return {
        "name": name,
        "title": title,
        "email": ", ".join(emails),
        "phone": ", ".join(phones),
        "email_phone_raw": raw,
    }


def _parse_commitment(number, title, cells):
    """One commitment from its cells (first cell: "Commitment Start and End Date …")."""
    period = _PERIOD_RE.match(cells[0])
    start, end = _period(period.group("period"))
    fields = {}
    activities, expected = [], {}
    current = None
    index = 1
    while index < len(cells):
        cell = cells[index]
        key = _key(cell.split("\n")[0]) if cell else ""
        if key in _FIELD_LABELS and "\n" not in cell:
            value = cells[index + 1] if index + 1 < len(cells) else ""
            first = _key(value.split("\n")[0]) if value else ""
            if first in _FIELD_LABELS or first in _HEADER_CELLS:
                raise SeedFormatError(f"commitment {number}: label {cell!r} has no value cell")
            field = _FIELD_LABELS[key]
            fields[field] = single_line(value) if field in _SINGLE_LINE_FIELDS else multi_line(value)
            index += 2
            continue
        if key in _HEADER_CELLS and "\n" not in cell:
            index += 1
            continue
        match = _EXPECTED_RE.match(cell)
        if match:
            result_number = int(match.group("n")) if match.group("n") else None
            expected[result_number] = multi_line(cells[index + 1])
            index += 2
            continue
        match = _ACTIVITY_RE.match(cell)
        if match:
            current = {"number": int(match.group("n")), "title": single_line(match.group("title")),
                       "expected_results": "", "milestones": []}
            activities.append(current)
            index += 1
            continue
        match = _MILESTONE_RE.match(cell)
        if match:
            if current is None:
                # Milestones without an "Activity N:" header: one untitled activity.
                current = {"number": 1, "title": "", "expected_results": "", "milestones": []}
                activities.append(current)
            # The cells up to the next milestone/activity/label are budget and dates.
            rest = index + 1
            while rest < len(cells):
                nxt = cells[rest]
                nkey = _key(nxt.split("\n")[0]) if nxt else ""
                if (_MILESTONE_RE.match(nxt) or _ACTIVITY_RE.match(nxt) or _EXPECTED_RE.match(nxt)
                        or nkey in _FIELD_LABELS or nkey in _HEADER_CELLS):
                    break
                rest += 1
            trailing = cells[index + 1:rest]
            dates = [cell_ for cell_ in trailing if is_date(cell_)]
            budget_cells = [cell_ for cell_ in trailing if cell_ and not is_date(cell_)]
            if len(dates) != 2:
                raise SeedFormatError(f"commitment {number}, milestone {match.group('n')}: dates {dates!r}")
            sources, budget_text = _budget(budget_cells)
            current["milestones"].append({
                "number": match.group("n"),
                "deliverable": multi_line(match.group("text")),
                "budget_sources": sources,
                "budget_text": budget_text,
                "start": parse_date(dates[0]),
                "end": parse_date(dates[1]),
            })
            index = rest
            continue
        if not cell:
            index += 1
            continue
        raise SeedFormatError(f"commitment {number}: unexpected cell {cell[:80]!r}")

    # "Expected result N" belongs to "Activity N"; anything else stays at commitment level.
    by_number = {activity["number"]: activity for activity in activities}
    loose = []
    for result_number, text in expected.items():
        if result_number in by_number and not by_number[result_number]["expected_results"]:
            by_number[result_number]["expected_results"] = text
        else:
            loose.append(text)

    contact = _contact(fields.get("contact_name", ""), fields.get("contact_title", ""),
                       fields.get("email_phone", ""))
    relevance = fields.get("relevance", "")
    return {
        "number": number,
        # Identifiers KG0001..KG0018 are assigned in seed order (the seed has no numbers).
        "identifier": f"{NATIONAL_MEMBER_CODE}{number:04d}",
        "title": single_line(title),
        "start": start,
        "end": end,
        "lead_agency": fields.get("lead_agency", ""),
        "problem": fields.get("problem", ""),
        "description": fields.get("description", ""),
        "contribution": fields.get("contribution", ""),
        "relevance": relevance,
        "additional_information": fields.get("additional_information", ""),
        "ogp_values": _ogp_values(relevance),
        "themes": [],  # seed 001 lists the plan's themes but assigns none per commitment
        "activities": activities,
        "expected_results": "\n\n".join(loose),
        "contact": contact,
        "other_state_actors": fields.get("other_state_actors", ""),
        "other_actors": fields.get("other_actors", ""),
    }


def _split_commitments(cells):
    """[(title, cells)] – a commitment starts at its "Commitment Start and End Date" cell."""
    starts = [i for i, cell in enumerate(cells) if _PERIOD_RE.match(cell)]
    if not starts or starts[0] != 1:
        raise SeedFormatError("the commitments section must open with a title cell")
    blocks = []
    for position, start in enumerate(starts):
        stop = starts[position + 1] - 1 if position + 1 < len(starts) else len(cells)
        blocks.append((cells[start - 1], cells[start:stop]))
    return blocks


def parse_national_plan(text, source=None, letter_of_intent=None):
    """Parse seed 001 (Kyrgyz NAP 2018–2020) into member, plan, agencies, forum, commitments.

    ``letter_of_intent`` may be the dict of ``parse_letter_of_intent`` (seed 004);
    it is then attached to the member.
    """
    text = fix_mixed_script(text.replace("\r\n", "\n"))
    sections = _sections(text)
    abbreviations = parse_abbreviations(sections[0][1])

    intro = _section(sections, r"\d+\.\s*introduction")
    joined = _search(r"On (" + DATE_IN_TEXT + r"), the (.+?) has officially joined the Open Government Partnership",
                     intro, what="accession sentence")
    efforts = _section(sections, r"\d+\.\s*open government efforts to date")
    nap_years = _search(r"The NAP for (\d{4}-\d{4}) is the first NAP", efforts, what="plan period")
    stated_count = int(_search(r"It consists of (\d+) commitments and covers (\d+) thematic areas", efforts).group(1))

    # -- commitments --------------------------------------------------------
    commitments_body = _section(sections, r"\d+\.\s*commitments")
    plan_name = _search(r"The (NAP) (for the Open Government development in the Kyrgyz Republic) consists of",
                        commitments_body, what="plan name")
    themes_block = _search(r"covers follow themes:\n((?:\d+\.\s.*\n)+)", commitments_body, what="theme list")
    themes = [re.sub(r"^\d+\.\s*", "", line).strip().rstrip(".")
              for line in themes_block.group(1).strip().split("\n")]
    cells = _cells(commitments_body)
    commitments = [
        _parse_commitment(number, title, block)
        for number, (title, block) in enumerate(_split_commitments(cells), start=1)
    ]
    if len(commitments) != stated_count:
        raise SeedFormatError(f"seed states {stated_count} commitments, parsed {len(commitments)}")

    # -- development process and forum --------------------------------------
    process = _section(sections, r"\d+\.\s*nap development process")
    approval = _search(r"By the (Government Decree No\. [\w-]+) from (" + DATE_IN_TEXT + r"), the NAP was approved",
                       process, what="approval decree")
    forum_body = _section(sections, r"\d+\.\s*open government national forum")
    founding = _search(r"The (.+?) was created by the (Government Decree No\. [\w-]+) on (" + DATE_IN_TEXT + r")",
                       forum_body, what="forum founding")
    members = _search(r"consists of (\w+) representatives", forum_body, what="forum size")
    chairs = _search(r"led by (\w+) co-chairs, one of whom \(the (.+?)\) represents the (.+?), "
                     r"and the other one representing the (.+?)\.", forum_body, what="co-chairs")
    first_meeting = _search(r"The first meeting of the National Forum was held on (" + DATE_IN_TEXT + r")",
                            forum_body, what="first meeting")
    meetings = _search(r"in the period till (" + DATE_IN_TEXT + r") (\w+) meetings", forum_body,
                       what="meeting period")
    co_chairs = [f"{chairs.group(2)} ({chairs.group(3)})", f"{chairs.group(4)} representative"]
    if len(co_chairs) != _number(chairs.group(1)):
        raise SeedFormatError("co-chair count mismatch")

    starts = sorted({c["start"] for c in commitments})
    ends = sorted({c["end"] for c in commitments})
    lead_agencies = []
    for commitment in commitments:
        if commitment["lead_agency"] not in lead_agencies:
            lead_agencies.append(commitment["lead_agency"])

    member = {
        "name": joined.group(2),
        "code": NATIONAL_MEMBER_CODE,
        "kind": "national",
        "country": joined.group(2),
        "joined_on": parse_date(joined.group(1)),
    }
    if letter_of_intent:
        member["letter_of_intent"] = letter_of_intent

    result = {}
    if source is not None:
        result["source"] = source
    result.update({
        "member": member,
        "plan": {
            "title": f"{ABBREVIATION_EXPANSIONS[plan_name.group(1)]} {plan_name.group(2)} for {nap_years.group(1)}",
            "start": starts[0],
            "end": ends[-1],
            "lead_institution": None,  # seed 001 names no lead/coordinating institution
            "themes": themes,
            "co_creation": _paragraphs(_BOOKMARK_RE.sub("", process)),
            "approval_act": approval.group(1),
            "approved_on": parse_date(approval.group(2)),
        },
        "agencies": _agencies(abbreviations, lead_agencies),
        "forum": {
            "name": founding.group(1),
            "founding_act": founding.group(2),
            "founded_on": parse_date(founding.group(3)),
            "member_count": _number(members.group(1)),
            "co_chairs": co_chairs,
            "first_meeting_on": parse_date(first_meeting.group(1)),
            "meetings_until": parse_date(meetings.group(1)),
            "meeting_count": _number(meetings.group(2)),
        },
        "commitments": commitments,
    })
    return result


# ---------------------------------------------------------------------------
# Seed 004 – letter of intent (2017)
# ---------------------------------------------------------------------------

def parse_letter_of_intent(text):
    """Date, outgoing number and signatory of the 2017 letter of intent (seed 004)."""
    date = _search(r"«(\d{1,2})»\s*(\d{1,2})\s+(\d{4})", text, what="letter of intent date")
    number = _search(r"№\s*([\w-]+)", text, what="letter of intent number")
    signatory = _search(r"Prime Minister of the Kyrgyz Republic\s*\n\s*\n(.+)", text, what="signatory")
    return {
        "date": datetime.date(int(date.group(3)), int(date.group(2)), int(date.group(1))).isoformat(),
        "number": number.group(1),
        "signatory": single_line(signatory.group(1)),
    }


# ---------------------------------------------------------------------------
# Seed 003 – OGP Local action plan of Bishkek
# ---------------------------------------------------------------------------

# The scraped page inlines OGP glossary tooltips right after the glossary term:
# "transparencyAccording to OGP’s Articles … freely available to the pub... More, …".
# A tooltip starts where a capital letter is glued to a lower-case letter or ")"
# and ends at its first "..." (optionally followed by " More").
_TOOLTIP_RE = re.compile(r"(?<=[a-z)])[A-Z][^\n]{30,}?\.\.\.(?: More)?")


def strip_tooltips(text):
    """Remove the inlined glossary tooltips of an OGP web page; returns (text, count)."""
    return _TOOLTIP_RE.subn("", text)


# Section headings of the OGP Local action-plan page template; they end the
# answer of the question before them.
_PAGE_HEADINGS = (
    "Open Government Challenges, Opportunities and Strategic Vision",
    "Engagement and Coordination in the Open Government Strategic Vision and OGP Action Plan",
    "Endorsement from Non-Governmental Stakeholders",
    "Commitments:",
    "Leave a Reply",
)


def _is_question(line):
    """A prompt of the page template: a question, or a "Please …"/"Provide …" request."""
    if re.match(r"^(?:Please|Provide) ", line):
        return True
    # "What kind of spaces …? Mention both offline and online spaces." has text after its "?"
    return bool(re.match(r"^(?:What|How|Who|Which|Why|When|Where)\b", line)) and "?" in line


def _qa(lines):
    """Answers of the question/answer part of the page: {question: [answer lines]}."""
    answers, current = {}, None
    for line in lines:
        if line in _PAGE_HEADINGS:
            current = None
        elif _is_question(line):
            current = line
            answers[current] = []
        elif current is not None:
            answers[current].append(line)
    return answers


def _answer(answers, pattern):
    for question, lines in answers.items():
        if re.search(pattern, question, re.I):
            return lines
    raise SeedFormatError(f"question not found: {pattern}")


def _bullets(lines):
    return [line[1:].strip() for line in lines if line.startswith("-") and line[1:].strip()]


def _until(lines, stop):
    out = []
    for line in lines:
        if line == stop:
            break
        out.append(line)
    return out


def parse_local_plan(text, source=None):
    """Parse seed 003 (OGP Local action plan page of Bishkek)."""
    text, _ = strip_tooltips(fix_mixed_script(text.replace("\r\n", "\n")))
    lines = [single_line(line) for line in text.split("\n")]
    lines = [line for line in lines if line]

    title = lines[0]
    title_parts = _search(r"^Action plan – (?P<member>[^,]+), (?P<country>.+?), (?P<start>\d{4}) – (?P<end>\d{4})$",
                          title, what="plan title")
    end = _search(r"^Action Plan End: (.+)$", text, re.M, what="plan end")
    submitted = _search(r"^Date Submitted\n(.+)$", text, re.M, what="submission date")
    lead = _search(r"^Lead Institution: (.+)$", text, re.M, what="lead institution")
    joined = _search(r"joined the OGP Local initiative in (\d{4})", text, what="join year")
    answers = _qa(lines)

    # -- lead institutions --------------------------------------------------
    lead_institutions = [re.sub(r"^\d+\.\s*", "", item)
                         for item in _bullets(_answer(answers, r"list the lead institutions"))]

    # -- monitoring body ----------------------------------------------------
    monitoring = " ".join(_answer(answers, r"independent Monitoring Body you have identified"))
    body = _search(r"selected the (.+?) \((\w+)\) as the monitoring body", monitoring, what="monitoring body")
    contact_line = _bullets(_answer(answers, r"contact details for the independent monitoring body"))[0]
    contact_parts = [part.strip() for part in contact_line.split(", ")]
    contact_emails = _EMAIL_RE.findall(contact_line)
    # The monitoring body as the monitoring section names it in its contact details,
    # "Association ‘Alliance for Transparent Budget’"; the selection sentence of the
    # same section writes it without quotes – both must agree.
    monitoring_body = contact_parts[2] if len(contact_parts) > 3 else body.group(1)
    if re.sub(r"[‘’“”\"']", "", monitoring_body) != body.group(1):
        raise SeedFormatError(f"monitoring body named two ways: {monitoring_body!r} / {body.group(1)!r}")

    # -- co-creation ----------------------------------------------------------
    spaces = _answer(answers, r"spaces have you used or created")
    diversity = _answer(answers, r"ensure diversity of representation")
    co_creation = "\n".join(spaces + diversity)

    # -- forum (Open Bishkek Committee) ---------------------------------------
    arrangements = _answer(answers, r"institutional arrangements")
    arrangements_text = " ".join(arrangements)
    forum_name = _search(r"OGP Local established the (.+?)\. ", arrangements_text, what="committee name")
    per_side = _search(r"comprising (\w+) representatives from each side", arrangements_text)
    selected = _search(r"the following (\w+) members of the (.+?) were selected", arrangements_text)
    members, sector = [], None
    for line in arrangements:
        if not line.startswith("-"):
            continue
        item = line[1:].strip()
        if not item:
            continue  # an empty bullet under each group heading
        if item.endswith(":"):
            heading = item[:-1]
            sector = "civil_society" if re.search(r"civil society", heading, re.I) else "government"
            group = heading
            continue
        parts = [part.strip() for part in item.split(", ")]
        if sector == "government":
            # "Name, position[, unit of the Mayor’s Office]" under the heading "Bishkek Mayor’s Office:"
            members.append({"name": parts[0], "organisation": group, "position": ", ".join(parts[1:]),
                            "sector": sector})
        else:
            # "Name, position, organisation"
            members.append({"name": parts[0], "organisation": parts[-1], "position": ", ".join(parts[1:-1]),
                            "sector": sector})
    if len(members) != _number(selected.group(1)):
        raise SeedFormatError("committee member count mismatch")

    spaces_text = " ".join(spaces)
    diversity_text = " ".join(diversity)
    open_meeting = _search(r"On (" + DATE_IN_TEXT + r"), an (open meeting) of the (.+?) was held in (\w+)\.",
                           spaces_text, what="open meeting")
    resolution = _search(r"adoption of (Resolution No\. \d+) by the (.+?) on (" + DATE_IN_TEXT + r")", spaces_text)
    call = _search(r"Between (?P<m1>[A-Za-z]+) (?P<d1>\d{1,2}) and (?P<m2>[A-Za-z]+) (?P<d2>\d{1,2}), (?P<y>\d{4}), "
                   r"the (?P<who>.+?), in cooperation with the (?P<with>.+?), issued an open invitation",
                   diversity_text, what="call for participation")
    organisational = _search(r"invited to an (organizational meeting) held on (?P<m>[A-Za-z]+) (?P<d>\d{1,2}) at (?P<at>.+?)\.$",
                             diversity_text, what="organisational meeting")
    participants = []
    for item in _bullets(_answer(answers, r"Who participated in these spaces")):
        name, _, affiliation = item.partition(", ")
        participants.append({"name": name, "affiliation": affiliation})
    group_count = int(single_line(" ".join(_answer(answers, r"How many groups participated"))))
    meeting_count = int(single_line(" ".join(_answer(answers, r"How many public-facing meetings"))))

    # -- endorsements and commitments ----------------------------------------
    endorsement_start = lines.index("Endorsement from Non-Governmental Stakeholders")
    commitments_start = lines.index("Commitments:")
    endorsements = _bullets(lines[endorsement_start + 1:commitments_start])
    commitment_lines = _bullets(_until(lines[commitments_start + 1:], "Leave a Reply"))
    challenges = _bullets(_answer(answers, r"current challenges/areas for improvement"))
    goals = _bullets(_answer(answers, r"medium-term open government goals"))
    commitments = []
    for position, item in enumerate(commitment_lines):
        match = _search(r"^(?P<title>.+) \((?P<id>[A-Z]+\d{4})\)$", item, what="commitment line")
        commitments.append({
            "number": int(re.search(r"\d+$", match.group("id")).group(0)),
            "identifier": match.group("id"),
            "title": match.group("title"),
            # The page lists three challenges and three medium-term goals in the
            # same order as the three commitments; they are attached by position.
            "challenge": challenges[position].rstrip(";.") if len(challenges) == len(commitment_lines) else "",
            "goal": goals[position].rstrip(";.") if len(goals) == len(commitment_lines) else "",
        })
    code = re.match(r"[A-Z]+", commitments[0]["identifier"]).group(0)

    result = {}
    if source is not None:
        result["source"] = source
    result.update({
        "member": {
            "name": title_parts.group("member"),
            "code": code,
            "kind": "local",
            "country": title_parts.group("country"),
            # The seed gives only the year; joined_on is 1 January of that year.
            "joined_on": f"{int(joined.group(1)):04d}-01-01",
            "joined_year": int(joined.group(1)),
        },
        "plan": {
            "title": title,
            "submitted_on": parse_date(submitted.group(1)),
            "start": None,  # the page states no start; its title only says "2025 – 2025"
            "end": parse_date(end.group(1)),
            "lead_institution": lead.group(1),
            "lead_institutions": lead_institutions,
            # Named as in the monitoring-body section ("Association ‘Alliance for
            # Transparent Budget’", written without quotes in the selection sentence).
            # The same page also writes "Association “Alliance for a Transparent
            # Budget”" (foreword) and "Association Coalition for Transparent Budget"
            # (progress check-ins); those variants are not used.
            "monitoring_body": monitoring_body,
            "monitoring_body_contact": {
                "name": contact_parts[0],
                "position": contact_parts[1] if len(contact_parts) > 2 else "",
                "organisation": contact_parts[2] if len(contact_parts) > 3 else "",
                # The scraped page replaced the address by "[email protected]".
                "email": ", ".join(contact_emails),
                "raw": contact_line,
            },
            "co_creation": co_creation,
            "endorsements": endorsements,
        },
        "forum": {
            "name": forum_name.group(1),
            "composition": _search(r"This committee represents .+?\)\.", arrangements_text).group(0),
            "representatives_per_side": _number(per_side.group(1)),
            "member_count": _number(selected.group(1)),
            "members": members,
            "meetings": [
                {
                    "date": f"{int(call.group('y')):04d}-{_month_number(organisational.group('m')):02d}-"
                            f"{int(organisational.group('d')):02d}",
                    # The seed writes "August 8" without a year; the year is that of the
                    # invitation period the sentence before ("… August 4, 2023").
                    "date_as_written": f"{organisational.group('m')} {organisational.group('d')}",
                    "title": organisational.group(1),
                    "place": organisational.group("at"),
                },
                {
                    "date": parse_date(open_meeting.group(1)),
                    "date_as_written": open_meeting.group(1),
                    "title": f"{open_meeting.group(2)} of the {open_meeting.group(3)}",
                    "place": open_meeting.group(4),
                    "description": _search(r"On " + re.escape(open_meeting.group(1)) + r".+?held in \w+\.",
                                           spaces_text).group(0),
                },
            ],
            "call_for_participation": {
                "start": f"{int(call.group('y')):04d}-{_month_number(call.group('m1')):02d}-{int(call.group('d1')):02d}",
                "end": f"{int(call.group('y')):04d}-{_month_number(call.group('m2')):02d}-{int(call.group('d2')):02d}",
                "issued_by": call.group("who"),
                "partner": call.group("with"),
            },
            "predecessor_dissolved": {
                "act": resolution.group(1),
                "issued_by": resolution.group(2),
                "date": parse_date(resolution.group(3)),
            },
            "participants": participants,
            "participating_group_count": group_count,
            "public_meeting_count": meeting_count,
        },
        "commitments": commitments,
    })
    return result


# ---------------------------------------------------------------------------
# Seed 000 – OGP letters to the Kyrgyz Republic
# ---------------------------------------------------------------------------

_LETTERHEAD_RE = re.compile(r"^(?:#+\s*|\*\*)?Open Government Partnership(?:\*\*)?\s*$", re.M)


def _strip_markdown(text):
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [OGP policy](#) -> OGP policy
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    return re.sub(r"<sup>(.*?)</sup>", r"\1", text)


def _sentences(paragraph):
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph) if s]


def _cycle(start, end):
    start = int(start)
    end = int(end) if len(end) == 4 else int(str(start)[:2] + end)  # "2021-23" -> 2023
    return f"{start}-{end}"


def _parse_letter(block):
    block = _strip_markdown(block)
    date_match = _search(r"^\s*(" + DATE_IN_TEXT + r")\s*$", block, re.M, what="letter date")
    after_date = block[date_match.end():].lstrip("\n")
    address_block, _, body = after_date.partition("\n\n")
    address_lines = [single_line(line) for line in address_block.split("\n") if line.strip()]
    salutation = _search(r"^(Dear .+?),\s*$", body, re.M, what="salutation")
    text = single_line(body)
    missed = _search(r"deadline of (" + DATE_IN_TEXT + r")", text, what="missed deadline")
    following = _search(r"(?:delivered before|deliver a new action plan by) (" + DATE_IN_TEXT + r")", text,
                        what="next deadline")
    cycle = (re.search(r"contrary to the OGP process for the (\d{4})-(\d{2,4}) cycle", text)
             or _search(r"not received the .{0,40}?(\d{4})-(\d{2,4}) Action Plan", text, what="cycle"))
    under_review = re.search(r"the Kyrgyz Republic will be placed under review", text)
    contrary = re.search(r"acted contrary to the OGP process", text)
    if not (under_review or contrary):
        raise SeedFormatError("letter states no compliance status")
    summary = [
        sentence for sentence in _sentences(text)
        if missed.group(1) in sentence
        or re.search(r"acted contrary to the OGP process for the", sentence)
        or re.search(r"will be placed under review", sentence)
        or following.group(1) in sentence
    ]
    signature = _search(r"Yours sincerely,\s*\n\s*\n+(.+?)\s*\n(.+?)\s*$", body, re.M, what="signature")
    cc = re.search(r"^cc:\s*(.+?)\s*$", body, re.M)
    return {
        "date": parse_date(date_match.group(1)),
        "addressee": address_lines[0],
        "addressee_lines": address_lines,
        "salutation": salutation.group(1),
        "status": "under_review" if under_review else "contrary_to_process",
        "cycle": _cycle(cycle.group(1), cycle.group(2)),
        "missed_deadline": parse_date(missed.group(1)),
        "next_deadline": parse_date(following.group(1)),
        "summary": " ".join(summary),
        "signatory": single_line(signature.group(1)),
        "signatory_title": single_line(signature.group(2)),
        "cc": single_line(cc.group(1)) if cc else "",
    }


def parse_letters(text, source=None):
    """Parse seed 000: OGP letters (each opening with the OGP letterhead), oldest first."""
    text = text.replace("\r\n", "\n")
    heads = list(_LETTERHEAD_RE.finditer(text))
    if not heads:
        raise SeedFormatError("no OGP letterhead found")
    blocks = [text[head.end(): heads[i + 1].start() if i + 1 < len(heads) else len(text)]
              for i, head in enumerate(heads)]
    # The seed holds the 2023 letter first; letters are returned in date order.
    letters = sorted((_parse_letter(block) for block in blocks), key=lambda letter: letter["date"])
    deadlines = sorted({d for letter in letters for d in (letter["missed_deadline"], letter["next_deadline"])})
    result = {}
    if source is not None:
        result["source"] = source
    result.update({"letters": letters, "deadlines": deadlines})
    return result
