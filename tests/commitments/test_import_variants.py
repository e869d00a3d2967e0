"""Seed 001 written the way governments really edit their Word files imports exactly as the faithful .docx.

Each variant is generated from seed 001 with python-docx (``importing.write_variant_docx``) and must
give 18 commitments, 110 milestones and every field equal to the faithful import; then the database
side: nothing blanked or moved without consent, Russian text into the Russian fields, no 500.
"""

import functools

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commitments.importer import ImportRefused, read_file, run_import
from commitments.models import Activity, Agency, Commitment, Milestone, Role
from commitments.template_parser import parse_date, parse_plan, read_docx

from .importing import kyrgyz_republic, seed_docx, snapshot, write_variant_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

VARIANTS = {
    "label with a colon": {"labels": "colon"},
    "label with a non-breaking space": {"labels": "nbsp"},
    "labels in capitals": {"labels": "upper"},
    "Russian labels": {"labels": "ru"},
    "Kyrgyz labels": {"labels": "ky"},
    "dates 1 January 2019": {"dates": "day_first"},
    "dates 01.01.2019": {"dates": "dotted"},
    "dates 2019-01-01": {"dates": "iso"},
    "Russian dates": {"dates": "russian"},
    "Kyrgyz month names": {"dates": "kyrgyz"},
    "Kyrgyz with Russian month names": {"dates": "kyrgyz_loan"},
    "period September 2018 – August 2020": {"month_period": True},
    "title page": {"title_page": True},
    "table of contents": {"toc": True},
    "headers and footers": {"headers": True},
    "prose between commitments": {"prose_between": True},
    "a commitment split across two tables": {"split_tables": True},
    "title in the table": {"title_in_table": True},
    "Word's automatic numbering": {"numbering": True},
    "numbering inherited from a paragraph style": {"numbering": "style"},
    "milestones in a table nested in a cell": {"nested": True},
    "tracked changes": {"tracked": True},
    "content controls": {"content_controls": True},
    "line breaks in cells": {"line_breaks": True},
    "bullets in cells": {"bullets": True},
    "expected results over rows merged down": {"expected_rows": "merged"},
    "expected results over rows, empty label cells": {"expected_rows": "empty_label"},
}
# What a variant may add to the reading problems (a note, never a lost value).
EXPECTED_NOTES = {
    "prose between commitments": "Text outside the template tables was not imported",
    "tracked changes": "The file has tracked changes: they were read as if accepted",
}


def _content(data):
    """The parsed plan without the language the file is written in (the only thing a translated file changes)."""
    data = {**data, "commitments": [{k: v for k, v in c.items() if k != "language"} for c in data["commitments"]]}
    data.pop("language", None)
    return data


@functools.lru_cache(maxsize=1)
def faithful():
    data, problems = parse_plan(read_docx(seed_docx()))
    assert problems == []
    return _content(data)


def assert_same_as_faithful(data):
    expected = faithful()
    data = _content(data)
    assert len(data["commitments"]) == 18
    assert sum(len(a["milestones"]) for c in data["commitments"] for a in c["activities"]) == 110
    for got, want in zip(data["commitments"], expected["commitments"]):
        for key in want:
            assert got.get(key) == want[key], (got["identifier"], key)
        assert set(got) == set(want), got["identifier"]
    assert data["plan"] == expected["plan"]
    assert data["agencies"] == expected["agencies"]


@pytest.mark.parametrize("name", list(VARIANTS))
def test_each_variant_reads_exactly_as_the_faithful_docx(name):
    data, problems = parse_plan(read_docx(write_variant_docx(VARIANTS[name])))
    assert_same_as_faithful(data)
    note = EXPECTED_NOTES.get(name)
    assert all(note and note in str(p) for p in problems), [str(p) for p in problems]
    if note:
        assert problems
    expected_language = {"Russian labels": "ru", "Kyrgyz labels": "ky"}.get(name, "en")
    assert data["language"] == expected_language


