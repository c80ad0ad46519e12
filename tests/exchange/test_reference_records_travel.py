"""Every kind of reference record an office creates, edits or deletes reaches headquarters through a package."""
from __future__ import annotations

from pathlib import Path

from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.services import reference
from cvdesk.store.database import close_database, open_database
from cvdesk.store.models import db
from cvdesk.store.settings import OFFICE, set_setting

TABLES = ("contract", "signatory", "orientation", "commune", "funder", "envelope")


def snapshot() -> dict[str, set[tuple]]:
    """Each reference table's records by uuid with the fields a coordinator edits, read with SQL."""
    columns = {"contract": "name, start_year, end_year", "signatory": "name, position",
               "orientation": "number, title", "commune": "name, insee_code, siren, population",
               "funder": "name, kind, siren, siret", "envelope": "year, amount"}
    return {table: set(db.execute_sql(f'SELECT uuid, deleted, {columns[table]} FROM "{table}"').fetchall())
            for table in TABLES}


def one(sql: str, *params: object) -> tuple:
    return db.execute_sql(sql, params).fetchone()


def test_created_edited_and_deleted_reference_records_reach_headquarters(demo_template: Path, tmp_path: Path) -> None:
    office = tmp_path / "bureau.db"
    office.write_bytes(demo_template.read_bytes())
    open_database(office)
    try:
        set_setting(OFFICE, "Bureau de Valenciennes")
        contract_id = one("SELECT id FROM contract WHERE deleted = 0")[0]
        contract = reference.current_contract()
        assert reference.save_contract({"name": contract.name + " (avenant 2016)"}, contract_id).ok
        assert reference.save_signatory({"contract": contract_id, "name": "Caisse des dépôts", "position": 9}).ok
        orientation = reference.save_orientation({"contract": contract_id, "number": 7,
                                                  "title": "Transition écologique des quartiers"})
        assert orientation.ok, orientation.errors
        assert reference.move_orientation(orientation.record.id, -1)
        commune = reference.save_commune({"name": "Saint-Saulve", "insee_code": "59544", "departement": "59",
                                          "postcode": "59880"})
        assert commune.ok, commune.errors
        funder = reference.save_funder({"name": "Caisse des dépôts", "short_name": "CDC", "kind": "autre",
                                        "siret": "18002002600019"})
        assert funder.ok, funder.errors
        envelope = reference.save_envelope({"funder": funder.record.id, "year": 2016, "amount": 8_000_000})
        assert envelope.ok, envelope.errors
        spare = reference.save_funder({"name": "Fondation de quartier", "kind": "autre"})
        assert spare.ok and reference.delete_funder(spare.record.id)
        sent = snapshot()
        export_package(tmp_path / "bureau.zip", "Bureau de Valenciennes")
    finally:
        close_database()

    siege = tmp_path / "siege.db"
    siege.write_bytes(demo_template.read_bytes())
    open_database(siege)
    try:
        set_setting(OFFICE, "Siège")
        import_package(tmp_path / "bureau.zip")
        received = snapshot()
        for table in TABLES:
            assert received[table] == sent[table], table
        assert one("SELECT deleted FROM funder WHERE name = 'Fondation de quartier'") == (1,)
        assert one("SELECT number FROM orientation WHERE title = 'Transition écologique des quartiers'") == (6,)
        assert one("SELECT count(*) FROM history WHERE record_uuid = (SELECT uuid FROM funder "
                   "WHERE name = 'Caisse des dépôts')")[0] >= 1
    finally:
        close_database()
