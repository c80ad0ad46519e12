"""Coordinators bring their own spreadsheets: columns by the names they use, errors named, all or nothing."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cvdesk.domain.identifiers import luhn_complete, make_siret
from cvdesk.exchange.csv_table import write_csv
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_import import fold, import_sheet, preview_sheet
from cvdesk.exchange.xlsx_table import write_xlsx
from cvdesk.services.associations import save_association
from cvdesk.store.database import close_database, open_database
from cvdesk.store.models import Action, Association, Funding, Quartier
from tests.exchange.helpers import fingerprint, run_cli, settle

pytestmark = pytest.mark.both_engines  # the imports and exports on SQLite and on PostgreSQL

SIRET = make_siret(luhn_complete("12345678"), "0001")


def _csv(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_associations_from_a_windows_csv_with_commas_and_other_column_names(empty_db, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "assos.csv", f"Raison sociale,Code SIRET,Sigle,Ville\n"
                                         f"Cité éducative Dutemple,{SIRET},MQD,Valenciennes\n"
                                         "Femmes solidaires,,FS,Marly – Anzin\n", "cp1252")
    preview = preview_sheet(sheet, "associations")
    assert preview.encoding == "Windows-1252" and preview.ok
    assert ("Code SIRET", "SIRET") in preview.mapping and ("Raison sociale", "Nom") in preview.mapping
    import_sheet(sheet, "associations")
    record = Association.get(Association.siret == SIRET)
    assert record.name == "Cité éducative Dutemple" and record.siren == SIRET[:9] and record.city == "Valenciennes"
    assert Association.get(Association.acronym == "FS").name == "Femmes solidaires"


@pytest.mark.parametrize("header", ["SIRET", "Code SIRET", "N° SIRET", "n° siret", "Numéro SIRET"])
def test_the_siret_column_is_found_under_its_usual_names(header: str, empty_db, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "a.csv", f"Nom;{header}\nLire et grandir;{SIRET}\n")
    assert (header, "SIRET") in preview_sheet(sheet, "associations").mapping


def test_actions_with_their_fundings(demo_db, tmp_path: Path) -> None:
    porteur = Association.select().where(Association.deleted == False).first()  # noqa: E712
    quartier = Quartier.select().first()
    sheet = _csv(tmp_path / "actions.csv",
                 "Référence;Intitulé;Année;Porteur;Quartiers;Coût total;Financeur;Montant demandé;Voté;Date de décision\n"
                 f"2016-VM-100;Jardins partagés;2016;{porteur.name};{quartier.code};12 000,00 €;Région;3 000;2500,50;12/05/2016\n"
                 f"2016-VM-100;Jardins partagés;2016;{porteur.name};{quartier.code};12 000,00 €;CAF;1500;;\n")
    preview = preview_sheet(sheet, "actions")
    assert preview.ok, preview.lines()
    assert preview.created == 1
    import_sheet(sheet, "actions")
    action = Action.get(Action.reference == "2016-VM-100")
    assert action.total_cost == 1_200_000 and action.porteur_id == porteur.id
    assert action.requested_total == 450_000 and action.granted_total == 250_050
    assert Funding.select().where(Funding.action == action).count() == 2


def test_rows_in_error_are_listed_and_nothing_is_written(demo_template: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "d.db"
    shutil.copyfile(demo_template, db)
    sheet = _csv(tmp_path / "actions.csv",
                 "Référence;Intitulé;Année;Demandé;Financeur\n"
                 "2016-X-1;Bon;2016;100;Région\n"
                 "2016-X-2;Mauvaise année;deux mille;100;Région\n"
                 "2016-X-3;Mauvais montant;2016;cent euros;Région\n"
                 "2016-X-4;Financeur inconnu;2016;100;Banque du Père Noël\n")
    before = fingerprint(db)
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "actions", "--dry-run")
    assert code == 2
    assert "ligne 3, colonne « Année » : « deux mille » n'est pas un nombre entier" in out
    assert "ligne 4, colonne « Demandé » : Le montant « cent euros » n'est pas un nombre" in out
    assert "ligne 5, colonne « Financeur » : le financeur « Banque du Père Noël » n'existe pas" in out
    assert "Référence → Référence" in out
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "actions")
    assert code == 2 and f"{sheet}, ligne 3, colonne « Année »" in err and len(err.strip().splitlines()) == 1
    assert fingerprint(db) == before


def test_a_missing_required_column_is_named(empty_db, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "q.csv", "Nom;Population\nDutemple;3000\n")
    preview = preview_sheet(sheet, "quartiers")
    assert not preview.ok and "n'a pas de colonne « Code »" in preview.first_error()


# --- round trips: what cvdesk writes, cvdesk reads back the same -------------------------------------------------

_WORD = st.text(st.characters(whitelist_categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=25).map(str.strip)
_SIRETS = st.builds(lambda siren, nic: make_siret(luhn_complete(f"{siren:08d}"), f"{nic:04d}"),
                    st.integers(1, 99_999_999), st.integers(0, 9999))
_ASSOCIATION = st.fixed_dictionaries({
    "name": _WORD.filter(lambda w: fold(w) != ""),
    "acronym": st.one_of(st.just(""), _WORD, st.sampled_from(["=1+1", "+33", "-x", "@moi", "'cité"])),
    "siret": st.one_of(st.just(""), _SIRETS),
    "rna": st.one_of(st.just(""), st.integers(0, 999_999_999).map(lambda n: f"W{n:09d}")),
    "legal_form": st.one_of(st.just("Association loi 1901"), _WORD),
    "city": st.one_of(st.just(""), _WORD),
    "email": st.one_of(st.just(""), st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.fr", fullmatch=True)),
    "active": st.booleans(),
})
FIELDS = ("name", "acronym", "siret", "rna", "legal_form", "city", "email", "active")


def _unique(records: list[dict]) -> list[dict]:
    seen_names, seen_sirets, out = set(), set(), []
    for record in records:
        if fold(record["name"]) in seen_names or (record["siret"] and record["siret"] in seen_sirets):
            continue
        seen_names.add(fold(record["name"]))
        seen_sirets.add(record["siret"])
        out.append(record)
    return out


def _picture() -> set[tuple]:
    return {tuple(getattr(a, f) for f in FIELDS) for a in Association.select()}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(_ASSOCIATION, min_size=1, max_size=6).map(_unique))
def test_associations_come_back_equal_through_a_spreadsheet(suffix: str, records: list[dict],
                                                             tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("aller-retour")
    open_database(folder / "a.db")
    for record in records:
        result = save_association(record)
        assert result.ok, result.errors
    expected = _picture()
    sheet = folder / f"associations{suffix}"
    (write_xlsx if suffix == ".xlsx" else write_csv)("associations", sheet)
    open_database(folder / "b.db")
    preview = preview_sheet(sheet, "associations")
    assert preview.ok, preview.lines()
    import_sheet(sheet, "associations")
    assert _picture() == expected
    close_database()


# --- hostile files -------------------------------------------------------------------------------------------------

@pytest.fixture
def settled_db(demo_template: Path, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "b.db"
    db.write_bytes(demo_template.read_bytes())
    open_database(db)
    settle(db)
    open_database(db)
    yield db
    close_database()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".xlsx", ".csv"]),
       kind=st.sampled_from(["associations", "quartiers", "actions"]))
def test_random_bytes_as_a_spreadsheet_never_crash_and_never_write(data: bytes, suffix: str, kind: str,
                                                                   settled_db: Path, tmp_path_factory) -> None:
    sheet = tmp_path_factory.mktemp("s") / f"hasard{suffix}"
    sheet.write_bytes(data)
    before = fingerprint(settled_db)
    try:
        preview = preview_sheet(sheet, kind)
    except ExchangeError:
        pass
    else:
        assert not preview.ok or preview.rows == 0
    assert fingerprint(settled_db) == before


def test_an_xlsx_bomb_is_refused_before_it_is_opened(empty_db, tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    with pytest.raises(ExchangeError, match="bombe de décompression"):
        preview_sheet(bomb, "associations")


def test_an_xml_entity_bomb_is_refused(empty_db, tmp_path: Path) -> None:
    good = tmp_path / "bon.xlsx"
    assert save_association({"name": "Asso"}).ok
    write_xlsx("associations", good)
    evil = tmp_path / "mal.xlsx"
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        b'<c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(evil, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = bomb
            target.writestr(item, data)
    with pytest.raises(ExchangeError, match="n'est pas un classeur XLSX lisible"):
        preview_sheet(evil, "associations")


@pytest.fixture(scope="module")
def real_workbook(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("classeur")
    open_database(folder / "a.db")
    for name in ("Lire et grandir", "Centre social Dutemple", "Femmes solidaires"):
        assert save_association({"name": name}).ok
    write_xlsx("associations", folder / "a.xlsx")
    close_database()
    return (folder / "a.xlsx").read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), value=st.integers(0, 255))
def test_a_damaged_workbook_never_crashes(position: int, value: int, real_workbook: bytes, settled_db: Path,
                                          tmp_path_factory) -> None:
    data = bytearray(real_workbook)
    data[position % len(data)] = value
    sheet = tmp_path_factory.mktemp("x") / "abime.xlsx"
    sheet.write_bytes(bytes(data))
    before = fingerprint(settled_db)
    try:
        preview_sheet(sheet, "associations")
    except ExchangeError:
        pass
    assert fingerprint(settled_db) == before
