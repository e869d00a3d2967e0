"""Helpers shared by the import tests: the seed documents, a snapshot of a member's plans, a .docx writer."""

import datetime as dt
import functools
import io
from pathlib import Path

from django.db import transaction
from django.forms.models import model_to_dict

from commitments.models import Activity, ActionPlan, Agency, Commitment, Member, Milestone
from ogp_portal.seeding import load_seed_data

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "fixtures" / "seeds"


def seed_text():
    (path,) = sorted(SEEDS.glob("001_*.txt"))
    return path.read_text(encoding="utf-8")


def seed_bytes():
    (path,) = sorted(SEEDS.glob("001_*.txt"))
    return path.read_bytes()


def kyrgyz_republic():
    """The member as the seed loader creates it, with nothing else."""
    return Member.objects.create(code="KG", name="Kyrgyz Republic", kind="national", country="Kyrgyz Republic",
                                 joined_on=dt.date(2017, 11, 21))


def _row(obj, drop=("id",)):
    data = model_to_dict(obj)
    for key in drop:
        data.pop(key, None)
    return data


def snapshot(code="KG"):
    """Everything the import writes for a member, keyed by natural keys (no database ids)."""
    member = Member.objects.get(code=code)
    agencies = {a.pk: a.name for a in Agency.objects.filter(member=member)}
    plans = {}
    for plan in ActionPlan.objects.filter(member=member):
        row = _row(plan, drop=("id", "member", "lead_institutions"))
        commitments = {}
        for c in Commitment.objects.filter(plan=plan):
            crow = _row(c, drop=("id", "plan"))
            crow["lead_agency"] = agencies.get(crow["lead_agency"])
            activities = {a.pk: a.number for a in Activity.objects.filter(commitment=c)}
            crow["activities"] = sorted((_row(a, drop=("id", "commitment")) for a in Activity.objects.filter(commitment=c)),
                                        key=lambda a: a["number"])
            crow["milestones"] = []
            for m in Milestone.objects.filter(commitment=c).order_by("id"):
                mrow = _row(m, drop=("id", "commitment"))
                mrow["activity"] = activities.get(mrow["activity"])
                crow["milestones"].append(mrow)
            commitments[c.identifier] = crow
        row["commitments"] = commitments
        plans[plan.title] = row
    return {
        "agencies": sorted((a.name, a.acronym, a.kind) for a in Agency.objects.filter(member=member)),
        "plans": plans,
    }


def foundation_snapshot():
    """Snapshot of what load_seed_data writes for the Kyrgyz Republic, then roll it back."""
    with transaction.atomic():
        load_seed_data()
        result = snapshot("KG")
        transaction.set_rollback(True)
    return result


# -- a .docx in OGP's table layout, written from the seed's content -------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def template_date(value):
    """'2018-10' -> 'October 2018', '2019-07-01' -> 'July 1, 2019' (the seed's forms)."""
    parts = value.split("-")
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return f"{MONTHS[int(parts[1]) - 1]} {int(parts[2])}, {parts[0]}"


def _cell(cell, text):
    lines = text.split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _pair(table, label, value):
    row = table.add_row().cells
    _cell(row[0], label)
    merged = row[1].merge(row[-1])
    _cell(merged, value)


def _wide(table, text):
    row = table.add_row().cells
    merged = row[0].merge(row[-1])
    _cell(merged, text)


