"""Read an action plan written in OGP's commitment template: one parser for one format.

The template comes as a Word document (.docx: its tables and paragraphs) or as the plain
text that Word gives when the document is flattened (seed 001 shows it: every table cell
starts with a TAB, lines without a leading TAB continue the cell above, headings carry
``[bookmark: _Toc…]`` marks).  Both are read into the same list of ``Block`` objects
(a heading, a line of prose or a table cell, each with where it is in the document), and
one parser turns the blocks into plain dictionaries: the plan, its agencies, commitments,
activities, milestones, expected results, contacts and other actors.  The seed fixtures
(``commitments/seed_parser.py``) and the importer (``commitments/importer.py``) both use it.

The parser runs in two modes:

* strict (the seed fixtures): anything it does not understand raises ``SeedFormatError``,
  so that a changed seed is noticed;
* lenient (uploads): each piece it cannot read becomes a ``Problem`` naming where it is in
  the document, and reading goes on.  Nothing is dropped silently.

A file that cannot be a plan at all (not a zip, a zip bomb, a table thousands of rows long,
a wrong text encoding, no commitment table) raises ``TemplateError`` before anything is read.

Messages are English msgids marked with ``gettext_noop`` and formatted with their params
by the caller, in the reader's language.  No Django import: the seed parser tests run
without Django.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

__all__ = [
    "SeedFormatError",
    "TemplateError",
    "Block",
    "Location",
    "Problem",
    "read_text",
    "read_docx",
    "decode_text",
    "parse_plan",
    "parse_date",
]


def gettext_noop(message):
    """Mark a msgid for translation (``makemessages`` finds it by this name); translated when shown."""
    return message


class SeedFormatError(ValueError):
    """The seed text does not have the layout the parser expects (strict mode)."""


class TemplateError(ValueError):
    """The file cannot be read as a plan at all; nothing is imported.

    ``msgid`` is an English message marked for translation, ``params`` its placeholders.
    """

    def __init__(self, msgid, **params):
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params if params else msgid)


# Limits for uploaded documents: each is checked before the expensive step it protects.
LIMITS = {
    "max_bytes": 10 * 1024 * 1024,  # the uploaded file itself
    "max_unzipped_bytes": 40 * 1024 * 1024,  # all members of a .docx, as declared (and enforced) by the zip
    "max_zip_members": 2000,
    "max_compression_ratio": 200,  # per member over 1 MB: ordinary XML compresses 5-20 times
    "max_table_rows": 500,  # one commitment's tables hold ~40 rows; seed 001 in total ~700 cells
    "max_cells": 20000,
    "max_lines": 100000,
}


@dataclass(frozen=True)
class Location:
    """Where a block is in the document: a line of a text file, or a paragraph / table cell of a .docx."""

    line: int | None = None
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    column: int | None = None

    def parts(self):
        """Return (msgid, params) to show the location in the reader's language."""
        if self.line is not None:
            return gettext_noop("line %(line)s"), {"line": self.line}
        if self.table is not None:
            return (gettext_noop("table %(table)s, row %(row)s, column %(column)s"),
                    {"table": self.table, "row": self.row, "column": self.column})
        return gettext_noop("paragraph %(paragraph)s"), {"paragraph": self.paragraph}

    def __str__(self):
        msgid, params = self.parts()
        return msgid % params


@dataclass
class Problem:
    """A piece of the document that could not be read (lenient mode)."""

    msgid: str
    params: dict
    where: Location | None = None

    def __str__(self):
        text = self.msgid % self.params
        return f"{self.where}: {text}" if self.where else text


@dataclass
class Block:
    """A heading, a line of prose or a table cell, with its location."""

    kind: str  # "heading" | "line" | "cell"
    text: str
    where: Location
    lines: list = field(default_factory=list, repr=False)


class Report:
    """Collect problems (lenient) or raise at the first one (strict)."""

    def __init__(self, strict):
        self.strict = strict
        self.problems = []

    def problem(self, where, msgid, **params):
        if self.strict:
            raise SeedFormatError(str(Problem(msgid, params, where)))
        self.problems.append(Problem(msgid, params, where))


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