@pytest.mark.parametrize("text, start, end", [
    ("1 January 2019", "2019-01-01", "2019-01-01"),
    ("01.01.2019", "2019-01-01", "2019-01-01"),
    ("2019-01-01", "2019-01-01", "2019-01-01"),
    ("January 2019", "2019-01", "2019-01"),
    ("Q1 2019", "2019-01", "2019-03"),
    ("I квартал 2019", "2019-01", "2019-03"),
    ("IV квартал 2019 г.", "2019-10", "2019-12"),
    ("январь 2019 г.", "2019-01", "2019-01"),
    ("1 января 2019 г.", "2019-01-01", "2019-01-01"),
    ("Үчтүн айы 2019", "2019-01", "2019-01"),
    ("Бирдин айы 2019", "2019-02", "2019-02"),
    ("Жалган куран 2019", "2019-03", "2019-03"),
    ("Чын куран 2019", "2019-04", "2019-04"),
    ("Бугу 2019", "2019-05", "2019-05"),
    ("Кулжа 2019", "2019-06", "2019-06"),
    ("Теке 2019", "2019-07", "2019-07"),
    ("Баш оона 2019", "2019-08", "2019-08"),
    ("Аяк оона 2019", "2019-09", "2019-09"),
    ("Тогуздун айы 2019", "2019-10", "2019-10"),
    ("Жетинин айы 2019", "2019-11", "2019-11"),
    ("Бештин айы 2019-ж.", "2019-12", "2019-12"),
    ("2019-жылдын январы", "2019-01", "2019-01"),
    ("II чейрек 2019", "2019-04", "2019-06"),
    ("01.2019", "2019-01", "2019-01"),
])
def test_dates_in_every_form_people_write(text, start, end):
    assert parse_date(text, "start") == start
    assert parse_date(text, "end") == end


# -- the database side ------------------------------------------------------------------------



@pytest.fixture
def foundation(db):
    from ogp_portal.seeding import load_seed_data

    load_seed_data()
    from commitments.models import Member

    return Member.objects.get(code="KG")


def _preview(member, data, **kwargs):
    return run_import(member, read_file("plan.docx", data, member), **kwargs)


@pytest.mark.django_db
def test_a_month_period_imports_as_first_and_last_day_and_the_upload_page_answers(client, settings, tmp_path):
    """"September 2018 – August 2020" gave HTTP 500 on the upload page."""
    settings.IMPORT_UPLOAD_DIR = str(tmp_path)
    kg = kyrgyz_republic()
    user = get_user_model().objects.create_user("poc", "poc@example.org", "pass-123-long")
    Role.objects.create(user=user, member=kg, kind=Role.Kind.POINT_OF_CONTACT)
    client.force_login(user)
    data = write_variant_docx({"month_period": True})
    response = client.post(reverse("commitments:import_upload"),
                           {"member": kg.pk, "file": SimpleUploadedFile("plan.docx", data, content_type=DOCX)})
    assert response.status_code == 200
    response = client.post(reverse("commitments:import_confirm"), {"token": response.context["token"]})
    assert response.status_code == 200
    first = Commitment.objects.get(identifier="KG0001")
    assert (first.start_date.isoformat(), first.end_date.isoformat()) == ("2018-09-01", "2020-08-31")
    assert Milestone.objects.filter(commitment__plan__member=kg).count() == 110


@pytest.mark.django_db
@pytest.mark.parametrize("variant", [{"title_page": True, "toc": True}, {"labels": "colon"}, {"labels": "nbsp"},
                                     {"dates": "dotted", "numbering": True, "tracked": True},
                                     {"content_controls": True, "nested": True}, {"numbering": "style"}])
def test_reimporting_a_variant_over_the_foundation_changes_nothing(foundation, variant):
    """A title page moved five commitments to new duplicate agencies; other labels blanked stored fields."""
    before = snapshot("KG")
    agencies = Agency.objects.count()
    outcome = _preview(foundation, write_variant_docx(variant), commit=True)
    assert outcome.errors == [] and outcome.choices == []
    assert outcome.counts()["created"] == outcome.counts()["updated"] == 0
    assert Agency.objects.count() == agencies
    assert snapshot("KG") == before
    assert set(Commitment.objects.filter(identifier__in=["KG0008", "KG0009", "KG0010", "KG0011"])
               .values_list("lead_agency__acronym", flat=True)) == {"MoF"}


@pytest.mark.django_db
def test_a_plan_written_in_russian_goes_into_the_russian_fields(foundation):
    from tests.commitments.importing import Variant  # noqa: F401 (the options are documented there)
    from commitments.seed_parser import parse_national_plan
    from tests.commitments.importing import seed_text

    plan = parse_national_plan(seed_text())
    first = plan["commitments"][0]
    english = Commitment.objects.get(identifier="KG0001").description
    first["description"] = "Создание национальной платформы открытых данных."
    first["activities"][0]["milestones"][0]["deliverable"] = "Провести консультации с гражданским обществом."
    data = write_variant_docx({"labels": "ru", "dates": "russian", "numbering": True, "tracked": True},
                              commitments=plan["commitments"])
    outcome = _preview(foundation, data, commit=True)
    assert outcome.errors == [] and outcome.choices == []
    assert [str(p) for p in outcome.problems] == [
        "The file has tracked changes: they were read as if accepted (inserted text kept, deleted text left out)."]
    commitment = Commitment.objects.get(identifier="KG0001")
    assert commitment.description_ru == "Создание национальной платформы открытых данных."
    assert commitment.description_en == english  # the English text is untouched
    milestone = commitment.milestones.get(number="1.1")
    assert milestone.deliverable_ru == "Провести консультации с гражданским обществом."
    # Every commitment now has its Russian text; the English text and dates are what they were.
    assert Commitment.objects.filter(plan__member=foundation, title_ru="").count() == 0