def write_commitment(document, commitment):
    """One commitment as OGP's template lays it out: its title, then one 4-column table."""
    document.add_paragraph(commitment["title"], style="Heading 2")
    table = document.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    _pair(table, "Commitment Start and End Date",
          f"{template_date(commitment['start'])} – {template_date(commitment['end'])}")
    _pair(table, "Lead implementing agency/actor", commitment["lead_agency"])
    _wide(table, "Commitment description")
    for label, key in (
        ("What is the public problem that the commitment will address?", "problem"),
        ("What is the commitment?", "description"),
        ("How will the commitment contribute to solve the public problem?", "contribution"),
        ("Why is this commitment relevant to OGP values?", "relevance"),
        ("Additional information", "additional_information"),
    ):
        _pair(table, label, commitment[key])
    header = table.add_row().cells
    for cell, text in zip(header, ("Milestone Activity with a verifiable deliverable", "Budget", "Start date",
                                   "End date")):
        _cell(cell, text)
    for activity in commitment["activities"]:
        _wide(table, f"Activity {activity['number']}: {activity['title']}")
        for m in activity["milestones"]:
            row = table.add_row().cells
            _cell(row[0], f"{m['number']}. {m['deliverable']}")
            _cell(row[1], m["budget_text"])  # several sources: one line each
            _cell(row[2], template_date(m["start"]))
            _cell(row[3], template_date(m["end"]))
    for activity in commitment["activities"]:
        if activity["expected_results"]:
            _pair(table, f"Expected result {activity['number']}", activity["expected_results"])
    _wide(table, "Contact information")
    contact = commitment["contact"]
    _pair(table, "Name of responsible person from implementing agency", contact["name"])
    _pair(table, "Title, Department", contact["title"])
    _pair(table, "Email and Phone", contact["email_phone_raw"])
    _pair(table, "Other Actors Involved – State actors involved", commitment["other_state_actors"])
    _pair(table, "CSOs, private sector, multilaterals, working groups", commitment["other_actors"])


@functools.lru_cache(maxsize=1)
def seed_docx():
    """Seed 001 as a Word document, written once per test run (python-docx writes slowly)."""
    return write_seed_docx()


def write_seed_docx(commitments=None):
    """Seed 001 as a Word document: its prose as paragraphs (headings styled), its commitments as template tables."""
    import docx

    from commitments.seed_parser import parse_national_plan

    text = seed_text()
    plan = parse_national_plan(text)
    commitments = plan["commitments"] if commitments is None else commitments
    document = docx.Document()
    lines = text.replace("\r\n", "\n").split("\n")
    from commitments.template_parser import _HEADING_LINE_RE

    for line in lines:
        heading = _HEADING_LINE_RE.match(line)
        if line.startswith("\t"):
            break  # the first table: the commitments follow
        if heading:
            document.add_paragraph(heading.group("title"), style="Heading 1")
        else:
            document.add_paragraph(line)
    for commitment in commitments:
        write_commitment(document, commitment)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# -- the same plan written the way people really edit Word files ---------------------------
# ``write_variant_docx(variant)`` writes seed 001 with one or more of these changes; each must
# import exactly as the faithful .docx (``seed_docx``) does.

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

LABELS_RU = {
    "Commitment Start and End Date": "Дата начала и окончания обязательства",
    "Lead implementing agency/actor": "Ведущее ведомство",
    "Commitment description": "Описание обязательства",
    "What is the public problem that the commitment will address?": "Какую общественную проблему решает обязательство?",
    "What is the commitment?": "В чем заключается обязательство?",
    "How will the commitment contribute to solve the public problem?":
        "Как обязательство будет способствовать решению общественной проблемы?",
    "Why is this commitment relevant to OGP values?": "Почему это обязательство соответствует ценностям ОГП?",
    "Additional information": "Дополнительная информация",
    "Milestone Activity with a verifiable deliverable": "Мероприятие с проверяемым результатом",
    "Budget": "Бюджет",
    "Start date": "Дата начала",
    "End date": "Дата окончания",
    "Contact information": "Контактная информация",
    "Name of responsible person from implementing agency": "ФИО ответственного лица ведомства-исполнителя",
    "Title, Department": "Должность, отдел",
    "Email and Phone": "Электронная почта и телефон",
    "Other Actors Involved – State actors involved": "Другие участники – государственные органы",
    "CSOs, private sector, multilaterals, working groups":
        "ОГО, частный сектор, многосторонние организации, рабочие группы",
    "Activity": "Мероприятие",
    "Expected result": "Ожидаемый результат",
}
LABELS_KY = {
    "Commitment Start and End Date": "Милдеттенменин башталыш жана аяктоо датасы",
    "Lead implementing agency/actor": "Жетектөөчү мекеме",
    "Commitment description": "Милдеттенменин сүрөттөлүшү",
    "What is the public problem that the commitment will address?": "Милдеттенме кандай коомдук көйгөйдү чечет?",
    "What is the commitment?": "Милдеттенме эмнеден турат?",
    "How will the commitment contribute to solve the public problem?":
        "Милдеттенме коомдук көйгөйдү чечүүгө кандай салым кошот?",
    "Why is this commitment relevant to OGP values?": "Бул милдеттенме эмне үчүн АӨӨнүн баалуулуктарына тиешелүү?",
    "Additional information": "Кошумча маалымат",
    "Milestone Activity with a verifiable deliverable": "Текшерилүүчү натыйжасы бар иш-чара",
    "Budget": "Бюджет",
    "Start date": "Башталыш датасы",
    "End date": "Аяктоо датасы",
    "Contact information": "Байланыш маалыматы",
    "Name of responsible person from implementing agency": "Аткаруучу мекеменин жооптуу адамынын аты-жөнү",
    "Title, Department": "Кызматы, бөлүмү",
    "Email and Phone": "Электрондук почта жана телефон",
    "Other Actors Involved – State actors involved": "Катышкан башка мамлекеттик органдар",
    "CSOs, private sector, multilaterals, working groups":
        "Жарандык коом уюмдары, жеке сектор, көп тараптуу уюмдар, жумушчу топтор",
    "Activity": "Иш-чара",
    "Expected result": "Күтүлүүчү натыйжа",
}
MONTHS_RU = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь",
             "декабрь"]