# ---------------------------------------------------------------------------
# Generic helpers
# ---------------------------------------------------------------------------

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
# Reading: text and .docx into blocks
# ---------------------------------------------------------------------------

_BOOKMARK_RE = re.compile(r"\[bookmark: [^\]]*\]")
_HEADING_LINE_RE = re.compile(r"^(?:\[bookmark: _Toc\d+\])+\s*(?P<title>.+?)\s*$")


def decode_text(data):
    """Decode an uploaded text file: UTF-8 (with or without BOM) or UTF-16 with a BOM; refuse the rest."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    raise TemplateError(gettext_noop(
        "The text file is not encoded as UTF-8. Save it as UTF-8 (Unicode) text and upload it again."))


def read_text(text):
    """Read the flattened text form of the template into blocks (a TAB opens a cell, other lines continue it)."""
    text = fix_mixed_script(text.replace("\r\n", "\n"))
    lines = text.split("\n")
    if len(lines) > LIMITS["max_lines"]:
        raise TemplateError(gettext_noop("The file has more than %(limit)s lines."), limit=LIMITS["max_lines"])
    blocks, cell = [], None
    for number, line in enumerate(lines, start=1):
        heading = _HEADING_LINE_RE.match(line)
        if heading:
            blocks.append(Block("heading", heading.group("title"), Location(line=number)))
            cell = None  # a heading closes the table above it
        elif line.startswith("\t"):
            cell = Block("cell", "", Location(line=number), [line.lstrip("\t")])
            blocks.append(cell)
        elif cell is not None:
            cell.lines.append(line)
        else:
            blocks.append(Block("line", line, Location(line=number)))
    for block in blocks:
        if block.kind == "cell":
            block.text = "\n".join(block.lines).strip()
    return blocks


def check_docx_archive(data):
    """Refuse what is not a .docx, or would unpack too large, before python-docx opens it."""
    if len(data) > LIMITS["max_bytes"]:
        raise TemplateError(gettext_noop("The file is larger than %(limit)s MB."),
                            limit=LIMITS["max_bytes"] // (1024 * 1024))
    if not data.startswith(b"PK\x03\x04"):
        raise TemplateError(gettext_noop("The file is not a Word .docx document (it is not a zip archive)."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise TemplateError(gettext_noop("The file is not a Word .docx document (it is not a zip archive).")) from None
    if len(infos) > LIMITS["max_zip_members"]:
        raise TemplateError(gettext_noop("The .docx archive holds too many files (%(count)s)."), count=len(infos))
    # zipfile stops reading a member at its declared size, so the declared sizes bound the memory used.
    total = sum(info.file_size for info in infos)
    bomb = total > LIMITS["max_unzipped_bytes"] or any(
        info.file_size > 1024 * 1024 and info.file_size > LIMITS["max_compression_ratio"] * max(info.compress_size, 1)
        for info in infos
    )
    if bomb:
        raise TemplateError(gettext_noop(
            "The .docx file would unpack to more than %(limit)s MB or is compressed suspiciously well; "
            "it was refused as a possible zip bomb."), limit=LIMITS["max_unzipped_bytes"] // (1024 * 1024))
    if "word/document.xml" not in {info.filename for info in infos}:
        raise TemplateError(gettext_noop("The zip archive holds no Word document (word/document.xml is missing)."))


def read_docx(data):
    """Read a .docx in document order: paragraphs (headings by style) and table cells, merged cells once."""
    check_docx_archive(data)
    import docx  # python-docx; imported here so that the text path needs no lxml
    from docx.oxml.ns import qn
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds (KeyError, XMLSyntaxError, PackageNotFoundError …)
        raise TemplateError(gettext_noop("The file could not be read as a Word .docx document.")) from None
    body = document.element.body
    # Count rows and cells on the raw XML, before any python-docx object is built for them.
    for number, tbl in enumerate(body.iter(qn("w:tbl")), start=1):
        rows = len(tbl.findall(qn("w:tr")))
        if rows > LIMITS["max_table_rows"]:
            raise TemplateError(gettext_noop("Table %(table)s has %(rows)s rows; at most %(limit)s are accepted."),
                                table=number, rows=rows, limit=LIMITS["max_table_rows"])
    cells = sum(1 for _ in body.iter(qn("w:tc")))
    if cells > LIMITS["max_cells"]:
        raise TemplateError(gettext_noop("The document has %(cells)s table cells; at most %(limit)s are accepted."),
                            cells=cells, limit=LIMITS["max_cells"])

    blocks = []
    counters = {"paragraph": 0, "table": 0}
    # Style names by id, read once (python-docx looks each paragraph's style up in the styles part).
    style_names = {style.style_id: style.name or "" for style in document.styles}
    heading_ids = {sid for sid, name in style_names.items() if name.startswith("Heading") or name == "Title"}

    def clean(text):
        return fix_mixed_script(text.replace("\t", " ").replace("\r", ""))

    def walk(parent):
        for child in parent.iterchildren():
            if child.tag == qn("w:sdt"):  # a content control around body content
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    walk(content)
            elif child.tag == qn("w:p"):
                counters["paragraph"] += 1
                paragraph = Paragraph(child, document)
                heading = child.style in heading_ids
                text = clean(paragraph.text)
                blocks.append(Block("heading" if heading else "line", text.strip() if heading else text,
                                    Location(paragraph=counters["paragraph"])))
            elif child.tag == qn("w:tbl"):
                counters["table"] += 1
                table = Table(child, document)
                for row_number, tr in enumerate(child.findall(qn("w:tr")), start=1):
                    column = 1
                    for tc in tr.findall(qn("w:tc")):
                        where = Location(table=counters["table"], row=row_number, column=column)
                        column += tc.grid_span
                        if tc.vMerge == "continue":
                            continue  # the cell above, merged down: read once
                        cell = _Cell(tc, table)
                        text = "\n".join(clean(p.text) for p in cell.paragraphs)
                        blocks.append(Block("cell", text.strip(), where))
                        if cell.tables:
                            blocks.append(Block("nested", "", where))

    walk(body)
    return blocks


def _sections(blocks):
    """Split blocks at headings: [(heading title, blocks)], the first one untitled."""
    sections = [("", [])]
    for block in blocks:
        if block.kind == "heading":
            sections.append((block.text, []))
        else:
            sections[-1][1].append(block)
    return sections


def _section(sections, pattern):
    for title, body in sections:
        if re.fullmatch(pattern, title, re.I):
            return body
    raise SeedFormatError(f"section not found: {pattern}")


def _prose(blocks):
    """The prose lines of a section, joined as they were written."""
    return "\n".join(block.text for block in blocks if block.kind == "line")


def _paragraphs(body):
    """Prose of a section, paragraphs separated by one blank line."""
    return multi_line(body)


# ---------------------------------------------------------------------------
# The commitment template
# ---------------------------------------------------------------------------

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
# "Commitment 3: Title" or "Commitment 3. Title" in front of a title
_TITLE_PREFIX_RE = re.compile(r"^commitment\s+(?:no\.?\s*)?\d+\s*[:.–-]\s*", re.I)


def _short(text, limit=80):
    text = single_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def _agencies(abbreviations, lead_agencies, strict):
    agencies, known = [], set()
    for acronym, name in abbreviations:
        if acronym in NOT_INSTITUTIONS:
            continue
        if acronym not in AGENCY_KINDS and strict:
            raise SeedFormatError(f"abbreviation {acronym!r} missing from AGENCY_KINDS/NOT_INSTITUTIONS")
        agencies.append({"acronym": acronym, "name": name, "kind": AGENCY_KINDS.get(acronym, LEAD_AGENCY_KIND)})
        known.add(_agency_key(name))
    for name in lead_agencies:
        key = _agency_key(name)
        if name and key not in known:
            agencies.append({"acronym": None, "name": name, "kind": LEAD_AGENCY_KIND})
            known.add(key)
    return agencies


def _period(text):
    parts = re.split(r"\s+[–-]\s+", single_line(text))
    if len(parts) != 2:
        raise SeedFormatError(f"not a period: {text!r}")
    return parse_date(parts[0]), parse_date(parts[1])


def _budget(cells, report, where, number):
    lines = [line for cell in cells for line in multi_line(cell).split("\n") if line]
    sources = []
    for line in lines:
        for pattern, code in BUDGET_SOURCES:
            if pattern.search(line):
                if code not in sources:
                    sources.append(code)
                break
        else:
            report.problem(where, gettext_noop(
                "Milestone %(number)s: the budget “%(line)s” names no known source (development partners’ funds "
                "or a budget); it was kept as written, with no source ticked."), number=number, line=_short(line))
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


def _is_boundary(block):
    """A cell that ends a milestone's budget and date cells: another milestone, activity, label or heading."""
    text = block.text
    key = _key(text.split("\n")[0]) if text else ""
    return bool(_MILESTONE_RE.match(text) or _ACTIVITY_RE.match(text) or _EXPECTED_RE.match(text)
                or key in _FIELD_LABELS or key in _HEADER_CELLS)


