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

Over 600 lines as one cohesive thing: the reader of one document format.  The .docx and text
readers, the date and number helpers and the section parsers all encode the same template's
layout; split across modules, one change to the template would have to be followed through several.
"""

import calendar
import datetime
import io
import itertools
import re
import unicodedata
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

    kind: str  # "heading" | "line" | "cell" | "merged" (a vertically merged cell's lower part)
    text: str
    where: Location
    lines: list = field(default_factory=list, repr=False)
    merged_from: "Location | None" = None  # a "merged" block: the cell above that spans down into this row


class Report:
    """Collect problems (lenient) or raise at the first one (strict)."""

    def __init__(self, strict):
        self.strict = strict
        self.problems = []

    where = None  # the last place reached (for a message if reading stops unexpectedly)

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


# Month names as people write them in the plan's three languages: English (full or abbreviated),
# Russian (nominative "январь", genitive "января", prepositional "январе"), and Kyrgyz (the
# traditional names "Үчтүн айы" … "Бештин айы", and the Russian loan forms used in Kyrgyz,
# "январь", possessive "январы").  Matched on the lower-cased word(s).
_MONTH_NAMES = {}
for _index, _names in enumerate((
    ("january", "jan", "январь", "января", "январе", "январы", "үчтүн айы"),
    ("february", "feb", "февраль", "февраля", "феврале", "февралы", "бирдин айы"),
    ("march", "mar", "март", "марта", "марте", "марты", "жалган куран"),
    ("april", "apr", "апрель", "апреля", "апреле", "апрели", "чын куран"),
    ("may", "май", "мая", "мае", "майы", "бугу"),
    ("june", "jun", "июнь", "июня", "июне", "июну", "июну", "кулжа"),
    ("july", "jul", "июль", "июля", "июле", "июлу", "теке"),
    ("august", "aug", "август", "августа", "августе", "августу", "баш оона"),
    ("september", "sep", "sept", "сентябрь", "сентября", "сентябре", "сентябры", "аяк оона"),
    ("october", "oct", "октябрь", "октября", "октябре", "октябры", "тогуздун айы"),
    ("november", "nov", "ноябрь", "ноября", "ноябре", "ноябры", "жетинин айы"),
    ("december", "dec", "декабрь", "декабря", "декабре", "декабры", "бештин айы"),
), start=1):
    for _name in _names:
        _MONTH_NAMES[_name] = _index
_MONTH_WORDS = "|".join(sorted((re.escape(n) for n in _MONTH_NAMES), key=len, reverse=True))
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _month_number(name):
    key = " ".join(name.lower().rstrip(".").split())
    if key in _MONTH_NAMES:
        return _MONTH_NAMES[key]
    for index, month in enumerate(MONTHS, start=1):
        if len(key) >= 3 and month.startswith(key):
            return index
    raise SeedFormatError(f"unknown month {name!r}")


def _date_text(text):
    """A date cell as one lower-case line: NBSP, typographic dashes and year words ("г.", "года", "-ж.") dropped."""
    value = unicodedata.normalize("NFKC", text or "").replace("\u00a0", " ").lower()
    value = re.sub(r"\s+", " ", value).strip().rstrip(".;,").strip()
    value = re.sub(r"(\d{4})\s*-?\s*(?:жылдын|жылы|жыл|ж\.?|года|год|г\.?)(?=\s|$|,)", r"\1", value)
    return " ".join(value.replace(",", ", ").split()).replace(" ,", ",")


_M = rf"(?P<m>{_MONTH_WORDS}|[a-z]{{3,9}}\.?)"
_DATE_FORMS = (
    # "July 1, 2019", "August 31,  2020"
    (re.compile(rf"^{_M}\s+(?P<d>\d{{1,2}}),?\s*(?P<y>\d{{4}})$"), "day"),
    # "31 December 2021", "17th January 2025", "1 января 2019"
    (re.compile(rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th|-?[а-яө]{{1,3}})?\s+{_M}\s+(?P<y>\d{{4}})$"), "day"),
    # "2019 1-январы" (Kyrgyz order: the year first)
    (re.compile(rf"^(?P<y>\d{{4}}),?\s+(?P<d>\d{{1,2}})-?\s*{_M}$"), "day"),
    # "01.01.2019", "1/1/2019"
    (re.compile(r"^(?P<d>\d{1,2})[./](?P<mn>\d{1,2})[./](?P<y>\d{4})$"), "day"),
    # "2019-01-01"
    (re.compile(r"^(?P<y>\d{4})-(?P<mn>\d{1,2})-(?P<d>\d{1,2})$"), "day"),
    # "October 2018", "Dec 2025", "январь 2019", "Үчтүн айы 2019"
    (re.compile(rf"^{_M},?\s+(?P<y>\d{{4}})$"), "month"),
    # "2019 январь", "2019, январы"
    (re.compile(rf"^(?P<y>\d{{4}}),?\s+{_M}$"), "month"),
    # "01.2019", "2019-01"
    (re.compile(r"^(?P<mn>\d{1,2})[./](?P<y>\d{4})$"), "month"),
    (re.compile(r"^(?P<y>\d{4})-(?P<mn>\d{1,2})$"), "month"),
    # "Q1 2019", "1Q 2019", "I квартал 2019", "1-й квартал 2019", "I чейрек 2019", "2019 Q1", "1st quarter 2019"
    (re.compile(r"^(?:q(?P<q>[1-4])|(?P<q2>[1-4])q|(?P<q3>[1-4]|iv|iii|ii|i)(?:st|nd|rd|th|-?й|-)?\s*"
                r"(?:quarter|кв\.?|квартал|чейрек|чейреги))\s*,?\s*(?P<y>\d{4})$"), "quarter"),
    (re.compile(r"^(?P<y>\d{4}),?\s*(?:q(?P<q>[1-4])|(?P<q3>[1-4]|iv|iii|ii|i)-?\s*(?:квартал|чейрек|чейреги))$"),
     "quarter"),
    # "H1 2019", "I полугодие 2019", "1st half 2019"
    (re.compile(r"^(?:h(?P<h>[12])|(?P<h2>[12]|ii|i)(?:st|nd|-е|-)?\s*(?:half|полугодие|жарым жылдык))"
                r"\s*,?\s*(?P<y>\d{4})$"), "half"),
)
# A date in running text, day precision only (for letters and narrative).
_MONTH_RE = r"[A-Za-z]{3,9}\.?"
DATE_IN_TEXT = (
    rf"(?:{_MONTH_RE}\s+\d{{1,2}},\s*\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_RE}\s+\d{{4}})"
)


def _number_or_roman(text):
    return int(text) if text.isdigit() else _ROMAN[text]


def parse_date(text, role="start"):
    """Parse a date as precisely as it is written.

    Returns ``"YYYY-MM-DD"`` for a day ("July 1, 2019", "31 December 2021", "01.01.2019",
    "2019-01-01", "1 января 2019 г.") and ``"YYYY-MM"`` for a month ("October 2018",
    "январь 2019 г.", "Кулжа 2019", "01.2019").  A quarter ("Q1 2019", "I квартал 2019") or a
    half-year is its first month as a start (``role="start"``) and its last month as an end
    (``role="end"``).  Raises SeedFormatError for anything else.
    """
    value = _date_text(text)
    for pattern, precision in _DATE_FORMS:
        match = pattern.match(value)
        if not match:
            continue
        groups = match.groupdict()
        year = int(groups["y"])
        try:
            if precision in ("quarter", "half"):
                if precision == "quarter":
                    part = _number_or_roman(groups.get("q") or groups.get("q2") or groups.get("q3"))
                    first, length = 3 * (part - 1) + 1, 3
                else:
                    part = _number_or_roman(groups.get("h") or groups.get("h2"))
                    first, length = 6 * (part - 1) + 1, 6
                month = first if role == "start" else first + length - 1
                return f"{year:04d}-{month:02d}"
            month = int(groups["mn"]) if groups.get("mn") else _month_number(groups["m"])
            if precision == "month":
                if not 1 <= month <= 12:
                    continue
                return f"{year:04d}-{month:02d}"
            return datetime.date(year, month, int(groups["d"])).isoformat()
        except (SeedFormatError, ValueError, KeyError):
            continue
    raise SeedFormatError(f"not a date: {text!r}")


def is_date(text):
    try:
        parse_date(text)
    except SeedFormatError:
        return False
    return True


def day_date(value, role="start"):
    """A date string of month precision as a day: its first day as a start, its last day as an end."""
    if value is None or len(value) != 7:
        return value
    year, month = int(value[:4]), int(value[5:])
    day = 1 if role == "start" else calendar.monthrange(year, month)[1]
    return datetime.date(year, month, day).isoformat()


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
    """Comparison key of a template label by meaning: case, whitespace (NBSP too), punctuation, quotes ignored."""
    text = unicodedata.normalize("NFKC", label or "").casefold()
    return re.sub(r"[\W_]+", "", text)


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


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Parts of a paragraph that Word does not show: deleted and moved-away text (tracked changes read as if
# accepted), properties, and the second copy of alternate content.
_HIDDEN = {_W + "del", _W + "moveFrom", _W + "pPr", _W + "rPr", _W + "instrText", _W + "delText", _MC_FALLBACK}
_TRACKED = (_W + "ins", _W + "del", _W + "moveFrom", _W + "moveTo")
# Containers that only wrap content (content controls, custom XML, tracked insertions around rows or cells).
_WRAPPERS = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "moveTo", _W + "smartTag"}


def _roman(number):
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                           (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out, number = out + letters, number - value
    return out


def _letters(number, alphabet):
    count = len(alphabet)
    return alphabet[(number - 1) % count] * ((number - 1) // count + 1)


def _format_number(number, fmt):
    if fmt in ("lowerLetter",):
        return _letters(number, "abcdefghijklmnopqrstuvwxyz")
    if fmt == "upperLetter":
        return _letters(number, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if fmt == "lowerRoman":
        return _roman(number)
    if fmt == "upperRoman":
        return _roman(number).upper()
    if fmt == "russianLower":
        return _letters(number, "абвгдежзиклмнопрстуфхцчшщэюя")
    if fmt == "russianUpper":
        return _letters(number, "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ")
    if fmt == "decimalZero":
        return f"{number:02d}"
    return str(number)


class _Numbering:
    """Word's automatic numbering: the number a numbered paragraph shows, computed as Word does (numbering part)."""

    def __init__(self, numbering_xml, styles_xml):
        self.abstract = {}  # abstractNumId -> {ilvl: (start, numFmt, lvlText, suff)}
        self.nums = {}  # numId -> (abstractNumId, {ilvl: startOverride})
        self.counters = {}  # abstractNumId -> {ilvl: current value}
        self.started = set()
        self.style_num = {}  # styleId -> (numId, ilvl)
        if numbering_xml is not None:
            for abstract in numbering_xml.findall(_W + "abstractNum"):
                levels = {}
                for lvl in abstract.findall(_W + "lvl"):
                    def val(tag, default=None, lvl=lvl):
                        element = lvl.find(_W + tag)
                        return element.get(_W + "val", default) if element is not None else default
                    levels[int(lvl.get(_W + "ilvl", "0"))] = (
                        int(val("start", "1") or 1), val("numFmt", "decimal"), val("lvlText", ""), val("suff", "tab"),
                        lvl.find(_W + "isLgl") is not None)
                self.abstract[abstract.get(_W + "abstractNumId")] = levels
            for num in numbering_xml.findall(_W + "num"):
                ref = num.find(_W + "abstractNumId")
                overrides = {}
                for override in num.findall(_W + "lvlOverride"):
                    start = override.find(_W + "startOverride")
                    if start is not None:
                        overrides[int(override.get(_W + "ilvl", "0"))] = int(start.get(_W + "val", "1"))
                if ref is not None:
                    self.nums[num.get(_W + "numId")] = (ref.get(_W + "val"), overrides)
        if styles_xml is not None:
            based, own = {}, {}
            for style in styles_xml.findall(_W + "style"):
                sid = style.get(_W + "styleId")
                parent = style.find(_W + "basedOn")
                if parent is not None:
                    based[sid] = parent.get(_W + "val")
                num_pr = style.find(f"{_W}pPr/{_W}numPr")
                if num_pr is not None:
                    own[sid] = num_pr
            for sid in set(based) | set(own):
                seen, current = set(), sid
                while current and current not in own and current not in seen:
                    seen.add(current)
                    current = based.get(current)
                if current in own:
                    self.style_num[sid] = self._num_pr(own[current])

    @staticmethod
    def _num_pr(num_pr):
        num_id = num_pr.find(_W + "numId")
        ilvl = num_pr.find(_W + "ilvl")
        return (num_id.get(_W + "val") if num_id is not None else None,
                int(ilvl.get(_W + "val", "0")) if ilvl is not None else None)

    def label(self, p):
        """The number (or "" for a bullet) Word shows in front of paragraph ``p``, or None when it is not numbered."""
        if not self.nums:
            return None
        ppr = p.find(_W + "pPr")
        num_id = ilvl = None
        if ppr is not None:
            style = ppr.find(_W + "pStyle")
            if style is not None and style.get(_W + "val") in self.style_num:
                num_id, ilvl = self.style_num[style.get(_W + "val")]
            num_pr = ppr.find(_W + "numPr")
            if num_pr is not None:
                own_id, own_lvl = self._num_pr(num_pr)
                num_id = own_id if own_id is not None else num_id
                ilvl = own_lvl if own_lvl is not None else ilvl
        if not num_id or num_id == "0" or num_id not in self.nums:
            return None
        ilvl = ilvl or 0
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        if ilvl not in levels:
            return None
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for level, start in overrides.items():  # a restarted list
                counters.pop(level, None)
        start_of = {level: overrides.get(level, spec[0]) for level, spec in levels.items()}
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start_of.get(ilvl, 1)
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]
        start, fmt, text, suff, legal = levels[ilvl]
        if fmt == "bullet" or fmt == "none":
            return ""

        def number(match):
            level = int(match.group(1)) - 1
            value = counters.get(level, start_of.get(level, 1))
            spec = levels.get(level)
            level_fmt = "decimal" if legal or spec is None else spec[1]
            return _format_number(value, level_fmt)

        shown = re.sub(r"%(\d)", number, text)
        return shown + ("" if suff == "nothing" else " ")