MONTHS_RU_GENITIVE = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
                      "ноября", "декабря"]
MONTHS_KY = ["Үчтүн айы", "Бирдин айы", "Жалган куран", "Чын куран", "Бугу", "Кулжа", "Теке", "Баш оона", "Аяк оона",
             "Тогуздун айы", "Жетинин айы", "Бештин айы"]

# Ways of writing one date: (name, month-precision form, day-precision form).
DATE_FORMS = {
    "seed": (lambda y, m: f"{MONTHS[m - 1]} {y}", lambda y, m, d: f"{MONTHS[m - 1]} {d}, {y}"),
    "day_first": (lambda y, m: f"{MONTHS[m - 1][:3]} {y}", lambda y, m, d: f"{d} {MONTHS[m - 1]} {y}"),
    "dotted": (lambda y, m: f"{m:02d}.{y}", lambda y, m, d: f"{d:02d}.{m:02d}.{y}"),
    "iso": (lambda y, m: f"{y}-{m:02d}", lambda y, m, d: f"{y}-{m:02d}-{d:02d}"),
    "russian": (lambda y, m: f"{MONTHS_RU[m - 1]} {y} г.", lambda y, m, d: f"{d} {MONTHS_RU_GENITIVE[m - 1]} {y} г."),
    "kyrgyz": (lambda y, m: f"{MONTHS_KY[m - 1]} {y}-ж.", lambda y, m, d: f"{y}-жылдын {d}-{MONTHS_RU[m - 1]}"),
    "kyrgyz_loan": (lambda y, m: f"{y}-жылдын {MONTHS_RU[m - 1]}", lambda y, m, d: f"{d:02d}.{m:02d}.{y}"),
}


def write_date(value, form="seed"):
    year, month, *day = (int(part) for part in value.split("-"))
    month_form, day_form = DATE_FORMS[form]
    return day_form(year, month, day[0]) if day else month_form(year, month)


def _w(tag):
    return f"{{{W_NS}}}{tag}"


def _el(tag, **attrs):
    from docx.oxml import OxmlElement

    element = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        element.set(_w(key), str(value))
    return element


class Variant(dict):
    """Options of ``write_variant_docx`` (all off: the faithful document).

    labels: "seed" | "colon" | "nbsp" | "upper" | "ru" | "ky"; dates: a DATE_FORMS name or a callable(index) -> name;
    numbering: True (numPr on each paragraph) or "style" (numPr inherited from the paragraph's style);
    prose: "ru" | "ky" (the plan's narrative in that language, ``PROSE``);
    title_page, toc, headers, prose_between, split_tables, title_in_table, nested, tracked,
    content_controls, line_breaks, bullets, expected_rows ("merged" | "empty_label"): booleans or strings.
    """

    def __getattr__(self, name):
        return self.get(name, False)