@pytest.mark.django_db
def test_a_value_the_file_would_blank_is_kept_unless_the_importer_ticks_it(foundation):
    from commitments.seed_parser import parse_national_plan
    from tests.commitments.importing import seed_text

    plan = parse_national_plan(seed_text())
    plan["commitments"][0]["problem"] = ""
    data = write_variant_docx(commitments=plan["commitments"])
    stored = Commitment.objects.get(identifier="KG0001").problem
    outcome = _preview(foundation, data, commit=True)
    (choice,) = outcome.choices
    assert choice.key.startswith("commitment:KG0001") and "What is the public problem" in choice.text
    assert Commitment.objects.get(identifier="KG0001").problem == stored  # not ticked: kept
    outcome = _preview(foundation, data, commit=True, allow=[choice.key])
    assert outcome.committed and outcome.choices[0].allowed
    assert Commitment.objects.get(identifier="KG0001").problem == ""


@pytest.mark.django_db
def test_a_missing_or_unreadable_cell_keeps_the_stored_value_and_says_so(foundation):
    from commitments.seed_parser import parse_national_plan
    from tests.commitments.importing import seed_text

    plan = parse_national_plan(seed_text())
    milestone = plan["commitments"][1]["activities"][0]["milestones"][0]
    milestone["end"] = "2019-99"  # written as "99.2019" below: not a date
    data = write_variant_docx({"dates": "dotted"}, commitments=plan["commitments"])
    before = Milestone.objects.get(commitment__identifier="KG0002", number=milestone["number"]).end_date
    outcome = _preview(foundation, data, commit=True)
    assert outcome.counts()["updated"] == 0
    (warning,) = outcome.warnings()
    assert warning.startswith("table 2, row ") and "column 4" in warning and "“99.2019” could not be read" in warning
    assert Milestone.objects.get(commitment__identifier="KG0002", number=milestone["number"]).end_date == before


@pytest.mark.django_db
def test_a_new_agency_takes_a_commitment_from_its_coordinators_only_with_consent(foundation):
    from commitments.seed_parser import parse_national_plan
    from tests.commitments.importing import seed_text

    finance = Commitment.objects.get(identifier="KG0008").lead_agency
    user = get_user_model().objects.create_user("finance", "f@example.org", "pass-123-long")
    Role.objects.create(user=user, member=foundation, kind=Role.Kind.COORDINATOR, agency=finance)
    plan = parse_national_plan(seed_text())
    plan["commitments"][7]["lead_agency"] = "Ministry of Budget Planning"
    data = write_variant_docx(commitments=plan["commitments"])
    outcome = _preview(foundation, data, commit=True)
    (choice,) = outcome.choices
    assert choice.key == "move:KG0008" and "Ministry of Budget Planning" in choice.text
    assert Commitment.objects.get(identifier="KG0008").lead_agency == finance
    outcome = _preview(foundation, data, commit=True, allow=["move:KG0008"])
    assert Commitment.objects.get(identifier="KG0008").lead_agency.name == "Ministry of Budget Planning"


@pytest.mark.django_db
def test_an_agency_named_by_its_official_russian_name_or_acronym_is_the_same_agency(foundation):
    from commitments.seed_parser import parse_national_plan
    from tests.commitments.importing import seed_text

    plan = parse_national_plan(seed_text())
    plan["commitments"][7]["lead_agency"] = "Министерство финансов Кыргызской Республики"
    plan["commitments"][8]["lead_agency"] = "MoF"
    agencies = Agency.objects.count()
    outcome = _preview(foundation, write_variant_docx(commitments=plan["commitments"]), commit=True)
    assert outcome.choices == [] and Agency.objects.count() == agencies
    assert {c.lead_agency.acronym for c in Commitment.objects.filter(identifier__in=["KG0008", "KG0009"])} == {"MoF"}