def _paragraph_text(p):
    """The text of paragraph ``p`` as Word shows it with tracked changes accepted (line breaks as "\\n")."""
    parts = []

    def walk(element):
        for child in element:
            tag = child.tag
            if tag in _HIDDEN or not isinstance(tag, str):
                continue
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag == _W + "tab" or tag == _W + "ptab":
                parts.append(" ")
            elif tag == _W + "br":
                if child.get(_W + "type") not in ("page", "column"):
                    parts.append("\n")
            elif tag == _W + "cr":
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "sym":
                continue
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def _paragraph_deleted(p):
    """A paragraph whose mark and all text were deleted (tracked): accepted, it is gone."""
    mark = p.find(f"{_W}pPr/{_W}rPr/{_W}del")
    return mark is not None


def _children(element, wanted):
    """Children of ``element`` with tag ``wanted``, looking through content controls and other wrappers."""
    for child in element:
        if child.tag == wanted:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, wanted)


def read_docx(data):
    """Read a .docx in document order, as Word shows it, into blocks.

    Paragraphs become lines (headings by style), table cells become cells: merged cells are
    read once (a vertically merged cell leaves a ``merged`` block naming its first cell in
    the rows below), tables nested in a cell are read after the cell's own text, Word's
    automatic numbering is written out as Word shows it, content controls are read, and
    tracked changes are read as if accepted (``read_docx.tracked`` on the blocks' list says
    whether the file had any).  Headers, footers and comments are not part of the body.
    """
    check_docx_archive(data)
    import docx  # python-docx; imported here so that the text path needs no lxml
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds (KeyError, XMLSyntaxError, PackageNotFoundError …)
        raise TemplateError(gettext_noop("The file could not be read as a Word .docx document.")) from None
    body = document.element.body
    # Count rows and cells on the raw XML, before anything is built for them.
    for number, tbl in enumerate(body.iter(qn("w:tbl")), start=1):
        rows = sum(1 for _ in tbl.iter(qn("w:tr")))
        if rows > LIMITS["max_table_rows"]:
            raise TemplateError(gettext_noop("Table %(table)s has %(rows)s rows; at most %(limit)s are accepted."),
                                table=number, rows=rows, limit=LIMITS["max_table_rows"])
    cells = sum(1 for _ in body.iter(qn("w:tc")))
    if cells > LIMITS["max_cells"]:
        raise TemplateError(gettext_noop("The document has %(cells)s table cells; at most %(limit)s are accepted."),
                            cells=cells, limit=LIMITS["max_cells"])

    try:
        numbering_xml = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        numbering_xml = None
    numbering = _Numbering(numbering_xml, document.styles.element)
    blocks = BlockList()
    blocks.tracked = any(True for tag in _TRACKED for _ in body.iter(tag))
    counters = {"paragraph": 0, "table": 0}
    style_names = {style.style_id: style.name or "" for style in document.styles}
    heading_ids = {sid for sid, name in style_names.items()
                   if name.lower().startswith("heading") or name.lower() == "title"}

    def clean(text):
        return fix_mixed_script(text.replace("\t", " ").replace("\r", ""))

    def paragraph_line(p):
        if _paragraph_deleted(p) and not _paragraph_text(p).strip():
            return None
        label = numbering.label(p)
        return clean((label or "") + _paragraph_text(p))

    def walk(parent):
        for child in parent:
            if child.tag in _WRAPPERS:
                walk(child)
            elif child.tag == qn("w:p"):
                counters["paragraph"] += 1
                text = paragraph_line(child)
                if text is None:
                    continue
                ppr = child.find(qn("w:pPr"))
                style = ppr.find(qn("w:pStyle")) if ppr is not None else None
                heading = style is not None and style.get(qn("w:val")) in heading_ids
                blocks.append(Block("heading" if heading else "line", text.strip() if heading else text,
                                    Location(paragraph=counters["paragraph"])))
            elif child.tag == qn("w:tbl"):
                table(child)

    def cell_content(element, lines, nested):
        for child in element:
            if child.tag == qn("w:p"):
                text = paragraph_line(child)
                if text is not None:
                    lines.append(text)
            elif child.tag == qn("w:tbl"):
                nested.append(child)
            elif child.tag in _WRAPPERS:
                cell_content(child, lines, nested)

    def table(tbl):
        counters["table"] += 1
        number = counters["table"]
        origins = {}  # grid column -> location of the cell that starts a vertical merge there
        row_number = 0
        for tr in _children(tbl, qn("w:tr")):
            if tr.find(f"{qn('w:trPr')}/{qn('w:del')}") is not None:
                continue  # a deleted row (tracked): accepted, it is gone
            row_number += 1
            column = 1
            for tc in _children(tr, qn("w:tc")):
                tcpr = tc.find(qn("w:tcPr"))
                span, vmerge = 1, None
                if tcpr is not None:
                    grid = tcpr.find(qn("w:gridSpan"))
                    span = int(grid.get(qn("w:val"), "1")) if grid is not None else 1
                    merge = tcpr.find(qn("w:vMerge"))
                    if merge is not None:
                        vmerge = merge.get(qn("w:val"), "continue")
                where = Location(table=number, row=row_number, column=column)
                if vmerge == "continue":
                    block = Block("merged", "", where)
                    block.merged_from = origins.get(column)
                    blocks.append(block)
                    column += span
                    continue
                if vmerge == "restart":
                    origins[column] = where
                else:
                    origins.pop(column, None)
                column += span
                lines, nested = [], []
                cell_content(tc, lines, nested)
                blocks.append(Block("cell", "\n".join(lines).strip(), where))
                for inner in nested:
                    table(inner)

    walk(body)
    return blocks