def _label(variant, text):
    if variant.labels == "ru":
        return LABELS_RU.get(text, text)
    if variant.labels == "ky":
        return LABELS_KY.get(text, text)
    if variant.labels == "colon":
        return text + ":"
    if variant.labels == "nbsp":
        return text.replace(" ", "\u00a0", 1)
    if variant.labels == "upper":
        return text.upper()
    return text


class _VariantWriter:
    def __init__(self, document, variant):
        self.document = document
        self.variant = variant
        self.dates_written = 0
        self.revision = 0
        self.numbering = None

    def date(self, value):
        form = self.variant.dates or "seed"
        if callable(form):
            form = form(self.dates_written)
        self.dates_written += 1
        return write_date(value, form)

    def cell(self, cell, text, *, lines_as_breaks=None, bullets=False):
        """Write ``text`` into ``cell``: one paragraph a line, or line breaks in one paragraph."""
        lines = text.split("\n")
        breaks = self.variant.line_breaks if lines_as_breaks is None else lines_as_breaks
        if breaks and len(lines) > 1 and all(lines):
            paragraph = cell.paragraphs[0]
            for number, line in enumerate(lines):
                run = paragraph.add_run(line)
                if number < len(lines) - 1:
                    run.add_break()
            return
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
        if bullets and len(lines) > 1 and all(lines):
            for paragraph in cell.paragraphs:
                self._number(paragraph, self._bullet_num(), 0)

    def pair(self, table, label, value, *, bullets=False):
        row = table.add_row().cells
        self.cell(row[0], _label(self.variant, label))
        merged = row[1].merge(row[-1])
        self.cell(merged, value, bullets=bullets)
        return merged

    def wide(self, table, text):
        row = table.add_row().cells
        merged = row[0].merge(row[-1])
        self.cell(merged, text)
        return merged

    # -- Word structures ------------------------------------------------------------

    def _numbering_part(self):
        if self.numbering is None:
            element = self.document.part.numbering_part.element
            abstract = _el("abstractNum", abstractNumId=901)
            for ilvl, text in ((0, "%1."), (1, "%1.%2.")):
                lvl = _el("lvl", ilvl=ilvl)
                lvl.append(_el("start", val=1))
                lvl.append(_el("numFmt", val="decimal"))
                lvl.append(_el("lvlText", val=text))
                abstract.append(lvl)
            bullet = _el("abstractNum", abstractNumId=902)
            lvl = _el("lvl", ilvl=0)
            lvl.append(_el("start", val=1))
            lvl.append(_el("numFmt", val="bullet"))
            lvl.append(_el("lvlText", val="•"))
            bullet.append(lvl)
            first_num = element.find(_w("num"))
            if first_num is not None:
                first_num.addprevious(abstract)
                first_num.addprevious(bullet)
            else:
                element.append(abstract)
                element.append(bullet)
            self.numbering = {"element": element, "next": 900}
        return self.numbering

    def _new_num(self, abstract_id, overrides=None):
        numbering = self._numbering_part()
        numbering["next"] += 1
        num = _el("num", numId=numbering["next"])
        num.append(_el("abstractNumId", val=abstract_id))
        for ilvl, start in (overrides or {}).items():
            override = _el("lvlOverride", ilvl=ilvl)
            override.append(_el("startOverride", val=start))
            num.append(override)
        numbering["element"].append(num)
        return numbering["next"]

    def _bullet_num(self):
        if not hasattr(self, "bullet_id"):
            self.bullet_id = self._new_num(902)
        return self.bullet_id

    def _number(self, paragraph, num_id, ilvl):
        ppr = paragraph._p.get_or_add_pPr()
        num_pr = _el("numPr")
        num_pr.append(_el("ilvl", val=ilvl))
        num_pr.append(_el("numId", val=num_id))
        ppr.append(num_pr)

    def _styled(self, paragraph, num_id, ilvl):
        """Number ``paragraph`` through its paragraph style (the style's numPr), as list styles do."""
        style_id = f"OGPMilestones{num_id}"
        styles = self.document.styles.element
        if styles.find(f"{{{W_NS}}}style[@{{{W_NS}}}styleId='{style_id}']") is None:
            style = _el("style", type="paragraph", styleId=style_id)
            style.append(_el("name", val=f"OGP milestones {num_id}"))
            style.append(_el("basedOn", val="Normal"))
            ppr = _el("pPr")
            num_pr = _el("numPr")
            num_pr.append(_el("ilvl", val=ilvl))
            num_pr.append(_el("numId", val=num_id))
            ppr.append(num_pr)
            style.append(ppr)
            styles.append(style)
        ppr = paragraph._p.get_or_add_pPr()
        ppr.insert(0, _el("pStyle", val=style_id))

    def _revision(self, tag):
        self.revision += 1
        return _el(tag, id=self.revision, author="Editor", date="2026-01-05T10:00:00Z")

    def tracked(self, cell, text):
        """``text`` typed with track changes on over an old value that was deleted."""
        paragraph = cell.paragraphs[0]
        deleted = self._revision("del")
        run = _el("r")
        old = _el("delText")
        old.text = "TBD"
        run.append(old)
        deleted.append(run)
        inserted = self._revision("ins")
        run = _el("r")
        new = _el("t")
        new.text = text
        run.append(new)
        inserted.append(run)
        paragraph._p.append(deleted)
        paragraph._p.append(inserted)

    def content_control(self, cell, block=True):
        """Wrap the cell's content in a content control (block-level, or around the runs of its paragraph)."""
        sdt = _el("sdt")
        sdt_pr = _el("sdtPr")
        sdt_pr.append(_el("alias", val="Value"))
        sdt.append(sdt_pr)
        content = _el("sdtContent")
        sdt.append(content)
        tc = cell._tc
        if block:
            paragraphs = tc.findall(_w("p"))
            paragraphs[0].addprevious(sdt)
            for p in paragraphs:
                content.append(p)
        else:
            p = tc.find(_w("p"))
            runs = p.findall(_w("r"))
            runs[0].addprevious(sdt)
            for r in runs:
                content.append(r)

    # -- the plan ---------------------------------------------------------------------

    def commitment(self, number, commitment):
        v = self.variant
        document = self.document
        if not v.title_in_table:
            document.add_paragraph(commitment["title"], style="Heading 2")
        table = document.add_table(rows=0, cols=4)
        table.style = "Table Grid"
        if v.title_in_table:
            self.wide(table, f"Commitment {number}: {commitment['title']}")
        start, end = commitment["start"], commitment["end"]
        if v.month_period and start.endswith("-01") and end.endswith(("-30", "-31")):
            start, end = start[:7], end[:7]  # "September 2018 – August 2020"
        self.pair(table, "Commitment Start and End Date", f"{self.date(start)} – {self.date(end)}")
        lead = self.pair(table, "Lead implementing agency/actor", commitment["lead_agency"])
        if v.content_controls:
            self.content_control(lead, block=True)
        self.wide(table, _label(v, "Commitment description"))
        for label, key in (
            ("What is the public problem that the commitment will address?", "problem"),
            ("What is the commitment?", "description"),
            ("How will the commitment contribute to solve the public problem?", "contribution"),
            ("Why is this commitment relevant to OGP values?", "relevance"),
            ("Additional information", "additional_information"),
        ):
            self.pair(table, label, commitment[key], bullets=v.bullets and key == "relevance")
        header = table.add_row().cells
        for cell, text in zip(header, ("Milestone Activity with a verifiable deliverable", "Budget", "Start date",
                                       "End date")):
            self.cell(cell, _label(v, text))
        for index, activity in enumerate(commitment["activities"]):
            activity_label = _label(v, "Activity") if v.labels in ("ru", "ky") else "Activity"
            self.wide(table, f"{activity_label} {activity['number']}: {activity['title']}")
            if v.split_tables and index == len(commitment["activities"]) // 2 and index:
                # a page break splits the table; Word repeats the header row
                document.add_paragraph().add_run().add_break(docx_break_page())
                table = document.add_table(rows=0, cols=4)
                table.style = "Table Grid"
                header = table.add_row().cells
                for cell, text in zip(header, ("Milestone Activity with a verifiable deliverable", "Budget",
                                               "Start date", "End date")):
                    self.cell(cell, _label(v, text))
            target = table
            if v.nested:
                holder = self.wide(table, "")
                target = holder.add_table(rows=0, cols=4)
                target.style = "Table Grid"
                holder.add_paragraph("")  # a cell ends with a paragraph
            num_id = None
            minors = [m["number"].split(".") for m in activity["milestones"]]
            if v.numbering and minors and all(len(p) == 2 and p[0] == minors[0][0] for p in minors) and \
                    [int(p[1]) for p in minors] == list(range(int(minors[0][1]), int(minors[0][1]) + len(minors))):
                num_id = self._new_num(901, {0: int(minors[0][0]), 1: int(minors[0][1])})
            for m in activity["milestones"]:
                row = target.add_row().cells
                if num_id:
                    self.cell(row[0], m["deliverable"], lines_as_breaks=False)
                    if v.numbering == "style":
                        self._styled(row[0].paragraphs[0], num_id, 1)
                    else:
                        self._number(row[0].paragraphs[0], num_id, 1)
                else:
                    self.cell(row[0], f"{m['number']}. {m['deliverable']}")
                self.cell(row[1], m["budget_text"], lines_as_breaks=False)
                self.cell(row[2], self.date(m["start"]))
                if v.tracked:
                    self.tracked(row[3], self.date(m["end"]))
                else:
                    self.cell(row[3], self.date(m["end"]))
        for activity in commitment["activities"]:
            if activity["expected_results"]:
                label = f"{LABELS_RU['Expected result'] if v.labels == 'ru' else LABELS_KY['Expected result'] if v.labels == 'ky' else 'Expected result'} {activity['number']}"
                lines = activity["expected_results"].split("\n")
                if v.expected_rows and len(lines) > 1 and all(lines):
                    first = None
                    for line_number, line in enumerate(lines):
                        row = table.add_row().cells
                        if line_number == 0:
                            self.cell(row[0], _label(v, label))
                            first = row[0]
                        self.cell(row[1].merge(row[-1]), line)
                        if v.expected_rows == "merged" and line_number == len(lines) - 1:
                            first.merge(row[0])
                            first.text = ""
                            self.cell(first, _label(v, label))
                else:
                    self.pair(table, label, activity["expected_results"])
        self.wide(table, _label(v, "Contact information"))
        contact = commitment["contact"]
        name = self.pair(table, "Name of responsible person from implementing agency", contact["name"])
        if v.content_controls and contact["name"]:
            self.content_control(name, block=False)
        self.pair(table, "Title, Department", contact["title"])
        self.pair(table, "Email and Phone", contact["email_phone_raw"])
        self.pair(table, "Other Actors Involved – State actors involved", commitment["other_state_actors"])
        self.pair(table, "CSOs, private sector, multilaterals, working groups", commitment["other_actors"])
        if v.prose_between:
            document.add_paragraph("The lead agency reports on this commitment every six months.")


