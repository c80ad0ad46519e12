"""Lists as spreadsheets a person opens: typed XLSX cells, French CSV, formulas neutralised, SCDL open data."""
from __future__ import annotations

import csv
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from cvdesk.domain.identifiers import luhn_complete, make_siret
from cvdesk.exchange.csv_table import write_csv
from cvdesk.exchange.scdl import SCDL_COLUMNS, write_scdl
from cvdesk.exchange.xlsx_table import cell_writer, write_xlsx
from cvdesk.services.associations import save_association
from cvdesk.services.lists import LISTS, Column
from cvdesk.services.reference import save_commune
from cvdesk.store.models import db
from tests.exchange.helpers import run_cli

pytestmark = pytest.mark.both_engines  # the imports and exports on SQLite and on PostgreSQL


def test_the_fundings_workbook_has_numbers_dates_a_frozen_header_and_a_filter(demo_db, tmp_path: Path) -> None:
    out = tmp_path / "financements.xlsx"
    count = write_xlsx("fundings", out)
    sheet = load_workbook(out).active
    assert sheet.title == "Financements"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:I{count + 1}"
    assert [c.value for c in sheet[1]][:3] == ["Référence de l'action", "Intitulé de l'action", "Année"]
    requested, decided = sheet.cell(row=2, column=6), sheet.cell(row=2, column=9)
    assert requested.data_type == "n" and "€" in requested.number_format and "#,##0.00" in requested.number_format
    assert isinstance(decided.value, datetime) and decided.number_format == "DD/MM/YYYY"
    assert sheet.cell(row=2, column=3).value == 2015
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["C"].width


def test_the_state_envelope_reads_as_one_point_seven_million(demo_db, tmp_path: Path) -> None:
    write_xlsx("envelopes", tmp_path / "e.xlsx")
    write_csv("envelopes", tmp_path / "e.csv")
    rows = list(load_workbook(tmp_path / "e.xlsx").active.iter_rows(min_row=2, values_only=True))
    assert any(r[0].startswith("État") and r[1] == 2015 and r[4] == 1_700_000 for r in rows)
    text = (tmp_path / "e.csv").read_bytes().decode("utf-8-sig")
    assert ";1700000,00" in text