class BlockList(list):
    """The blocks of a document, and whether it had tracked changes (read as if accepted)."""

    tracked = False


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

# The template's labels in the three languages of the plan, one dictionary per language:
# field -> the label(s) as the template writes them.  Labels are compared by meaning
# (``_key``: case, spacing, NBSP, punctuation, quotes and a trailing colon ignored).
LABELS = {
    "en": {
        "period": ("Commitment Start and End Date", "Commitment start and end dates"),
        "lead_agency": ("Lead implementing agency/actor", "Lead implementing agency", "Lead agency"),
        "problem": ("What is the public problem that the commitment will address?",),
        "description": ("What is the commitment?",),
        "contribution": ("How will the commitment contribute to solve the public problem?",),
        "relevance": ("Why is this commitment relevant to OGP values?",),
        "additional_information": ("Additional information",),
        "contact_name": ("Name of responsible person from implementing agency",),
        "contact_title": ("Title, Department",),
        "email_phone": ("Email and Phone",),
        "other_state_actors": ("Other Actors Involved – State actors involved", "State actors involved"),
        "other_actors": ("CSOs, private sector, multilaterals, working groups",),
        "_header": ("Commitment description", "Contact information", "Other Actors Involved",
                    "Milestone Activity with a verifiable deliverable", "Budget", "Start date", "End date"),
    },
    "ru": {
        "period": ("Дата начала и окончания обязательства", "Дата начала и окончания выполнения обязательства",
                   "Сроки начала и окончания обязательства", "Срок выполнения обязательства"),
        "lead_agency": ("Ведущее ведомство", "Ведущее ведомство/субъект", "Ведущий исполнитель",
                        "Ведущее ведомство-исполнитель", "Ведущий государственный орган"),
        "problem": ("Какую общественную проблему решает обязательство?",
                    "Какую общественную проблему будет решать обязательство?",
                    "На решение какой общественной проблемы направлено обязательство?"),
        "description": ("В чем заключается обязательство?", "Что представляет собой обязательство?",
                        "Суть обязательства"),
        "contribution": ("Как обязательство будет способствовать решению общественной проблемы?",
                         "Каким образом обязательство будет способствовать решению общественной проблемы?"),
        "relevance": ("Почему это обязательство соответствует ценностям ОГП?",
                      "Почему данное обязательство соответствует ценностям ОГП?",
                      "Почему это обязательство актуально для ценностей ОГП?"),
        "additional_information": ("Дополнительная информация",),
        "contact_name": ("ФИО ответственного лица ведомства-исполнителя", "ФИО ответственного лица",
                         "Ответственное лицо ведомства-исполнителя"),
        "contact_title": ("Должность, отдел", "Должность, подразделение"),
        "email_phone": ("Электронная почта и телефон", "E-mail и телефон", "Эл. почта и телефон"),
        "other_state_actors": ("Другие участники – государственные органы", "Вовлеченные государственные органы",
                               "Другие вовлеченные государственные органы"),
        "other_actors": ("ОГО, частный сектор, многосторонние организации, рабочие группы",
                         "Организации гражданского общества, частный сектор, многосторонние организации, "
                         "рабочие группы"),
        "_header": ("Описание обязательства", "Контактная информация", "Другие участники",
                    "Мероприятие с проверяемым результатом", "Контрольная точка с проверяемым результатом",
                    "Бюджет", "Дата начала", "Дата окончания"),
    },
    "ky": {
        "period": ("Милдеттенменин башталыш жана аяктоо датасы", "Милдеттенменин башталыш жана бүтүү датасы"),
        "lead_agency": ("Жетектөөчү мекеме", "Негизги аткаруучу мекеме", "Жооптуу аткаруучу мекеме"),
        "problem": ("Милдеттенме кандай коомдук көйгөйдү чечет?",
                    "Милдеттенме кайсы коомдук көйгөйдү чечүүгө багытталган?"),
        "description": ("Милдеттенме эмнеден турат?", "Милдеттенменин мазмуну"),
        "contribution": ("Милдеттенме коомдук көйгөйдү чечүүгө кандай салым кошот?",),
        "relevance": ("Бул милдеттенме эмне үчүн АӨӨнүн баалуулуктарына тиешелүү?",
                      "Милдеттенме эмне үчүн АӨӨнүн баалуулуктарына шайкеш келет?"),
        "additional_information": ("Кошумча маалымат",),
        "contact_name": ("Аткаруучу мекеменин жооптуу адамынын аты-жөнү", "Жооптуу адамдын аты-жөнү"),
        "contact_title": ("Кызматы, бөлүмү", "Кызматы, бөлүм"),
        "email_phone": ("Электрондук почта жана телефон",),
        "other_state_actors": ("Катышкан башка мамлекеттик органдар",),
        "other_actors": ("Жарандык коом уюмдары, жеке сектор, көп тараптуу уюмдар, жумушчу топтор",),
        "_header": ("Милдеттенменин сүрөттөлүшү", "Байланыш маалыматы", "Катышкан башка тараптар",
                    "Текшерилүүчү натыйжасы бар иш-чара", "Бюджет", "Башталыш датасы", "Аяктоо датасы"),
    },
}
# Translated text fields of a commitment: content of a Russian or Kyrgyz document goes into their `_ru` / `_ky` columns.
LANGUAGES = tuple(LABELS)