def _parse_commitment(number, title, period_block, blocks, report, code):
    """One commitment: its period cell, then the cells of its template tables (``blocks``)."""
    cells = []
    for block in blocks:
        if block.kind == "nested":
            report.problem(block.where, gettext_noop("A table inside a table cell was not read."))
        elif block.kind == "line" and block.text.strip():
            report.problem(block.where, gettext_noop("Text outside the template tables was not imported: “%(text)s”."),
                           text=_short(block.text))
        elif block.kind == "cell":
            cells.append(block)

    period_text = _PERIOD_RE.match(period_block.text).group("period")
    if not period_text.strip() and cells and not _is_boundary(cells[0]):
        period_text = cells.pop(0).text  # two-column layout: the period is in the next cell
    try:
        start, end = _period(period_text)
    except SeedFormatError:
        report.problem(period_block.where, gettext_noop(
            "Commitment %(number)s: the start and end dates “%(text)s” could not be read."),
            number=number, text=_short(period_text))
        start = end = None

    fields = {}
    activities, expected = [], {}
    current = None
    index = 0
    while index < len(cells):
        block = cells[index]
        cell = block.text
        key = _key(cell.split("\n")[0]) if cell else ""
        if key in _FIELD_LABELS and "\n" not in cell:
            value_block = cells[index + 1] if index + 1 < len(cells) else None
            value = value_block.text if value_block else ""
            first = _key(value.split("\n")[0]) if value else ""
            if value_block is None or first in _FIELD_LABELS or first in _HEADER_CELLS:
                report.problem(block.where, gettext_noop(
                    "Commitment %(number)s: the label “%(label)s” has no value cell; the field was left empty."),
                    number=number, label=_short(cell))
                index += 1
                continue
            field_name = _FIELD_LABELS[key]
            fields[field_name] = single_line(value) if field_name in _SINGLE_LINE_FIELDS else multi_line(value)
            index += 2
            continue
        if key in _HEADER_CELLS and "\n" not in cell:
            index += 1
            continue
        match = _EXPECTED_RE.match(cell)
        if match:
            result_number = int(match.group("n")) if match.group("n") else None
            value_block = cells[index + 1] if index + 1 < len(cells) else None
            if value_block is None or _is_boundary(value_block) and not _MILESTONE_RE.match(value_block.text):
                report.problem(block.where, gettext_noop(
                    "Commitment %(number)s: the label “%(label)s” has no value cell; the field was left empty."),
                    number=number, label=_short(cell))
                index += 1
                continue
            expected[result_number] = multi_line(value_block.text)
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
            while rest < len(cells) and not _is_boundary(cells[rest]):
                rest += 1
            trailing = [b.text for b in cells[index + 1:rest]]
            dates = [text for text in trailing if is_date(text)]
            budget_cells = [text for text in trailing if text and not is_date(text)]
            milestone_number = match.group("n")
            if len(dates) != 2:
                report.problem(block.where, gettext_noop(
                    "Commitment %(number)s, milestone %(milestone)s: expected a start and an end date, "
                    "found %(found)s; the missing dates were left empty."),
                    number=number, milestone=milestone_number, found=len(dates))
            sources, budget_text = _budget(budget_cells, report, block.where, milestone_number)
            current["milestones"].append({
                "number": milestone_number,
                "deliverable": multi_line(match.group("text")),
                "budget_sources": sources,
                "budget_text": budget_text,
                "start": parse_date(dates[0]) if len(dates) > 0 else None,
                "end": parse_date(dates[1]) if len(dates) > 1 else None,
            })
            index = rest
            continue
        if not cell:
            index += 1
            continue
        report.problem(block.where, gettext_noop(
            "Commitment %(number)s: this cell was not understood and was not imported: “%(text)s”."),
            number=number, text=_short(cell))
        index += 1

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
        # Identifiers <code>0001, <code>0002 … are assigned in document order (the template has no numbers).
        "identifier": f"{code}{number:04d}",
        "title": _TITLE_PREFIX_RE.sub("", single_line(title)),
        "start": start,
        "end": end,
        "lead_agency": fields.get("lead_agency", ""),
        "problem": fields.get("problem", ""),
        "description": fields.get("description", ""),
        "contribution": fields.get("contribution", ""),
        "relevance": relevance,
        "additional_information": fields.get("additional_information", ""),
        "ogp_values": _ogp_values(relevance),
        "themes": [],  # the template lists the plan's themes but assigns none per commitment
        "activities": activities,
        "expected_results": "\n\n".join(loose),
        "contact": contact,
        "other_state_actors": fields.get("other_state_actors", ""),
        "other_actors": fields.get("other_actors", ""),
    }