def docx_break_page():
    from docx.enum.text import WD_BREAK

    return WD_BREAK.PAGE


# The plan's narrative as a Russian or a Kyrgyz plan writes it (``Variant(prose="ru" | "ky")``): a title, the
# development process with the approval sentence, the commitments section with its list of themes.
PROSE = {
    "ru": {
        "title": "Национальный план действий по развитию Открытого управления в Кыргызской Республике на 2018-2020 годы",
        "sections": [
            ("1. ВВЕДЕНИЕ", ["21 ноября 2017 года Кыргызская Республика официально присоединилась к Партнерству "
                            "«Открытое правительство»."]),
            ("2. ПРОЦЕСС РАЗРАБОТКИ НПД", [
                "В январе 2018 года прошли консультации с государственными органами, гражданским обществом и "
                "партнерами по развитию.",
                "Распоряжением Правительства Кыргызской Республики от 16 октября 2018 года № 360-р НПД утвержден."]),
            ("3. ОБЯЗАТЕЛЬСТВА", [
                "НПД состоит из 18 обязательств и охватывает следующие темы:",
                "1. Открытые данные.", "2. Открытый бюджет.", "3. Борьба с коррупцией."]),
        ],
        "approval_act": "Распоряжение Правительства Кыргызской Республики № 360-р",
        "themes": ["Открытые данные", "Открытый бюджет", "Борьба с коррупцией"],
    },
    "ky": {
        "title": "Кыргыз Республикасында Ачык башкарууну өнүктүрүү боюнча 2018-2020-жылдарга Улуттук иш-аракеттер планы",
        "sections": [
            ("1. КИРИШҮҮ", ["2017-жылдын 21-ноябрында Кыргыз Республикасы «Ачык өкмөт» өнөктөштүгүнө кошулган."]),
            ("2. УИПти ИШТЕП ЧЫГУУ ПРОЦЕССИ", [
                "2018-жылдын январында мамлекеттик органдар жана жарандык коом менен консультациялар өткөрүлдү.",
                "Кыргыз Республикасынын Өкмөтүнүн 2018-жылдын 16-октябрындагы № 360-т буйругу менен УИП бекитилген."]),
            ("3. МИЛДЕТТЕНМЕЛЕР", [
                "УИП 18 милдеттенмеден турат жана төмөнкү темаларды камтыйт:",
                "1. Ачык маалыматтар.", "2. Ачык бюджет.", "3. Коррупцияга каршы күрөш."]),
        ],
        "approval_act": "Кыргыз Республикасынын Өкмөтүнүн № 360-т буйругу",
        "themes": ["Ачык маалыматтар", "Ачык бюджет", "Коррупцияга каршы күрөш"],
    },
}