# label key -> (field, language); "_header" cells carry no value; the period label is matched by _PERIOD_PATTERNS.
_FIELD_LABELS, _HEADER_CELLS = {}, {}
for _language, _fields in LABELS.items():
    for _field, _labels in _fields.items():
        for _label in _labels:
            if _field == "_header":
                _HEADER_CELLS[_key(_label)] = _language
            elif _field != "period":
                _FIELD_LABELS[_key(_label)] = (_field, _language)
_PERIOD_PATTERNS = [
    re.compile(r"^[\W_]*" + r"[\W_]+".join(re.findall(r"\w+", _label)) + r"(?![\w])[\W_]*?(?P<period>(?:\w.*)?)$",
               re.I | re.S)
    for _language in LABELS for _label in LABELS[_language]["period"]
]
_SINGLE_LINE_FIELDS = {"lead_agency", "contact_name", "contact_title"}
_ACTIVITY_RE = re.compile(r"^(?:Activity|Мероприятие|Деятельность|Иш[-\s]чара)\s*(?:№\s*)?(?P<n>\d+)\s*[:.]\s*(?P<title>.*)$",
                          re.S | re.I)
_MILESTONE_RE = re.compile(r"^(?P<n>\d+\.\d+)\.?\s+(?P<text>.*)$", re.S)
_EXPECTED_RE = re.compile(r"^(?:Expected\s+results?|Ожидаемы[йе]\s+результаты?|Күтүлүүчү\s+натыйжа(?:лар)?)\s*(?:№\s*)?"
                          r"(?P<n>\d+)?\s*:?$", re.I)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "Commitment 3: Title" or "Commitment 3. Title" in front of a title
