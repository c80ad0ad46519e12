"""An office whose cvdesk is still on schema 4 sends packages without the columns of step 5: what they do not carry
is not known, never empty. Headquarters keeps the SIRET it typed when such an office renames the funder, a funder
new to headquarters takes the empty default, and a package that mixes records with and without those keys is refused
with nothing written."""
from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cvdesk.exchange.conflicts import pending_conflicts, resolve_conflict
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.services.reference import save_funder
from cvdesk.store.database import close_database, open_database, opened_database
from cvdesk.store.models import Funder
from tests.exchange.forging import edited, members, resealed, with_manifest, write
from tests.exchange.helpers import fingerprint, settle

# The keys schema step 5 added, per file: an office on schema 4 writes its records without them.
STEP_5_KEYS = {"commune.jsonl": ("departement", "siren", "population"),
               "funder.jsonl": ("siren", "siret"),
               "contract.jsonl": ("reference_source",)}
# SIREN 245901160 (Valenciennes Métropole), NIC 0000, key 1: the Luhn sum of 2459011600001 doubled at every other
# digit is 29, so the key making it a multiple of 10 is 1 (by hand; the same SIRET as test_reference_columns_travel).
HQ_SIRET = "24590116000011"
NEW_NAME = "CA Valenciennes Métropole (Porte du Hainaut)"