def test_formulas_are_neutralised_in_both_formats_but_not_numbers(empty_db, tmp_path: Path) -> None:
    typed = ("=HYPERLINK(\"http://x\")", "+33 centre", "-moins", "@chose", "'déjà cité")
    for name in typed:
        assert save_association({"name": name, "acronym": "=1+1"}).ok
    write_xlsx("associations", tmp_path / "a.xlsx")
    write_csv("associations", tmp_path / "a.csv")
    # The workbook holds the names as typed, as text cells; those a spreadsheet would run carry Excel's own quote
    # prefix (the cell shows the text, and stays text when edited).
    sheet = load_workbook(tmp_path / "a.xlsx").active
    cells = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=1) for r in range(2, 7)}
    assert set(cells) == set(typed)
    assert all(cell.data_type == "s" for cell in cells.values())
    assert {name for name, cell in cells.items() if cell.quotePrefix} == set(typed) - {"'déjà cité"}
    assert all(sheet.cell(row=r, column=c).data_type != "f" for r in range(1, 7) for c in range(1, 9))
    assert "<f>" not in _sheet_xml(tmp_path / "a.xlsx")
    # A CSV has no such mark: the text itself gets the quote.
    rows = list(csv.reader((tmp_path / "a.csv").read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert {r[0] for r in rows[1:]} == {"'=HYPERLINK(\"http://x\")", "'+33 centre", "'-moins", "'@chose",
                                        "''déjà cité"}
    assert {r[1] for r in rows[1:]} == {"'=1+1"}


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("xl/worksheets/sheet1.xml").decode("utf-8")


AMBERIEU = {"name": "Ambérieu-en-Bugey", "insee_code": "01004", "postcode": "01500", "departement": "01",
            "siren": "210100046"}


def _rows(path: Path) -> list[list[object]]:
    """The first sheet's values as calamine reads them (the reader of our own spreadsheet import)."""
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_an_ain_communes_codes_keep_their_leading_zeros_in_the_workbook(empty_db, tmp_path: Path) -> None:
    assert save_commune(AMBERIEU).ok
    siret = make_siret(luhn_complete("00123456"), "0001")  # a SIRET whose SIREN starts with two zeros
    assert save_association({"name": "Amicale de l'Ain", "siret": siret}).ok
    write_xlsx("communes", tmp_path / "communes.xlsx")
    write_xlsx("associations", tmp_path / "associations.xlsx")
    # As a person sees them: text cells in the « Texte » format, so that editing one keeps it text.
    sheet = load_workbook(tmp_path / "communes.xlsx").active
    row = {header.value: cell for header, cell in zip(sheet[1], sheet[2])}
    for label, code in (("Code INSEE", "01004"), ("Code postal", "01500"), ("Département", "01"),
                        ("SIREN", "210100046")):
        assert (row[label].value, row[label].data_type, row[label].number_format) == (code, "s", "@"), label
    assert row["Population"].data_type == "n" or row["Population"].value is None
    # In the file itself: strings, never number cells; and Excel is told that digits as text are meant.
    xml = _sheet_xml(tmp_path / "communes.xlsx")
    assert '<c r="B2" s="4" t="inlineStr"><is><t xml:space="preserve">01004</t></is></c>' in xml
    assert "<v>1004</v>" not in xml and "<v>1500</v>" not in xml
    assert 'numberStoredAsText="1"' in xml
    # What another reader gets (calamine, which our import uses): the same digits, as text.
    assert _rows(tmp_path / "communes.xlsx")[1][1:4] == ["01004", "01500", "01"]
    assert _rows(tmp_path / "associations.xlsx")[1][2] == siret and siret.startswith("00")


def test_a_csv_puts_its_codes_between_quotes_for_libreoffices_text_option(empty_db, tmp_path: Path) -> None:
    assert save_commune(AMBERIEU).ok
    write_csv("communes", tmp_path / "communes.csv")
    lines = (tmp_path / "communes.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Nom;Code INSEE;Code postal;Département;Population;SIREN"
    assert lines[1] == 'Ambérieu-en-Bugey;"01004";"01500";"01";;"210100046"'
    assert next(csv.reader(lines[1:2], delimiter=";"))[1:4] == ["01004", "01500", "01"]


def test_the_workbook_prints_landscape_one_page_wide_with_its_header_on_every_page(demo_db, tmp_path: Path) -> None:
    out = tmp_path / "actions.xlsx"
    count = write_xlsx("actions", out)
    sheet = load_workbook(out).active
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9  # A4
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1"
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "FFDDE4EE"
    assert "Page &P / &N" in sheet.oddFooter.right.text
    expected = db.execute_sql('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0]
    assert count == expected and sheet.max_row == expected + 1 and sheet.auto_filter.ref == f"A1:J{expected + 1}"


# Any text a coordinator may type, control characters, markup and Excel's own _xHHHH_ escapes included.
awkward_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40) | st.sampled_from(
    ["_x0041_", "a & b < c > d", "  espaces  ", "ligne 1\r\nligne 2", "=SOMME(A1:A2)", "\tonglet", "007"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=awkward_text)
def test_any_name_comes_back_from_the_workbook_as_it_was_stored(name: str, empty_db, tmp_path: Path) -> None:
    if not save_association({"name": name}).ok:
        return  # refused by the form's own rules: nothing to export
    stored = {row[0] for row in db.execute_sql("SELECT name FROM association WHERE deleted = 0")}
    out = tmp_path / "a.xlsx"
    write_xlsx("associations", out)
    # XML 1.0 cannot carry control characters other than tab, line feed and carriage return: those alone go.
    legal = {"".join(c for c in text if c in "\t\n\r" or not (ord(c) < 32 or c in "\ufffe\uffff"))
             for text in stored}
    assert {row[0] for row in _rows(out)[1:]} - {""} == legal - {""}


def test_every_list_exports_to_xlsx_from_the_command_line(demo_template: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "d.db"
    shutil.copyfile(demo_template, db)
    for name in sorted(LISTS):
        out = tmp_path / f"{name}.xlsx"
        code, stdout, err = run_cli(capsys, "table", name, "--db", str(db), "--out", str(out))
        assert code == 0, err
        assert load_workbook(out).active.max_row >= 2, name


def test_a_text_longer_than_excel_takes_is_cut_to_its_limit_not_left_to_damage_the_file() -> None:
    column = Column("title", "Intitulé", "t.title")
    cell = cell_writer(column, "B")(7, "é" * 40_000)
    text = cell.split('<t xml:space="preserve">', 1)[1].split("</t>", 1)[0]
    assert cell.startswith('<c r="B7" t="inlineStr">') and text == "é" * 32_767


def test_a_table_asked_without_an_extension_is_a_workbook(demo_template: Path, tmp_path: Path, capsys) -> None:
    db_file = tmp_path / "d.db"
    shutil.copyfile(demo_template, db_file)
    code, stdout, err = run_cli(capsys, "table", "communes", "--db", str(db_file), "--out", str(tmp_path / "communes"))
    assert code == 0, err
    assert (tmp_path / "communes.xlsx").exists() and "communes.xlsx" in stdout and not (tmp_path / "communes").exists()


def test_a_csv_from_the_command_line_says_what_it_loses(demo_template: Path, tmp_path: Path, capsys) -> None:
    db_file = tmp_path / "d.db"
    shutil.copyfile(demo_template, db_file)
    code, _, err = run_cli(capsys, "table", "communes", "--db", str(db_file), "--out", str(tmp_path / "c.csv"))
    assert code == 0 and "zéros de tête" in err and "XLSX" in err


def test_scdl_lists_the_granted_fundings_in_the_national_format(demo_db, tmp_path: Path) -> None:
    out = tmp_path / "subventions.csv"
    count = write_scdl(out).written
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert tuple(rows[0].keys()) == SCDL_COLUMNS and len(rows) == count > 0
    first = rows[0]
    assert first["montant"].replace(".", "", 1).isdigit() and "." in first["montant"]
    assert first["dateConvention"][4] == "-" and first["notificationUE"] in ("oui", "non")
    assert 0 < float_free_share(first["pourcentageSubvention"]) <= 10000
    assert first["nature"] == "aide en numéraire"


def float_free_share(text: str) -> int:
    whole, _, decimals = text.partition(".")
    return int(whole) * 10000 + int((decimals or "0").ljust(4, "0")[:4])


def test_scdl_is_only_a_csv(demo_template: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "d.db"
    shutil.copyfile(demo_template, db)
    code, _, err = run_cli(capsys, "table", "scdl", "--db", str(db), "--out", str(tmp_path / "s.xlsx"))
    assert code == 2 and "SCDL" in err and not (tmp_path / "s.xlsx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) n'est pas installé")
def test_libreoffice_reads_amounts_as_numbers_and_accents_intact(demo_db, tmp_path: Path) -> None:
    write_xlsx("envelopes", tmp_path / "enveloppes.xlsx")
    write_csv("envelopes", tmp_path / "enveloppes-fr.csv")
    raw, back = tmp_path / "brut", tmp_path / "relu"
    # XLSX -> CSV of the raw cell values (not as shown): a number cell comes out as digits only.
    subprocess.run(["soffice", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):59,34,76,1,,1036,false,true,false,false",
                    "--outdir", str(raw), str(tmp_path / "enveloppes.xlsx")], check=True, capture_output=True,
                   timeout=180)
    rows = list(csv.reader((raw / "enveloppes.csv").read_text(encoding="utf-8").splitlines(), delimiter=";"))
    assert any(r[0].startswith("État – crédits") and r[4] == "1700000" for r in rows)
    # Our French CSV opened as a French user would (';', UTF-8, French locale): amounts become numbers.
    subprocess.run(["soffice", "--headless", "--infilter=CSV:59,34,76,1,,1036", "--convert-to", "xlsx",
                    "--outdir", str(back), str(tmp_path / "enveloppes-fr.csv")], check=True, capture_output=True,
                   timeout=180)
    sheet = load_workbook(back / "enveloppes-fr.xlsx").active
    amounts = {r[0]: r[4] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert amounts["État – crédits politique de la ville (BOP 147)"] == 1_700_000
