"""Lists as spreadsheets a person opens: typed XLSX cells, French CSV, formulas neutralised, SCDL open data."""
from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cvdesk.exchange.csv_table import write_csv
from cvdesk.exchange.scdl import SCDL_COLUMNS, write_scdl
from cvdesk.exchange.xlsx_table import write_xlsx
from cvdesk.services.associations import save_association
from cvdesk.services.lists import LISTS
from tests.exchange.helpers import run_cli


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
    for name in ("=HYPERLINK(\"http://x\")", "+33 centre", "-moins", "@chose", "'déjà cité"):
        assert save_association({"name": name, "acronym": "=1+1"}).ok
    write_xlsx("associations", tmp_path / "a.xlsx")
    write_csv("associations", tmp_path / "a.csv")
    sheet = load_workbook(tmp_path / "a.xlsx").active
    names = {sheet.cell(row=r, column=1).value for r in range(2, 7)}
    assert names == {"'=HYPERLINK(\"http://x\")", "'+33 centre", "'-moins", "'@chose", "''déjà cité"}
    assert all(sheet.cell(row=r, column=c).data_type != "f" for r in range(1, 7) for c in range(1, 9))
    rows = list(csv.reader((tmp_path / "a.csv").read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert {r[0] for r in rows[1:]} == names and {r[1] for r in rows[1:]} == {"'=1+1"}


def test_every_list_exports_to_xlsx_from_the_command_line(demo_template: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "d.db"
    shutil.copyfile(demo_template, db)
    for name in sorted(LISTS):
        out = tmp_path / f"{name}.xlsx"
        code, stdout, err = run_cli(capsys, "table", name, "--db", str(db), "--out", str(out))
        assert code == 0, err
        assert load_workbook(out).active.max_row >= 2, name


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