def write_variant_docx(variant=None, commitments=None):
    """Seed 001 as a Word document, written with the variant's changes (``Variant``)."""
    import docx

    from commitments.seed_parser import parse_national_plan
    from commitments.template_parser import _HEADING_LINE_RE

    variant = Variant(variant or {})
    text = seed_text()
    plan = parse_national_plan(text)
    commitments = plan["commitments"] if commitments is None else commitments
    document = docx.Document()
    writer = _VariantWriter(document, variant)
    if variant.headers:
        document.sections[0].header.paragraphs[0].text = "National Action Plan – Commitment Start and End Date"
        document.sections[0].footer.paragraphs[0].text = "Lead implementing agency/actor: page 1"
    if variant.title_page:
        document.add_paragraph("KYRGYZ REPUBLIC", style="Title")
        document.add_paragraph("Open Government Partnership")
        document.add_paragraph("Bishkek – 2018")
        document.add_paragraph("Draft – for the National Forum")
        document.add_paragraph().add_run().add_break(docx_break_page())
    if variant.toc:
        sdt = _el("sdt")
        sdt_pr = _el("sdtPr")
        gallery = _el("docPartObj")
        gallery.append(_el("docPartGallery", val="Table of Contents"))
        sdt_pr.append(gallery)
        sdt.append(sdt_pr)
        content = _el("sdtContent")
        sdt.append(content)
        for entry in ("Contents", "1. INTRODUCTION 3", "2. OPEN GOVERNMENT EFFORTS TO DATE 4", "5. COMMITMENTS 7"):
            paragraph = document.add_paragraph(entry)
            content.append(paragraph._p)
        document.element.body.insert(len(document.element.body) - 1, sdt)
    lines = [] if variant.prose else text.replace("\r\n", "\n").split("\n")
    if variant.prose:
        prose = PROSE[variant.prose]
        document.add_paragraph(prose["title"], style="Title")
        for heading, paragraphs in prose["sections"]:
            document.add_paragraph(heading, style="Heading 1")
            for paragraph in paragraphs:
                document.add_paragraph(paragraph)
    for line in lines:
        heading = _HEADING_LINE_RE.match(line)
        if line.startswith("\t"):
            break  # the first table: the commitments follow
        if heading:
            document.add_paragraph(heading.group("title"), style="Heading 1")
        else:
            document.add_paragraph(line)
    for number, commitment in enumerate(commitments, start=1):
        writer.commitment(number, commitment)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
