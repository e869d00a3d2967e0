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
defined (those of the commitment template in ``template_parser.py``).  The parser is strict: a cell or line it does not understand raises
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

# The national plan (seed 001) is OGP's commitment template: it is read by the one
# template parser that also reads uploaded plans (.docx and text).
from .template_parser import (
    _EMAIL_RE,
    DATE_IN_TEXT,
    SeedFormatError,
    _month_number,
    _number,
    _search,
    fix_mixed_script,
    parse_date,
    parse_plan,
    read_text,
    single_line,
)

__all__ = [
    "SeedFormatError",
    "parse_national_plan",
    "parse_local_plan",
    "parse_letters",
    "parse_letter_of_intent",
    "parse_date",
    "render_json",
]


def render_json(data):
    """Serialise a fixture the one deterministic way (used by the command and tests)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# ---------------------------------------------------------------------------
# Seed 001 – national action plan
# ---------------------------------------------------------------------------

def parse_national_plan(text, source=None, letter_of_intent=None):
    """Parse seed 001 (Kyrgyz NAP 2018–2020) into member, plan, agencies, forum, commitments.

    The template parser runs in strict mode: the first piece it cannot read raises
    ``SeedFormatError``.  ``letter_of_intent`` may be the dict of
    ``parse_letter_of_intent`` (seed 004); it is then attached to the member.
    """
    data, _problems = parse_plan(read_text(text), strict=True)
    if letter_of_intent:
        data["member"]["letter_of_intent"] = letter_of_intent
    result = {}
    if source is not None:
        result["source"] = source
    result.update(data)
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