_TITLE_PREFIX_RE = re.compile(r"^(?:commitment|обязательство|милдеттенме)\s+(?:no\.?\s*|№\s*)?\d+\s*[:.–-]\s*", re.I)


def _field_label(text):
    """(field, language) of a label cell, or None."""
    return _FIELD_LABELS.get(_key(text)) if text and len(text) < 200 else None


def _header_label(text):
    return bool(text) and len(text) < 200 and _key(text) in _HEADER_CELLS


def _period_label(text):
    """The period written after the "Commitment Start and End Date" label in the same cell ("" if none), or None."""
    if not text or len(text) > 400:
        return None
    for pattern in _PERIOD_PATTERNS:
        match = pattern.match(unicodedata.normalize("NFKC", text))
        if match:
            return match.group("period")
    return None


def _short(text, limit=80):
    text = single_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_abbreviations(text, strict=True):
    """The "ACRONYM – Full name" list that opens seed 001: [(acronym, name)].

    Lenient (uploads): lines that are not such an entry (a title page, a table of contents) are skipped.
    """
    entries = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        match = re.match(r"^(?P<acronym>.+?)\s*[–-]\s+(?P<name>.+)$", line)
        if not strict and match and not re.fullmatch(r"[^\s].{0,24}", match.group("acronym")) or \
                not strict and match and sum(ch.isupper() for ch in match.group("acronym")) < 2:
            match = None
        if not match and not strict:
            continue
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
    """(start, end) days of a commitment's period: a month alone is its first day as a start, its last as an end."""
    value = re.sub(r"^\s*(?:from|с|со)\s+", "", single_line(text), flags=re.I)
    parts = re.split(r"\s+[–—-]\s+|\s*[–—]\s*|\s+(?:to|until|till|до|по|чейин)\s+", value, flags=re.I)
    if len(parts) != 2:
        raise SeedFormatError(f"not a period: {text!r}")
    start, end = parse_date(parts[0], "start"), parse_date(parts[1], "end")
    return day_date(start, "start"), day_date(end, "end")


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
    first = text.split("\n")[0] if text else ""
    return bool(_MILESTONE_RE.match(text) or _ACTIVITY_RE.match(text) or _EXPECTED_RE.match(text)
                or _field_label(text) or _field_label(first) or _header_label(text) or _header_label(first))


