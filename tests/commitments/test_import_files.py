"""Hostile and broken files, re-imports, the dry run, and the CSV round trip."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.db import transaction

from commitments.csv_io import export_plan_csv, neutralise
from commitments.importer import ImportRefused, read_file, run_import
from commitments.models import ActionPlan, Commitment, Milestone, ProgressUpdate
from commitments.template_parser import LIMITS

from .importing import kyrgyz_republic, seed_bytes, seed_docx, seed_text, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def kg():
    return kyrgyz_republic()


def _refused(name, data, member):
    with pytest.raises(ImportRefused) as caught:
        read_file(name, data, member)
    return caught.value.message


def _docx_with(body_xml_transform):
    """The seed .docx with its document.xml changed by ``body_xml_transform(bytes) -> bytes``."""
    source = zipfile.ZipFile(io.BytesIO(seed_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = body_xml_transform(data)
            target.writestr(info, data)
    return out.getvalue()


# -- hostile and broken files: refused before anything is compared or saved -----------

def test_a_file_that_is_not_a_zip_is_refused(kg):
    assert "not a zip archive" in _refused("plan.docx", b"\x00\x01 just some bytes", kg)
    assert "not a zip archive" in _refused("plan.docx", b"PK\x03\x04 truncated", kg)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(kg):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("word/document.xml", b"\x00" * (5 * 1024 * 1024))  # 5 MB of zeros pack into ~5 KB
    assert len(out.getvalue()) < 50_000
    assert "zip bomb" in _refused("plan.docx", out.getvalue(), kg)


def test_a_zip_declaring_more_than_the_limit_is_refused(kg, monkeypatch):
    monkeypatch.setitem(LIMITS, "max_unzipped_bytes", 1024 * 1024)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as big:
        big.writestr("word/document.xml", b"<a/>" * 300_000)
    assert "zip bomb" in _refused("plan.docx", out.getvalue(), kg)


def test_a_zip_without_a_word_document_is_refused(kg):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert "no Word document" in _refused("plan.docx", out.getvalue(), kg)


def test_a_table_thousands_of_rows_long_is_refused(kg):
    def repeat_last_row(xml):
        end = xml.rindex(b"</w:tr>") + len(b"</w:tr>")
        start = xml.rindex(b"<w:tr", 0, end)
        row = xml[start:end]
        return xml[:end] + row * 3000 + xml[end:]

    message = _refused("plan.docx", _docx_with(repeat_last_row), kg)
    assert "rows; at most" in message and "Table 18" in message


def test_a_document_that_is_not_the_template_is_refused(kg):
    import docx

    document = docx.Document()
    document.add_paragraph("Minutes of the meeting of 12 March")
    document.add_table(rows=2, cols=2).cell(0, 0).text = "Agenda"
    out = io.BytesIO()
    document.save(out)
    assert "not in OGP's commitment template" in _refused("minutes.docx", out.getvalue(), kg)
    assert "not in OGP's commitment template" in _refused("notes.txt", "Just a note.\n".encode(), kg)


def test_a_wrong_text_encoding_is_refused(kg):
    assert "not encoded as UTF-8" in _refused("plan.txt", seed_text().encode("cp1251", errors="replace"), kg)


def test_utf16_text_with_a_byte_order_mark_is_read(kg):
    parsed = read_file("plan.txt", seed_text().encode("utf-16"), kg)
    assert len(parsed.data["commitments"]) == 18


def test_an_old_word_file_and_other_types_are_refused(kg):
    assert "old Word .doc" in _refused("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, kg)
    assert "Upload a Word .docx" in _refused("plan.pdf", b"%PDF-1.4", kg)
    assert "empty" in _refused("plan.docx", b"", kg)


def test_a_damaged_piece_is_named_with_its_place_and_the_rest_is_read(kg):
    text = seed_text().replace("\tMarch 2019\n\tJuly 2019", "\tMarch 2019\n\tsome day", 1)
    parsed = read_file("plan.txt", text.encode(), kg)
    (problem,) = parsed.problems  # the unreadable date is neither a date nor a budget: a warning at its place
    assert str(problem) == ("line 166: Commitment 1, milestone 2.2: the date “some day” could not be read; "
                            "it was not imported.")
    assert len(parsed.data["commitments"]) == 18
    (milestone,) = [m for a in parsed.data["commitments"][0]["activities"] for m in a["milestones"]
                    if m["number"] == "2.2"]
    assert "end" not in milestone  # nothing read: a re-import keeps the stored date
    assert milestone["budget_text"] == "Development partners’ funds" and milestone["start"] == "2019-03"


def test_the_docx_locates_problems_by_table_row_and_column(kg):
    parsed = read_file("plan.docx", _docx_with(lambda xml: xml.replace(b"Within the national budget", b"Ask the mayor", 1)),
                       kg)
    (problem,) = parsed.problems
    assert str(problem).startswith("table 1, row 14, column 1: Milestone 1.4: the budget “Ask the mayor”")


def test_an_invalid_row_saves_nothing_at_all(kg):
    # The last milestone of the last commitment ends after its commitment: the model refuses it.
    text = seed_text()
    cut = text.rindex("\tAugust  2020")
    text = text[:cut] + "\tDecember 2021" + text[cut + len("\tAugust  2020"):]
    outcome = run_import(kg, read_file("plan.txt", text.encode(), kg), commit=True)
    assert not outcome.committed, outcome.errors
    assert any("KG0018" in error and "cannot end after its commitment" in error for error in outcome.errors)
    assert ActionPlan.objects.count() == Commitment.objects.count() == Milestone.objects.count() == 0
    assert Commitment.history.count() == 0


# -- re-import ---------------------------------------------------------------------------

def test_importing_the_seed_over_the_foundation_changes_nothing(seed_data):
    kg = ActionPlan.objects.get(member__code="KG").member
    histories = (Commitment.history.count(), Milestone.history.count())
    outcome = run_import(kg, read_file("plan.txt", seed_bytes(), kg), commit=True)
    assert outcome.committed and outcome.errors == []
    counts = outcome.counts()
    assert counts["created"] == counts["updated"] == counts["kept"] == 0
    assert (Commitment.history.count(), Milestone.history.count()) == histories


def test_a_reimport_updates_in_place_keeps_progress_and_records_history(kg, admin_user):
    run_import(kg, read_file("plan.txt", seed_bytes(), kg), commit=True)
    milestone = Milestone.objects.get(commitment__identifier="KG0017", number="2.2")
    update = ProgressUpdate.objects.create(milestone=milestone, period_start="2019-01-01", period_end="2019-06-30",
                                           completion="limited", narrative="Pilot audit planned.")
    history = Milestone.history.count()
    text = seed_text().replace("2.2. Conduct a pilot joint audit", "2.2. Conduct two pilot joint audits")
    outcome = run_import(kg, read_file("plan.txt", text.encode(), kg), user=admin_user, commit=True)
    counts = outcome.counts()
    assert (counts["created"], counts["updated"], counts["kept"]) == (0, 1, 0)
    (changed,) = [item for item in outcome.items() if item.status == "updated"]
    assert changed.label.startswith("Milestone 2.2: Conduct two pilot joint audits")
    assert [c.field for c in changed.changes] == ["deliverable"]
    milestone.refresh_from_db()
    assert milestone.deliverable.startswith("Conduct two pilot joint audits")
    assert list(milestone.progress_updates.all()) == [update]
    assert Milestone.history.count() == history + 1
    assert milestone.history.latest().history_user == admin_user
    # A milestone the file no longer lists is kept (with its progress), and shown as such.
    text = text.replace("\t2.2. Conduct two pilot joint audits", "\tnot a milestone any more")
    outcome = run_import(kg, read_file("plan.txt", text.encode(), kg), commit=False)
    assert [item.label[:13] for item in outcome.items() if item.status == "kept"] == ["Milestone 2.2"]
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_a_reimport_claims_the_version_of_what_it_changes(kg, admin_user):
    from commitments.services import StaleVersion, update_commitment, update_milestone

    run_import(kg, read_file("plan.txt", seed_bytes(), kg), commit=True)
    commitment = Commitment.objects.get(identifier="KG0017")
    milestone = commitment.milestones.get(number="2.2")
    other = Milestone.objects.get(commitment__identifier="KG0001", number="3.1")
    read_before = {"commitment": commitment.version, "milestone": milestone.version, "other": other.version}
    # A re-import that changes nothing bumps nothing.
    run_import(kg, read_file("plan.txt", seed_bytes(), kg), user=admin_user, commit=True)
    assert set(Commitment.objects.values_list("version", flat=True)) == {1}
    assert set(Milestone.objects.values_list("version", flat=True)) == {1}
    # A re-import that changes a commitment's text and a milestone bumps exactly those two.
    text = seed_text().replace("2.2. Conduct a pilot joint audit", "2.2. Conduct two pilot joint audits")
    text = text.replace("Implement an auditing system with public participation",
                        "Implement an auditing system with citizens' participation")
    outcome = run_import(kg, read_file("plan.txt", text.encode(), kg), user=admin_user, commit=True)
    assert outcome.committed and outcome.errors == []
    commitment.refresh_from_db(), milestone.refresh_from_db(), other.refresh_from_db()
    assert (commitment.version, milestone.version, other.version) == (
        read_before["commitment"] + 1, read_before["milestone"] + 1, read_before["other"])
    # A coordinator's edit based on what they read before the import is refused, naming what the import changed.
    with pytest.raises(StaleVersion) as stale:
        update_commitment(commitment, by=admin_user, data={"contact_name": "Ms. A. Asanova"},
                          version=read_before["commitment"])
    assert [c.field for c in stale.value.changes] == ["title_en"]  # the title, in its English column
    with pytest.raises(StaleVersion):
        update_milestone(milestone, by=admin_user, data={"budget_text": "State budget"}, version=read_before["milestone"])
    commitment.refresh_from_db()
    assert commitment.contact_name != "Ms. A. Asanova"
    # Based on the version after the import, the same edit is saved.
    update_commitment(commitment, by=admin_user, data={"contact_name": "Ms. A. Asanova"}, version=commitment.version)


def test_a_row_saved_while_the_import_runs_stops_the_import(kg, admin_user, monkeypatch):
    from commitments import importer

    run_import(kg, read_file("plan.txt", seed_bytes(), kg), commit=True)
    text = seed_text().replace("2.2. Conduct a pilot joint audit", "2.2. Conduct two pilot joint audits")
    real = importer._Sync._read_existing

    def read_then_someone_saves(self):
        real(self)
        # After the import read the rows, a coordinator saves the same milestone.
        Milestone.objects.filter(commitment__identifier="KG0017", number="2.2").update(version=2, budget_text="edited")

    monkeypatch.setattr(importer._Sync, "_read_existing", read_then_someone_saves)
    outcome = run_import(kg, read_file("plan.txt", text.encode(), kg), user=admin_user, commit=True)
    assert not outcome.committed
    assert any("KG0017, Milestone 2.2" in e and "while the file was being imported" in e for e in outcome.errors)
    assert not Milestone.objects.filter(deliverable__startswith="Conduct two pilot").exists()


def test_the_command_dry_run_shows_the_preview_and_saves_nothing(kg, tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(seed_docx())
    out = io.StringIO()
    call_command("import_plan", str(path), "--member", "KG", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "193 to create, 0 to update, 0 unchanged" in text
    assert "KG0017 — Implement an auditing system with public participation" in text
    assert "Dry run: nothing was saved." in text
    assert Commitment.objects.count() == 0
    call_command("import_plan", str(path), "--member", "KG", stdout=io.StringIO())
    assert Commitment.objects.count() == 18


# -- CSV -----------------------------------------------------------------------------------

def test_csv_export_then_import_reproduces_the_same_data(seed_data):
    plan = ActionPlan.objects.get(member__code="KG")
    exported = export_plan_csv(plan)
    before = snapshot("KG")
    history = Commitment.history.count() + Milestone.history.count()
    kg = plan.member
    outcome = run_import(kg, read_file("plan.csv", exported.encode("utf-8"), kg), commit=True)
    assert outcome.errors == [] and outcome.counts()["created"] == outcome.counts()["updated"] == 0
    assert Commitment.history.count() + Milestone.history.count() == history
    assert snapshot("KG") == before


def test_csv_into_an_empty_member_exports_identically(seed_data):
    exported = export_plan_csv(ActionPlan.objects.get(member__code="KG"))
    with transaction.atomic():
        # A fresh member: same data from the CSV alone.
        from commitments.models import Member

        fresh = Member.objects.create(code="KGX", name="Kyrgyz Republic", country="Kyrgyz Republic")
        moved = exported.replace(",KG00", ",KGX00").replace("/commitments/KG00", "/commitments/KGX00")
        outcome = run_import(fresh, read_file("plan.csv", moved.encode(), fresh), commit=True)
        assert outcome.errors == []
        again = export_plan_csv(ActionPlan.objects.get(member=fresh))
        transaction.set_rollback(True)
    assert again.replace("Kyrgyz Republic", "X") == moved.replace("Kyrgyz Republic", "X")


def test_the_csv_carries_the_plan_level_data(seed_data):
    """Approval act and date, themes, co-creation, agency acronyms and agencies that lead nothing."""
    import csv as csv_module

    plan = ActionPlan.objects.get(member__code="KG")
    rows = list(csv_module.DictReader(io.StringIO(export_plan_csv(plan).lstrip("\ufeff"))))
    (plan_row,) = [r for r in rows if r["Row Type"] == "plan"]
    assert plan_row["Approval Act"] == plan.approval_act == "Government Decree No. 360-r"
    assert plan_row["Approved On"] == "2018-10-16"
    assert plan_row["Plan Themes"].split("; ") == plan.themes and len(plan.themes) == 9
    assert plan_row["Co-creation"] == plan.co_creation and plan.co_creation.startswith("After joining the OGP")
    agencies = {r["Agency Name"]: (r["Agency Acronym"], r["Agency Kind"]) for r in rows if r["Row Type"] == "agency"}
    assert agencies["Ministry of Finance of the Kyrgyz Republic"] == ("MoF", "state")
    leading = set(Commitment.objects.filter(plan=plan).values_list("lead_agency__name", flat=True))
    idle = set(agencies) - leading
    assert "Organization for Economic Co-operation and Development" in idle  # leads nothing, still exported
    # Into a fresh member the CSV alone gives the same plan-level data.
    with transaction.atomic():
        from commitments.models import Agency, Member

        fresh = Member.objects.create(code="KGX", name="Kyrgyz Republic", country="Kyrgyz Republic")
        moved = export_plan_csv(plan).replace(",KG00", ",KGX00").replace("/commitments/KG00", "/commitments/KGX00")
        assert run_import(fresh, read_file("plan.csv", moved.encode(), fresh), commit=True).committed
        copy = ActionPlan.objects.get(member=fresh)
        assert (copy.approval_act, copy.approved_on, copy.themes, copy.co_creation) == (
            plan.approval_act, plan.approved_on, plan.themes, plan.co_creation)
        assert {a.name: (a.acronym, a.kind) for a in Agency.objects.filter(member=fresh)} == agencies
        transaction.set_rollback(True)


def test_the_csv_carries_the_official_russian_and_kyrgyz_agency_names(seed_data):
    """Agency rows carry name_ru and name_ky: export → import into a fresh member → export keeps them."""
    import csv as csv_module

    from commitments.models import Agency, Member

    plan = ActionPlan.objects.get(member__code="KG")
    finance = Agency.objects.get(member=plan.member, acronym="MoF")
    finance.name_ky = "Кыргыз Республикасынын Финансы министрлиги"
    finance.save()
    exported = export_plan_csv(plan)
    rows = {r["Agency Name"]: r for r in csv_module.DictReader(io.StringIO(exported.lstrip("\ufeff")))
            if r["Row Type"] == "agency"}
    finance_row = rows["Ministry of Finance of the Kyrgyz Republic"]
    assert finance_row["Agency Name (Russian)"] == finance.name_ru == "Министерство финансов Кыргызской Республики"
    assert finance_row["Agency Name (Kyrgyz)"] == "Кыргыз Республикасынын Финансы министрлиги"
    with transaction.atomic():
        fresh = Member.objects.create(code="KGX", name="Kyrgyz Republic", country="Kyrgyz Republic")
        moved = exported.replace(",KG00", ",KGX00").replace("/commitments/KG00", "/commitments/KGX00")
        assert run_import(fresh, read_file("plan.csv", moved.encode(), fresh), commit=True).committed
        copy = Agency.objects.get(member=fresh, acronym="MoF")
        assert (copy.name_ru, copy.name_ky) == (finance.name_ru, finance.name_ky)
        assert {(a.name, a.name_ru, a.name_ky) for a in Agency.objects.filter(member=fresh)} == {
            (a.name, a.name_ru, a.name_ky) for a in Agency.objects.filter(member=plan.member)}
        again = export_plan_csv(ActionPlan.objects.get(member=fresh))
        transaction.set_rollback(True)
    assert again.replace("Kyrgyz Republic", "X") == moved.replace("Kyrgyz Republic", "X")  # byte-identical
    # Into the same member: a Kyrgyz name written in the CSV fills the stored one; an empty cell blanks nothing.
    finance.name_ky = ""
    finance.save()
    stored_ru = finance.name_ru
    kg = plan.member
    edited = exported.replace(finance_row["Agency Name (Russian)"], "", 1)
    outcome = run_import(kg, read_file("plan.csv", edited.encode(), kg), commit=True)
    assert outcome.committed and outcome.choices == []
    finance.refresh_from_db()
    assert (finance.name_ru, finance.name_ky) == (stored_ru, "Кыргыз Республикасынын Финансы министрлиги")


def test_csv_export_neutralises_formulas_and_import_refuses_them(seed_data):
    commitment = Commitment.objects.get(identifier="KG0001")
    commitment.title = '=HYPERLINK("http://evil.example","click")'
    commitment.save()
    exported = export_plan_csv(commitment.plan)
    assert "'=HYPERLINK" in exported
    assert ",=HYPERLINK" not in exported
    # Our own apostrophe comes off again on import: the round trip keeps the text.
    kg = commitment.plan.member
    outcome = run_import(kg, read_file("plan.csv", exported.encode(), kg), commit=False)
    assert outcome.counts()["updated"] == 0
    hostile = exported.replace("'=HYPERLINK", "=HYPERLINK")
    with pytest.raises(ImportRefused) as caught:
        read_file("plan.csv", hostile.encode(), kg)
    assert "starts like a spreadsheet formula" in caught.value.message and "Commitment Title" in caught.value.message
    for cell in ("+1+cmd", "@SUM(A1)", "-2+3+cmd|' /C calc'!A0", "\tx"):
        assert neutralise(cell).startswith("'")
    assert neutralise("- a bullet") == "'- a bullet"


def test_a_csv_in_another_format_is_refused(kg):
    assert "not in the portal's format" in _refused("plan.csv", b"name,age\nx,1\n", kg)
    assert "not encoded as UTF-8" in _refused("plan.csv", "Row Type,Заголовок\n".encode("cp1251"), kg)


def _first_commitments(count):
    """Seed 001 cut after its first ``count`` commitments (the next title cell and all after it go)."""
    text = seed_text()
    titles = [i for i, line in enumerate(text.split("\n")) if line.startswith("\tCommitment Start and End")]
    lines = text.split("\n")
    return "\n".join(lines[: titles[count] - 2]).encode()


def test_an_unchanged_reimport_reads_the_database_in_the_same_few_queries_at_any_size(kg):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commitments.models import Member

    small = Member.objects.create(code="KGA", name="Small", country="Kyrgyz Republic")
    counts = []
    for member, data in ((small, _first_commitments(3)), (kg, seed_bytes())):
        run_import(member, read_file("plan.txt", data, member), commit=True)
        parsed = read_file("plan.txt", data, member)
        with CaptureQueriesContext(connection) as queries:
            outcome = run_import(member, parsed)
        assert outcome.counts()["created"] == outcome.counts()["updated"] == 0
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10


def test_a_docx_with_damaged_numbering_is_refused_with_a_message(kg):
    """Word's numbering part with a number that is not one: a message, never an exception."""
    from .importing import write_variant_docx

    source = zipfile.ZipFile(io.BytesIO(write_variant_docx({"numbering": True})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/numbering.xml":
                data = data.replace(b'w:ilvl="1"><w:start w:val="1"/>', b'w:ilvl="1"><w:start w:val="one"/>', 1)
                assert b'w:val="one"' in data
            target.writestr(info, data)
    assert "a form the importer does not understand" in _refused("plan.docx", out.getvalue(), kg)


def test_the_command_line_lists_the_choices_and_allows_one(seed_data, tmp_path):
    from commitments.seed_parser import parse_national_plan

    from .importing import write_variant_docx

    plan = parse_national_plan(seed_text())
    plan["commitments"][0]["problem"] = ""
    path = tmp_path / "plan.docx"
    path.write_bytes(write_variant_docx(commitments=plan["commitments"]))
    out = io.StringIO()
    call_command("import_plan", str(path), "--member", "KG", "--dry-run", "--changes-only", stdout=out)
    (line,) = [line for line in out.getvalue().splitlines() if line.startswith("Needs a decision")]
    key = line.rsplit("[--allow ", 1)[1].rstrip("]")
    call_command("import_plan", str(path), "--member", "KG", "--allow", key, stdout=io.StringIO())
    assert Commitment.objects.get(identifier="KG0001").problem == ""