def _is_period(block):
    return block.kind == "cell" and bool(_PERIOD_RE.match(block.text))


def _commitments(blocks, report, code):
    """Find each commitment by its "Commitment Start and End Date" cell; its title is the block just before."""
    starts = [i for i, block in enumerate(blocks) if _is_period(block)]
    if not starts:
        raise TemplateError(gettext_noop(
            "This document is not in OGP's commitment template: no “Commitment Start and End Date” "
            "cell was found."))
    commitments = []
    for position, start in enumerate(starts):
        title_index = start - 1
        while title_index >= 0 and not blocks[title_index].text.strip() and blocks[title_index].kind != "heading":
            title_index -= 1
        previous_end = starts[position - 1] if position else -1
        if title_index <= previous_end:
            report.problem(blocks[start].where, gettext_noop(
                "Commitment %(number)s has no title before its table."), number=position + 1)
            title = ""
        else:
            title = blocks[title_index].text
        stop = len(blocks)
        if position + 1 < len(starts):
            stop = starts[position + 1] - 1
            while stop > start and not blocks[stop].text.strip() and blocks[stop].kind != "heading":
                stop -= 1
        body = blocks[start + 1:stop]
        # A heading after the last table starts another part of the document.
        headings = [i for i, block in enumerate(body) if block.kind == "heading"]
        if headings:
            body = body[: headings[0]]
        commitments.append(_parse_commitment(position + 1, title, blocks[start], body, report, code))
    return commitments