def _continuation(cells, index, label):
    """Value cells in the rows below a label merged down over them (or an empty label cell): [(texts)], next index.

    ``index`` is just after the label's first value cell.
    """
    texts = []
    while index + 1 < len(cells):
        marker, value = cells[index], cells[index + 1]
        merged = marker.kind == "merged" and marker.merged_from == label.where
        empty_label = (marker.kind == "cell" and not marker.text and label.where.table is not None
                       and marker.where.table == label.where.table and marker.where.column == label.where.column
                       and marker.where.row is not None and value.where.row == marker.where.row)
        if not (merged or empty_label) or value.kind != "cell" or _field_label(value.text) \
                or _header_label(value.text) or _ACTIVITY_RE.match(value.text) or _EXPECTED_RE.match(value.text):
            break
        texts.append(value.text)
        index += 2
    return texts, index


def _dates_of(trailing, report, number, milestone_number, where):
    """Budget cells and (start, end) of a milestone row from the cells after its deliverable.

    The template's row is deliverable | budget | start date | end date: with three cells the last
    two are the dates, whatever they hold; otherwise the cells that read as dates are the dates.
    An unreadable date is left out (None) and reported where it is, never moved to the budget.
    """
    if len(trailing) == 3 and not is_date(trailing[0].text):
        budget, date_cells = [trailing[0]], trailing[1:]
    else:
        date_cells = [b for b in trailing if is_date(b.text)]
        budget = [b for b in trailing if b.text and not is_date(b.text)]
        if len(date_cells) != 2:
            report.problem(where, gettext_noop(
                "Commitment %(number)s, milestone %(milestone)s: expected a start and an end date, "
                "found %(found)s; the missing dates were left empty."),
                number=number, milestone=milestone_number, found=len(date_cells))
    dates = []
    for block, role in zip(date_cells, ("start", "end")):
        try:
            dates.append(parse_date(block.text, role))
        except SeedFormatError:
            report.problem(block.where, gettext_noop(
                "Commitment %(number)s, milestone %(milestone)s: the date “%(text)s” could not be read; "
                "it was not imported."), number=number, milestone=milestone_number, text=_short(block.text))
            dates.append(_UNREAD)
    while len(dates) < 2:
        dates.append(None)
    return [b.text for b in budget], dates


_UNREAD = object()  # a value that is in the file but could not be read: the stored value is kept