@pytest.mark.django_db
def test_an_unexpected_failure_while_reading_is_a_located_message(monkeypatch):
    """The safety net: a bug met on an unusual document refuses the file with its place, never a 500."""
    from commitments import template_parser

    kg = kyrgyz_republic()
    data = seed_docx()

    def broken(*args, **kwargs):
        raise IndexError("a layout nobody foresaw")

    monkeypatch.setattr(template_parser, "_dates_of", broken)
    with pytest.raises(ImportRefused) as refused:
        read_file("plan.docx", data, kg)
    assert refused.value.message.startswith("The file could not be read near table 1, row ")


@pytest.mark.django_db
def test_a_russian_plan_into_an_empty_member_creates_every_row_with_its_russian_text():
    kg = kyrgyz_republic()
    outcome = _preview(kg, write_variant_docx({"labels": "ru", "dates": "russian"}), commit=True)
    assert outcome.committed and outcome.errors == []
    assert Commitment.objects.filter(plan__member=kg).count() == 18
    assert Milestone.objects.filter(commitment__plan__member=kg).count() == 110
    first = Commitment.objects.get(identifier="KG0001")
    assert first.title_ru == first.title_en  # the file's text, until an English text is written
    assert first.description_ru and first.milestones.get(number="1.1").deliverable_ru
    # The preview says so: one summary line, counting every new row with text (18 + activities + 110).
    (stand_in,) = [w for w in outcome.warnings() if w.startswith("No English text")]
    rows = Commitment.objects.filter(plan__member=kg).count() + Activity.objects.filter(
        commitment__plan__member=kg).count() + Milestone.objects.filter(commitment__plan__member=kg).count()
    assert stand_in.startswith(f"No English text: the Russian text stands in for the English text of the new rows "
                               f"({rows}: KG0001 — ")


@pytest.mark.django_db
def test_a_kyrgyz_plan_updates_the_kyrgyz_fields_and_leaves_the_english_ones(foundation):
    """A Kyrgyz-labelled document over the foundation: its text goes into the ``_ky`` columns only."""
    from commitments.seed_parser import parse_national_plan
    from tests.commitments.importing import seed_text

    plan = parse_national_plan(seed_text())
    first = plan["commitments"][0]
    first["description"] = "Ачык маалыматтардын улуттук аянтчасын түзүү."
    first["activities"][0]["title"] = "Жарандык коом менен кеңешүү"
    first["activities"][0]["milestones"][0]["deliverable"] = "Жарандык коом менен консультациялар өткөрүү."
    english = {c.identifier: (c.title_en, c.description_en, c.problem_en, c.start_date, c.end_date)
               for c in Commitment.objects.filter(plan__member=foundation)}
    russian = Commitment.objects.get(identifier="KG0001").description_ru
    english_milestones = dict(Milestone.objects.filter(commitment__plan__member=foundation)
                              .values_list("pk", "deliverable_en"))
    data = write_variant_docx({"labels": "ky", "dates": "kyrgyz"}, commitments=plan["commitments"])
    outcome = _preview(foundation, data, commit=True)
    assert outcome.committed and outcome.errors == [] and outcome.choices == []
    assert outcome.counts()["created"] == 0
    assert not [w for w in outcome.warnings() if w.startswith("No English text")]  # nothing created: no stand-in
    commitment = Commitment.objects.get(identifier="KG0001")
    assert commitment.description_ky == "Ачык маалыматтардын улуттук аянтчасын түзүү."
    assert commitment.activities.get(number=1).title_ky == "Жарандык коом менен кеңешүү"
    assert commitment.milestones.get(number="1.1").deliverable_ky == "Жарандык коом менен консультациялар өткөрүү."
    assert commitment.description_ru == russian  # the Russian columns are not the Kyrgyz text's place
    # The English text and the dates are what they were, for every commitment and milestone.
    assert {c.identifier: (c.title_en, c.description_en, c.problem_en, c.start_date, c.end_date)
            for c in Commitment.objects.filter(plan__member=foundation)} == english
    assert dict(Milestone.objects.filter(commitment__plan__member=foundation)
                .values_list("pk", "deliverable_en")) == english_milestones
    assert Commitment.objects.filter(plan__member=foundation, title_ky="").count() == 0