def _optional(report, function, default=None):
    """Run a narrative look-up: required in strict mode, optional (default) in lenient mode."""
    try:
        return function()
    except SeedFormatError:
        if report.strict:
            raise
        return default


def parse_plan(blocks, *, strict=False, code=NATIONAL_MEMBER_CODE):
    """Parse a plan written in OGP's template; return (data, problems).

    ``data`` holds ``member`` (None when the accession sentence is missing), ``plan``,
    ``agencies``, ``forum`` (or None) and ``commitments``, in the layout of the seed
    fixture ``kg_nap_2018_2020.json``.  In strict mode (seed 001) every piece is required
    and the first problem raises ``SeedFormatError``.
    """
    report = Report(strict)
    sections = _sections(blocks)
    commitments = _commitments(blocks, report, code)

    def prose(pattern):
        return _prose(_section(sections, pattern))

    abbreviations = _optional(report, lambda: parse_abbreviations(_prose(sections[0][1])), [])

    def accession():
        joined = _search(r"On (" + DATE_IN_TEXT + r"), the (.+?) has officially joined the Open Government Partnership",
                         prose(r"\d+\.\s*introduction"), what="accession sentence")
        return {"name": joined.group(2), "code": code, "kind": "national", "country": joined.group(2),
                "joined_on": parse_date(joined.group(1))}

    member = _optional(report, accession)

    def stated_count():
        efforts = prose(r"\d+\.\s*open government efforts to date")
        return int(_search(r"It consists of (\d+) commitments and covers (\d+) thematic areas", efforts).group(1))

    stated = _optional(report, stated_count)
    if stated is not None and stated != len(commitments):
        if strict:
            raise SeedFormatError(f"seed states {stated} commitments, parsed {len(commitments)}")
        report.problem(None, gettext_noop("The document states %(stated)s commitments, but %(found)s were read."),
                       stated=stated, found=len(commitments))

    def title():
        efforts = prose(r"\d+\.\s*open government efforts to date")
        nap_years = _search(r"The NAP for (\d{4}-\d{4}) is the first NAP", efforts, what="plan period")
        plan_name = _search(r"The (NAP) (for the Open Government development in the Kyrgyz Republic) consists of",
                            prose(r"\d+\.\s*commitments"), what="plan name")
        return f"{ABBREVIATION_EXPANSIONS[plan_name.group(1)]} {plan_name.group(2)} for {nap_years.group(1)}"

    plan_title = _optional(report, title)
    if plan_title is None:
        # Any document: its first heading or line naming an action plan.
        plan_title = next((single_line(b.text) for b in blocks if b.kind in ("heading", "line")
                           and re.search(r"action plan", b.text, re.I) and len(b.text) < 300), None)

    def themes():
        block = _search(r"covers follow themes:\n((?:\d+\.\s.*\n)+)", prose(r"\d+\.\s*commitments"), what="theme list")
        return [re.sub(r"^\d+\.\s*", "", line).strip().rstrip(".") for line in block.group(1).strip().split("\n")]

    def approval():
        found = _search(r"By the (Government Decree No\. [\w-]+) from (" + DATE_IN_TEXT + r"), the NAP was approved",
                        prose(r"\d+\.\s*nap development process"), what="approval decree")
        return found.group(1), parse_date(found.group(2))

    def co_creation():
        return _paragraphs(_BOOKMARK_RE.sub("", prose(r"\d+\.\s*nap development process")))

    def forum():
        body = prose(r"\d+\.\s*open government national forum")
        founding = _search(r"The (.+?) was created by the (Government Decree No\. [\w-]+) on (" + DATE_IN_TEXT + r")",
                           body, what="forum founding")
        members = _search(r"consists of (\w+) representatives", body, what="forum size")
        chairs = _search(r"led by (\w+) co-chairs, one of whom \(the (.+?)\) represents the (.+?), "
                         r"and the other one representing the (.+?)\.", body, what="co-chairs")
        first_meeting = _search(r"The first meeting of the National Forum was held on (" + DATE_IN_TEXT + r")",
                                body, what="first meeting")
        meetings = _search(r"in the period till (" + DATE_IN_TEXT + r") (\w+) meetings", body, what="meeting period")
        co_chairs = [f"{chairs.group(2)} ({chairs.group(3)})", f"{chairs.group(4)} representative"]
        if len(co_chairs) != _number(chairs.group(1)):
            raise SeedFormatError("co-chair count mismatch")
        return {
            "name": founding.group(1),
            "founding_act": founding.group(2),
            "founded_on": parse_date(founding.group(3)),
            "member_count": _number(members.group(1)),
            "co_chairs": co_chairs,
            "first_meeting_on": parse_date(first_meeting.group(1)),
            "meetings_until": parse_date(meetings.group(1)),
            "meeting_count": _number(meetings.group(2)),
        }

    starts = sorted({c["start"] for c in commitments if c["start"]})
    ends = sorted({c["end"] for c in commitments if c["end"]})
    lead_agencies = []
    for commitment in commitments:
        if commitment["lead_agency"] not in lead_agencies:
            lead_agencies.append(commitment["lead_agency"])
    approval_act, approved_on = _optional(report, approval, ("", None))
    data = {
        "member": member,
        "plan": {
            "title": plan_title,
            "start": starts[0] if starts else None,
            "end": ends[-1] if ends else None,
            "lead_institution": None,  # the template names no lead/coordinating institution
            "themes": _optional(report, themes, []),
            "co_creation": _optional(report, co_creation, ""),
            "approval_act": approval_act,
            "approved_on": approved_on,
        },
        "agencies": _agencies(abbreviations, lead_agencies, strict),
        "forum": _optional(report, forum),
        "commitments": commitments,
    }
    return data, report.problems
