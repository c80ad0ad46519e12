"""The reference columns of schema step 5 travel in exchange packages: a funder's SIRET and a commune's INSEE data
reach headquarters, and a package written before step 5 (without those keys) still merges."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.services.reference import save_funder
from cvdesk.store.database import opened_database
from cvdesk.store.models import Funder
from tests.exchange.forging import edited, members, with_manifest, write

# Keys that step 5 added; an office still on schema 4 writes its records without them.
STEP_5_KEYS = {"commune.jsonl": ("departement", "siren", "population"),
               "funder.jsonl": ("siren", "siret"),
               "contract.jsonl": ("reference_source",)}


def _column(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_funders_siret_typed_at_an_office_reaches_headquarters(demo_template: Path, tmp_path: Path) -> None:
    office, headquarters = tmp_path / "bureau.db", tmp_path / "siege.db"
    office.write_bytes(demo_template.read_bytes())
    with opened_database(office):
        epci = Funder.get(Funder.kind == "epci")
        # An establishment of SIREN 245901160, NIC 0000 + key: doubling the 1st, 3rd… 13th digits gives
        # 4+1+0+2+0+0+2 = 9, the others 4+9+1+6+0+0 = 20; 29 + 1 is a multiple of 10, so the key is 1 (by hand).
        assert save_funder({"siret": "24590116000011"}, epci.id).ok
        export_package(tmp_path / "paquet.zip", "Bureau Valenciennes")
    with opened_database(headquarters):
        import_package(tmp_path / "paquet.zip")
    assert _column(headquarters, "SELECT name, siren, siret FROM funder WHERE kind = 'epci'") == [
        ("Valenciennes Métropole", "245901160", "24590116000011")]
    # The communes arrive with their INSEE data, as the office holds them.
    assert _column(headquarters, "SELECT insee_code, departement, siren, population FROM commune "
                                 "WHERE name = 'Valenciennes'") == [("59606", "59", "215906066", 42979)]


def test_a_package_written_before_step_5_still_merges(good_package: Path, tmp_path: Path) -> None:
    files = members(good_package)
    for name, keys in STEP_5_KEYS.items():
        def drop(records: list[dict], keys: tuple[str, ...] = keys) -> None:
            for record in records:
                for key in keys:
                    record.pop(key, None)
        files = edited(files, name, drop)
    files = with_manifest(files, lambda manifest: manifest.update(schema_version=4))
    old = write(tmp_path / "ancien.zip", files)
    headquarters = tmp_path / "siege.db"
    with opened_database(headquarters):
        summary = import_package(old)
    assert summary.lines()
    # Every commune and funder of the demo arrived; the columns the old office did not know take their defaults.
    assert _column(headquarters, "SELECT count(*), count(DISTINCT insee_code), min(departement), max(siren) "
                                 "FROM commune WHERE deleted = 0") == [(12, 12, "", "")]
    # The demo's 15 funders: 7, and the 8 town halls that fund an action.
    assert _column(headquarters, "SELECT count(*) FROM funder WHERE deleted = 0 AND siren = '' AND siret = ''") == [
        (15,)]
    assert _column(headquarters, "SELECT population FROM commune WHERE name = 'Valenciennes'") == [(None,)]


def test_a_package_with_a_wrong_funder_siret_is_refused_in_one_sentence(good_package: Path, tmp_path: Path) -> None:
    files = members(good_package)

    def spoil(records: list[dict]) -> None:
        records[0]["siret"] = "24590116000012"  # the key digit off by one (the right one is 1, see above)

    forged = write(tmp_path / "faux.zip", edited(files, "funder.jsonl", spoil))
    headquarters = tmp_path / "siege.db"
    with opened_database(headquarters):
        with pytest.raises(ExchangeError) as refused:
            import_package(forged)
        assert Funder.select().count() == 0
    message = str(refused.value)
    assert "funder.jsonl" in message and "SIRET 24590116000012 est invalide" in message and "\n" not in message


def test_the_scdl_export_names_the_funder_by_its_siret(demo_template: Path, tmp_path: Path) -> None:
    import csv

    from cvdesk.exchange.scdl import write_scdl

    office = tmp_path / "bureau.db"
    office.write_bytes(demo_template.read_bytes())
    with opened_database(office):
        epci = Funder.get(Funder.kind == "epci")
        assert save_funder({"siret": "24590116000011"}, epci.id).ok
        write_scdl(tmp_path / "subventions.csv")
    expected = _column(office, "SELECT count(*) FROM funding f JOIN action a ON a.id = f.action_id "
                               "WHERE f.deleted = 0 AND a.deleted = 0 AND f.granted > 0 AND f.funder_id = "
                               "(SELECT id FROM funder WHERE kind = 'epci')")[0][0]
    with (tmp_path / "subventions.csv").open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    by_epci = [line for line in lines if line["nomAttribuant"] == "Valenciennes Métropole"]
    assert expected > 0 and len(by_epci) == expected
    assert {line["idAttribuant"] for line in by_epci} == {"24590116000011"}
    # The SIRET typed names this funder's grants only (the demo's other funders carry their own).
    assert "24590116000011" not in {line["idAttribuant"] for line in lines if line not in by_epci}