def test_deleted_rows_and_paragraphs_of_tracked_changes_are_left_out():
    """A row and a paragraph deleted with track changes on: accepted, they are gone."""
    import io
    import zipfile

    deleted_row = (b'<w:tr><w:trPr><w:del w:id="9001" w:author="Editor" w:date="2026-01-05T10:00:00Z"/></w:trPr>'
                   b'<w:tc><w:p><w:r><w:t>1.9. A milestone that was struck out</w:t></w:r></w:p></w:tc>'
                   b'<w:tc><w:p/></w:tc><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr>')
    deleted_paragraph = (b'<w:p><w:pPr><w:rPr><w:del w:id="9002" w:author="Editor" w:date="2026-01-05T10:00:00Z"/>'
                         b'</w:rPr></w:pPr><w:del w:id="9003" w:author="Editor" w:date="2026-01-05T10:00:00Z">'
                         b'<w:r><w:delText>An old sentence</w:delText></w:r></w:del></w:p>')
    source = zipfile.ZipFile(io.BytesIO(seed_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                end = data.index(b"</w:tr>") + len(b"</w:tr>")
                data = data[:end] + deleted_row + data[end:]
                cell_end = data.index(b"</w:tc>", end + len(deleted_row))
                data = data[:cell_end] + deleted_paragraph + data[cell_end:]
            target.writestr(info, data)
    data, problems = parse_plan(read_docx(out.getvalue()))
    assert_same_as_faithful(data)
    assert [str(p) for p in problems] == [
        "The file has tracked changes: they were read as if accepted (inserted text kept, deleted text left out)."]


@pytest.mark.parametrize("language", ["ru", "ky"])
def test_the_plan_level_narrative_is_read_in_russian_and_kyrgyz(language):
    """Themes, co-creation text, approval act and date, and title of a plan written in Russian or Kyrgyz."""
    from tests.commitments.importing import PROSE

    data, problems = parse_plan(read_docx(write_variant_docx({"labels": language, "prose": language})))
    assert problems == []
    prose = PROSE[language]
    plan = data["plan"]
    assert plan["language"] == data["language"] == language
    assert plan["title"] == prose["title"]
    assert plan["themes"] == prose["themes"]
    assert plan["approval_act"] == prose["approval_act"]
    assert plan["approved_on"] == "2018-10-16"
    assert plan["co_creation"].startswith(prose["sections"][1][1][0]) and "360" in plan["co_creation"]
    expected = faithful()
    assert _content(data)["commitments"] == expected["commitments"]


@pytest.mark.django_db
def test_an_amended_russian_plan_fills_the_russian_plan_fields_and_blanks_no_english_one(foundation):
    from commitments.models import ActionPlan
    from tests.commitments.importing import PROSE

    plan = ActionPlan.objects.get(member=foundation)
    english = (plan.title_en, plan.co_creation_en, plan.approval_act, plan.approved_on, plan.themes)
    assert all(english)
    plans = ActionPlan.objects.count()
    outcome = _preview(foundation, write_variant_docx({"labels": "ru", "prose": "ru", "dates": "russian"}), commit=True)
    assert outcome.committed and outcome.errors == [] and outcome.choices == []
    assert ActionPlan.objects.count() == plans  # the Russian title names the same plan
    plan.refresh_from_db()
    assert plan.title_ru == PROSE["ru"]["title"]
    assert plan.co_creation_ru.startswith("В январе 2018 года прошли консультации")
    assert (plan.title_en, plan.co_creation_en, plan.approval_act, plan.approved_on, plan.themes) == english
    warnings = outcome.warnings()
    assert any(w.startswith("The file names the approval act in another language (“Распоряжение Правительства")
               for w in warnings), warnings
    assert any(w.startswith("The file lists the plan's themes in another language") for w in warnings), warnings
    # Imported again, nothing changes.
    again = _preview(foundation, write_variant_docx({"labels": "ru", "prose": "ru", "dates": "russian"}), commit=False)
    assert again.counts()["created"] == again.counts()["updated"] == 0


@pytest.mark.django_db
def test_a_kyrgyz_plan_into_an_empty_member_keeps_its_narrative():
    from commitments.models import ActionPlan
    from tests.commitments.importing import PROSE

    kg = kyrgyz_republic()
    outcome = _preview(kg, write_variant_docx({"labels": "ky", "prose": "ky"}), commit=True)
    assert outcome.committed and outcome.errors == []
    plan = ActionPlan.objects.get(member=kg)
    prose = PROSE["ky"]
    assert (plan.title_ky, plan.approval_act, plan.themes) == (prose["title"], prose["approval_act"], prose["themes"])
    assert plan.approved_on.isoformat() == "2018-10-16"
    assert plan.co_creation_ky.startswith("2018-жылдын январында") and plan.co_creation_en == ""
    assert plan.title_en == prose["title"]  # stands in until an English title is written, and the preview says so
    (stand_in,) = [w for w in outcome.warnings() if w.startswith("No English text: the Kyrgyz text stands in")]
    assert f": {prose['title'][:40]}" in stand_in