def _parse_commitment(number, title, period_block, blocks, report, code):
    """One commitment: its period cell, then the cells of its template tables (``blocks``)."""
    cells = []
    for block in blocks:
        if block.kind == "line" and block.text.strip():
            report.problem(block.where, gettext_noop("Text outside the template tables was not imported: “%(text)s”."),
                           text=_short(block.text))
        elif block.kind in ("cell", "merged"):
            cells.append(block)

    report.where = period_block.where
    languages = {}
    period_text = _period_label(period_block.text)
    period_where = period_block.where
    if not period_text.strip():
        # the period is in the next cell (the template's two columns)
        following = next((i for i, b in enumerate(cells) if b.kind == "cell"), None)
        if following is not None and not _is_boundary(cells[following]):
            period_where = cells[following].where
            period_text = cells.pop(following).text
    try:
        start, end = _period(period_text)
    except SeedFormatError:
        report.problem(period_where, gettext_noop(
            "Commitment %(number)s: the start and end dates “%(text)s” could not be read; they were not imported."),
            number=number, text=_short(period_text))
        start = end = _UNREAD

    fields, seen = {}, set()
    activities, expected = [], {}
    current = None
    index = 0
    while index < len(cells):
        block = cells[index]
        report.where = block.where
        if block.kind == "merged":
            index += 1
            continue
        cell = block.text
        label = _field_label(cell)
        if label:
            field_name, language = label
            languages[language] = languages.get(language, 0) + 1
            seen.add(field_name)
            value_index = index + 1
            while value_index < len(cells) and cells[value_index].kind == "merged":
                value_index += 1
            value_block = cells[value_index] if value_index < len(cells) else None
            value = value_block.text if value_block else ""
            if value_block is None or _field_label(value) or _header_label(value) or \
                    _field_label(value.split("\n")[0]) or _header_label(value.split("\n")[0]):
                report.problem(block.where, gettext_noop(
                    "Commitment %(number)s: the label “%(label)s” has no value cell; the stored value is kept."),
                    number=number, label=_short(cell))
                index += 1
                continue
            more, index = _continuation(cells, value_index + 1, block)
            value = "\n".join([value, *more])
            fields[field_name] = single_line(value) if field_name in _SINGLE_LINE_FIELDS else multi_line(value)
            continue
        if _header_label(cell):
            index += 1
            continue
        match = _EXPECTED_RE.match(cell)
        if match:
            result_number = int(match.group("n")) if match.group("n") else None
            value_block = cells[index + 1] if index + 1 < len(cells) else None
            if value_block is None or _is_boundary(value_block) and not _MILESTONE_RE.match(value_block.text):
                report.problem(block.where, gettext_noop(
                    "Commitment %(number)s: the label “%(label)s” has no value cell; the stored value is kept."),
                    number=number, label=_short(cell))
                index += 1
                continue
            more, index = _continuation(cells, index + 2, block)
            expected[result_number] = multi_line("\n".join([value_block.text, *more]))
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
            trailing = [b for b in cells[index + 1:rest] if b.kind == "cell"]
            milestone_number = match.group("n")
            budget_cells, (start_date, end_date) = _dates_of(trailing, report, number, milestone_number, block.where)
            sources, budget_text = _budget(budget_cells, report, block.where, milestone_number)
            milestone = {
                "number": milestone_number,
                "deliverable": multi_line(match.group("text")),
                "budget_sources": sources,
                "budget_text": budget_text,
                "start": start_date,
                "end": end_date,
            }
            for key in ("start", "end"):
                if milestone[key] is _UNREAD:
                    del milestone[key]  # read nothing: the stored date is kept
            current["milestones"].append(milestone)
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
    result = {
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
    if not report.strict:
        # What the file does not hold is left out, so that a re-import keeps the stored value.
        if seen:
            for key in ("lead_agency", "problem", "description", "contribution", "relevance", "contact_name",
                        "contact_title", "email_phone"):
                if key not in seen:
                    report.problem(period_block.where, gettext_noop(
                        "Commitment %(number)s: no “%(label)s” cell was found; the stored value is kept."),
                        number=number, label=LABELS["en"][key][0])
        for key in ("lead_agency", "problem", "description", "contribution", "relevance",
                    "additional_information", "other_state_actors", "other_actors"):
            if key not in fields:
                del result[key]
        if "relevance" not in fields:
            del result["ogp_values"]
        for key, label in (("name", "contact_name"), ("title", "contact_title")):
            if label not in fields:
                del contact[key]
        if "email_phone" not in fields:
            for key in ("email", "phone", "email_phone_raw"):
                del contact[key]
        if not expected and not loose:
            del result["expected_results"]
        for key in ("start", "end"):
            if result[key] is _UNREAD:
                del result[key]
        result["language"] = max(languages, key=languages.get) if languages else "en"
    elif start is _UNREAD:
        result["start"] = result["end"] = None
    return result


def _is_period(block):
    return block.kind == "cell" and _period_label(block.text) is not None


def _commitments(blocks, report, code):
    """Find each commitment by its "Commitment Start and End Date" cell; its title is the block just before."""
    starts = [i for i, block in enumerate(blocks) if _is_period(block)]
    if not starts:
        raise TemplateError(gettext_noop(
            "This document is not in OGP's commitment template: no cell “%(labels)s” (the commitment's start and "
            "end date) was found."), labels="” / “".join(LABELS[language]["period"][0] for language in LANGUAGES))
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


# ---------------------------------------------------------------------------
# Plan-level prose in Russian and Kyrgyz
# ---------------------------------------------------------------------------

# The plan's narrative (themes, co-creation, approval act and date, title) as Russian and Kyrgyz plans write it, one
# dictionary per language (English: the seed's own sentences, read by _parse_plan).  Headings are matched without
# their number ("3. ПРОЦЕСС РАЗРАБОТКИ НПД"); the approval sentence gives the act in the nominative.
_LOCAL_DATE = r"(?:\d{1,2}[./]\d{1,2}[./]\d{4}|\d{1,2}\s+[а-яё]{3,9}\s+\d{4}|\d{4}\s*-?\s*жылдын\s+\d{1,2}\s*-?\s*[а-яөүң]{3,14})"
PLAN_PROSE = {
    "ru": {
        "process": (r"процесс (?:совместной )?разработки (?:нпд|национального плана действий|плана действий)",
                    r"совместная разработка (?:нпд|национального плана действий|плана действий)"),
        "commitments": (r"обязательства(?: нпд)?",),
        "themes": r"(?:охватывает|включает|затрагивает)\s+следующие\s+(?:темы|тематические\s+направления|направления)",
        "approval": (r"(?P<kind>постановлени|распоряжени)\w*\s+(?P<who>правительства(?:\s+кыргызской\s+республики)?)"
                     rf"\s+(?:от\s+(?P<date>{_LOCAL_DATE})\s*(?:года|г\.)?\s*)?№\s*(?P<number>[\w-]+)"
                     rf"(?:\s+от\s+(?P<date2>{_LOCAL_DATE}))?[^.]*?утвержд"),
        "act": lambda m: f"{m.group('kind').capitalize()}е {m.group('who')} № {m.group('number')}",
        "title": r"план(?:а)? действий",
    },
    "ky": {
        "process": (r"(?:уип|улуттук иш-аракеттер планын|иш-аракеттер планын)ти? иштеп чыгуу процесси",
                    r"(?:уип|улуттук иш-аракеттер планын)ти? биргелешип иштеп чыгуу"),
        "commitments": (r"милдеттенмелер",),
        "themes": r"төмөнкү\s+(?:темаларды|багыттарды|тематикалык\s+багыттарды)\s+(?:камтыйт|өз\s+ичине\s+алат)",
        "approval": (r"(?P<who>(?:кыргыз\s+республикасынын\s+)?(?:өкмөтүнүн|министрлер\s+кабинетинин))"
                     rf"\s+(?P<date>{_LOCAL_DATE})[\w-]*\s+№\s*(?P<number>[\w-]+)\s+(?P<kind>буйругу|токтому)"
                     r"[^.]*?бекит"),
        "act": lambda m: f"{m.group('who')} № {m.group('number')} {m.group('kind')}",
        "title": r"иш-аракеттер план",
    },
}


def _local_date(text):
    """A date in Russian or Kyrgyz running text ("16 октября 2018", "2018-жылдын 16-октябрындагы")."""
    text = re.sub(r"н?(?:да|де|до|дө|та|те|то|тө)(?:гы|ги|гу|гү)$", "", text.strip())
    return parse_date(text)


def _local_prose(blocks, sections, language):
    """The plan-level narrative of a Russian or Kyrgyz document: {field: value} of what was found."""
    words = PLAN_PROSE[language]

    def section(patterns):
        for heading, body in sections:
            key = " ".join(re.sub(r"^\s*\d+\.?\s*", "", unicodedata.normalize("NFKC", heading)).split()).casefold()
            if any(re.fullmatch(pattern, key.rstrip(".:")) for pattern in patterns):
                return body
        return None

    found = {}
    process = section(words["process"])
    if process is not None:
        text = _prose(process)
        found["co_creation"] = _paragraphs(_BOOKMARK_RE.sub("", text))
        match = re.search(words["approval"], text.replace("\u00a0", " "), re.I)
        if match:
            found["approval_act"] = words["act"](match)
            try:
                found["approved_on"] = _local_date(match.group("date") or match.groupdict().get("date2") or "")
            except SeedFormatError:
                pass
    commitments = section(words["commitments"])
    if commitments is not None:
        listed = re.search(words["themes"] + r"[^\n]*:\s*\n((?:\d+\.\s.*(?:\n|$))+)", _prose(commitments), re.I)
        if listed:
            found["themes"] = [re.sub(r"^\d+\.\s*", "", line).strip().rstrip(".;")
                               for line in listed.group(1).strip().split("\n")]
    title = next((single_line(b.text) for b in blocks if b.kind in ("heading", "line")
                  and re.search(words["title"], b.text, re.I) and len(b.text) < 300), None)
    if title:
        found["title"] = title
    return found


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
    if strict:
        return _parse_plan(blocks, report, code)
    try:
        return _parse_plan(blocks, report, code)
    except (TemplateError, SeedFormatError):
        raise
    except Exception:  # a bug met on an unusual document: a located message, never a crash
        where = report.where
        raise TemplateError(gettext_noop(
            "The file could not be read near %(where)s: this part of the document has a layout the importer "
            "does not understand. Nothing was imported."), where=str(where) if where else "?") from None


def _parse_plan(blocks, report, code):
    strict = report.strict
    sections = _sections(blocks)
    commitments = _commitments(blocks, report, code)
    if getattr(blocks, "tracked", False):
        report.problem(None, gettext_noop(
            "The file has tracked changes: they were read as if accepted (inserted text kept, deleted text left out)."))

    def prose(pattern):
        return _prose(_section(sections, pattern))

    # The abbreviation list opens the document; a title page or a table of contents may come before it.
    front = sections[:1] if strict else list(itertools.takewhile(lambda s: not re.match(r"\d+\.\s*\w", s[0]), sections))
    abbreviations = _optional(report, lambda: parse_abbreviations(
        "\n".join(_prose(body) for _title, body in front), strict), [])

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
        if commitment.get("lead_agency") and commitment["lead_agency"] not in lead_agencies:
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
    if not strict:
        counted = [c.get("language", "en") for c in commitments]
        data["language"] = max(LANGUAGES, key=counted.count) if counted else "en"
        plan = data["plan"]
        if not (plan["themes"] or plan["co_creation"] or plan["approval_act"]):
            # No English narrative: the plan may be written in Russian or Kyrgyz (its content in its own language).
            for language in ("ru", "ky"):
                local = _local_prose(blocks, sections, language)
                if local.get("co_creation") or local.get("themes") or local.get("approval_act"):
                    if plan_title is not None and local.get("title") != plan_title:
                        local.pop("title", None)  # an English title found first is the plan's English title
                    plan.update(local)
                    plan["language"] = language
                    break
    return data, report.problems