def _sql(db: Path, query: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def _as_schema_4(files: dict[str, bytes]) -> dict[str, bytes]:
    """The package as an office on schema 4 writes it: no step-5 key in any record, schema 4 in the manifest."""
    for name, keys in STEP_5_KEYS.items():
        def drop(records: list[dict], keys: tuple[str, ...] = keys) -> None:
            for record in records:
                for key in keys:
                    del record[key]
        files = edited(files, name, drop)
    return with_manifest(files, lambda manifest: manifest.update(schema_version=4))


def _epci_id() -> int:
    return Funder.get(Funder.kind == "epci").id


@pytest.fixture
def offices(demo_template: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Headquarters and an office, both holding the demo contract (one common past)."""
    headquarters, office = tmp_path / "siege.db", tmp_path / "bureau.db"
    headquarters.write_bytes(demo_template.read_bytes())
    office.write_bytes(demo_template.read_bytes())
    return headquarters, office


def _old_package_from(office: Path, folder: Path) -> Path:
    with opened_database(office):
        export_package(folder / "actuel.zip", "Bureau Denain")
    return write(folder / "ancien.zip", _as_schema_4(members(folder / "actuel.zip")))


def test_an_old_office_renames_a_funder_and_headquarters_keeps_the_siret_it_typed(offices: tuple[Path, Path],
                                                                                  tmp_path: Path) -> None:
    headquarters, office = offices
    with opened_database(headquarters):
        assert save_funder({"siret": HQ_SIRET}, _epci_id()).ok
    with opened_database(office):
        assert save_funder({"name": NEW_NAME}, _epci_id()).ok
    package = _old_package_from(office, tmp_path)
    before = _sql(headquarters, "SELECT uuid, siren, siret FROM funder WHERE kind = 'epci'")
    assert [row[1:] for row in before] == [("245901160", HQ_SIRET)]

    with opened_database(headquarters):
        summary = import_package(package)
    assert summary.counts["funder"].updated == 1 and not summary.conflicts
    # The summary says why those fields did not come, and that they were kept.
    [note] = [line for line in summary.lines() if "schéma 4" in line]
    assert "Financeurs : SIREN, SIRET" in note and "gardées" in note
    # The office's new name arrived; the SIREN and SIRET it could not know stayed as headquarters holds them.
    assert _sql(headquarters, "SELECT name, siren, siret FROM funder WHERE kind = 'epci'") == [
        (NEW_NAME, "245901160", HQ_SIRET)]
    # The merge's history names the one field that came from the office.
    [changes] = _sql(headquarters, "SELECT changes FROM history WHERE record_uuid = ? AND operation = 'merge_update'",
                     before[0][0])
    assert json.loads(changes[0]) == {"name": ["Valenciennes Métropole", NEW_NAME]}
    # Nothing else of the reference differs for not carrying the new columns: every commune kept its INSEE data.
    assert summary.counts["commune"].updated == 0
    assert _sql(headquarters, "SELECT insee_code, departement, siren, population FROM commune "
                              "WHERE name = 'Valenciennes'") == [("59606", "59", "215906066", 42979)]


def test_a_funder_new_to_headquarters_from_an_old_office_arrives_with_an_empty_siret(offices: tuple[Path, Path],
                                                                                      tmp_path: Path) -> None:
    headquarters, office = offices
    with opened_database(office):
        # Typed at the office in a schema-5 base, then left out of the package as a schema-4 office would.
        result = save_funder({"name": "Ville de Denain", "kind": "commune", "siret": HQ_SIRET})
        assert result.ok, result.errors
    package = _old_package_from(office, tmp_path)
    with opened_database(headquarters):
        summary = import_package(package)
    assert summary.counts["funder"].added == 1
    assert _sql(headquarters, "SELECT kind, siren, siret FROM funder WHERE name = 'Ville de Denain'") == [
        ("commune", "", "")]


def test_a_conflict_from_an_old_office_taken_as_received_keeps_the_siret(offices: tuple[Path, Path],
                                                                           tmp_path: Path) -> None:
    headquarters, office = offices
    with opened_database(headquarters):
        assert save_funder({"name": "Valenciennes Métropole (siège)", "siret": HQ_SIRET}, _epci_id()).ok
    with opened_database(office):
        assert save_funder({"name": NEW_NAME}, _epci_id()).ok
    package = _old_package_from(office, tmp_path)
    with opened_database(headquarters):
        summary = import_package(package)
        assert [c.table for c in summary.conflicts] == ["funder"]  # the name changed on both sides
        [view] = pending_conflicts()
        # The SIRET is no difference: the old office never said anything about it.
        assert [(d.field, d.local, d.incoming) for d in view.differences] == [
            ("name", "Valenciennes Métropole (siège)", NEW_NAME)]
        resolve_conflict(view.id, "incoming")
    assert _sql(headquarters, "SELECT name, siren, siret FROM funder WHERE kind = 'epci'") == [
        (NEW_NAME, "245901160", HQ_SIRET)]


@pytest.mark.parametrize("with_key, line", [(False, 3), (True, 3)],
                         ids=["la ligne 3 sans SIRET", "la ligne 3 seule avec SIRET"])
def test_a_package_mixing_records_with_and_without_the_siret_is_refused_with_nothing_written(
        offices: tuple[Path, Path], tmp_path: Path, with_key: bool, line: int) -> None:
    headquarters, office = offices
    files = members(_old_package_from(office, tmp_path))

    def mix(records: list[dict]) -> None:
        if with_key:  # every record without the new keys but one, which carries them as a schema-5 office would
            records[line - 1].update(siren="", siret="")
        else:  # every record with the new keys but one
            for n, record in enumerate(records):
                if n != line - 1:
                    record.update(siren="", siret="")

    forged = write(tmp_path / "mele.zip", edited(files, "funder.jsonl", mix))
    settle(headquarters)
    before = fingerprint(headquarters)
    with opened_database(headquarters):
        with pytest.raises(ExchangeError) as refused:
            import_package(forged)
    settle(headquarters)
    assert fingerprint(headquarters) == before
    message = str(refused.value)
    assert "funder.jsonl" in message and f"ligne {line} :" in message and "\n" not in message
    assert "« siren »" in message and ("avec et sans" in message)


def test_a_current_package_lacking_the_siret_is_refused(offices: tuple[Path, Path], tmp_path: Path) -> None:
    """The manifest says which schema wrote the package: one on schema 5 holds every step-5 key."""
    headquarters, office = offices
    with opened_database(office):
        export_package(tmp_path / "actuel.zip", "Bureau Denain")

    def drop(records: list[dict]) -> None:
        for record in records:
            del record["siret"]

    forged = write(tmp_path / "sans_siret.zip", edited(members(tmp_path / "actuel.zip"), "funder.jsonl", drop))
    with opened_database(headquarters):
        with pytest.raises(ExchangeError) as refused:
            import_package(forged)
    message = str(refused.value)
    assert "funder.jsonl, ligne 1 : il manque le champ « siret »" in message and "\n" not in message


@pytest.fixture(scope="module")
def old_members(good_package: Path) -> dict[str, bytes]:
    return _as_schema_4(members(good_package))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(carries=st.lists(st.booleans(), min_size=15, max_size=15))
def test_an_old_package_is_read_only_when_its_funders_all_carry_the_new_keys_or_none_does(
        old_members: dict[str, bytes], tmp_path: Path, carries: list[bool]) -> None:
    """Whichever of the demo's 15 funders (7, and 8 town halls) carry a SIREN and SIRET, the first decides for the file."""
    def mark(records: list[dict]) -> None:
        assert len(records) == len(carries)
        for record, carried in zip(records, carries):
            if carried:
                record.update(siren="", siret="")

    package = write(tmp_path / "paquet.zip", edited(old_members, "funder.jsonl", mark))
    open_database(tmp_path / "siege.db")
    try:
        if len(set(carries)) == 1:
            assert import_package(package, dry_run=True).counts["funder"].added == 15
        else:
            differing = 1 + next(n for n, carried in enumerate(carries) if carried != carries[0])  # by hand
            with pytest.raises(ExchangeError) as refused:
                import_package(package, dry_run=True)
            assert f"funder.jsonl, ligne {differing} :" in str(refused.value)
            assert "avec et sans ce champ" in str(refused.value)
    finally:
        close_database()
        for part in tmp_path.glob("siege.db*"):
            part.unlink()


def test_funders_without_the_siret_after_the_first_batch_of_a_long_file_are_refused(old_members: dict[str, bytes],
                                                                  tmp_path: Path) -> None:
    """The file is read in batches of 2,000 lines: the first line's choice holds for the later batches too."""
    [first, *_] = [json.loads(line) for line in old_members["funder.jsonl"].decode().splitlines()]
    many = [{**first, "uuid": str(uuid.uuid4()), "name": f"Financeur {n}", "siren": "", "siret": ""}
            for n in range(1, 2501)]
    for record in many[2000:]:  # from line 2001: the whole second batch without them
        del record["siret"], record["siren"]
    data = "".join(json.dumps(record) + "\n" for record in many).encode()
    package = write(tmp_path / "long.zip", resealed(old_members, "funder.jsonl", data))
    headquarters = tmp_path / "siege.db"
    with opened_database(headquarters):
        with pytest.raises(ExchangeError) as refused:
            import_package(package)
    assert "funder.jsonl, ligne 2001 : il manque le champ « siren »" in str(refused.value)
    assert _sql(headquarters, "SELECT count(*) FROM funder") == [(0,)]


def test_the_columns_an_old_package_may_lack_are_real_columns_with_the_forms_defaults() -> None:
    from cvdesk.exchange.package_format import ADDED_COLUMNS, table_specs

    specs = {spec.table: spec for spec in table_specs()}
    for tables in ADDED_COLUMNS.values():
        for table, defaults in tables.items():
            fields = specs[table].model._meta.fields
            for key, default in defaults.items():
                assert key in specs[table].keys
                # A record new here takes what a form saving it without the field would store.
                assert fields[key].default == default, (table, key)
