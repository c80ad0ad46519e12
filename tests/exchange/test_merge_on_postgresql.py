"""Headquarters on PostgreSQL: the offices' packages merge into it exactly as into a SQLite file, a package it
exports is the one a SQLite base would write, and a merge takes no id that another coordinator's new record needs."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pg_plain
import pytest

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.exchange.package_format import table_specs
from cvdesk.services.actions import FundingInput, delete_action, save_action
from cvdesk.services.associations import save_association
from cvdesk.store.database import close_database, open_database
from cvdesk.store.engine import raw
from cvdesk.store.exchange_models import ExchangeConflict, ExchangePeer
from cvdesk.store.models import Action, Association, Funder, db
from cvdesk.store.settings import OFFICE, set_setting
from tests.exchange.helpers import tables_picture

pytestmark = pytest.mark.postgresql

MERGE_OPERATIONS = ("merge", "merge_update", "merge_delete")
# Headquarters' own edit of the common action, written with fixed values so that both engines hold the same rows.
HQ_EDIT_TIME = "2026-11-30T09:00:00.000000Z"
HQ_EDIT_UUID = "0b7e1c0a-5d52-4f7a-9a43-6a4f3f0c2d11"


def _edit_action_title(reference: str, title: str) -> None:
    result = save_action({"title": title}, Action.get(Action.reference == reference).id)
    assert result.ok, result.errors


@pytest.fixture
def packages(demo_template: Path, tmp_path: Path) -> dict[str, Any]:
    """« Siège » sends the demo to two offices. Nord renames an association and retitles a common action; Sud
    retitles it too, deletes another action and adds a porteur with an action and its funding line."""
    demo = tmp_path / "demo.db"
    demo.write_bytes(demo_template.read_bytes())
    start = tmp_path / "depart.zip"
    open_database(demo)
    set_setting(OFFICE, "Siège")
    export_package(start, "Siège")
    live = Association.select().where(Association.deleted == 0).order_by(Association.id)
    associations = [a.name for a in live]
    references = [a.reference for a in Action.select().where(Action.deleted == 0).order_by(Action.id)]
    close_database()
    common, gone = references[0], references[5]
    out = {"start": start, "common": common, "gone": gone}
    for office, association, title in (("Bureau Nord", associations[0], "Titre du Nord"),
                                       ("Bureau Sud", associations[1], "Titre du Sud")):
        open_database(tmp_path / f"{office}.db")
        set_setting(OFFICE, office)
        import_package(start)
        record = Association.get(Association.name == association)
        assert save_association({"name": f"{association} ({office})"}, record.id).ok
        _edit_action_title(common, title)
        if office == "Bureau Sud":
            assert delete_action(Action.get(Action.reference == gone).id)
            porteur = save_association({"name": "Les Jardins du Sud", "siret": ""}).record
            funder = Funder.select().where(Funder.deleted == 0).order_by(Funder.id).first()
            result = save_action({"reference": "2026-SUD-001", "title": "Jardins partagés", "year": 2026,
                                  "porteur": porteur.id, "total_cost": 1_234_567},
                                 fundings=[FundingInput(funder.id, requested=1_000_001, granted=999_999)])
            assert result.ok, result.errors
        out[office] = tmp_path / f"{office}.zip"
        export_package(out[office], office)
        close_database()
    return out


def _headquarters_edit(reference: str) -> None:
    """Headquarters retitles the common action itself, as a save would: the row and its history row."""
    action_uuid, old = raw().execute('SELECT uuid, title FROM "action" WHERE reference = ?', (reference,)).fetchone()
    with db.atomic():
        raw().execute('UPDATE "action" SET title = ?, updated_at = ? WHERE uuid = ?',
                      ("Titre du siège", HQ_EDIT_TIME, action_uuid))
        raw().execute("INSERT INTO history (uuid, created_at, updated_at, office, deleted, record_type, record_uuid, "
                      "operation, os_user, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (HQ_EDIT_UUID, HQ_EDIT_TIME, HQ_EDIT_TIME, "Siège", False, "Action", action_uuid, "update",
                       "siege", json.dumps({"title": [old, "Titre du siège"]}, ensure_ascii=False)))


def _picture() -> dict[str, list[Any]]:
    """Every exchanged table by UUID (references as UUIDs), the history rows the merges wrote without their own
    UUID and times (drawn at the merge), and the memory of the exchanges without local ids and times."""
    picture: dict[str, list[Any]] = tables_picture()
    picture["history"] = sorted(row[3:] if row[7] in MERGE_OPERATIONS else row for row in picture["history"])
    picture["conflicts"] = sorted(ExchangeConflict.select(
        ExchangeConflict.record_type, ExchangeConflict.record_uuid, ExchangeConflict.from_office,
        ExchangeConflict.package_exported_at, ExchangeConflict.incoming_updated_at,
        ExchangeConflict.local_updated_at, ExchangeConflict.incoming, ExchangeConflict.resolution).tuples())
    picture["peers"] = sorted(ExchangePeer.select(ExchangePeer.office, ExchangePeer.last_received_at).tuples())
    return picture


def _merge_at_headquarters(target: Path | str, packages: dict[str, Any]) -> tuple[dict[str, list[Any]], list[Any]]:
    open_database(target)
    try:
        set_setting(OFFICE, "Siège")
        told = [import_package(packages["start"]).lines()]  # into an empty base: one pass
        _headquarters_edit(packages["common"])
        for office in ("Bureau Nord", "Bureau Sud"):
            told.append(import_package(packages[office]).lines())  # compared and decided, then written
        return _picture(), told
    finally:
        close_database()


def test_an_office_package_merges_into_postgresql_as_into_sqlite(packages: dict[str, Any], tmp_path: Path,
                                                                 pg_url: str) -> None:
    on_sqlite, told_sqlite = _merge_at_headquarters(tmp_path / "siege.db", packages)
    on_postgres, told_postgres = _merge_at_headquarters(pg_url, packages)

    # What happened, by hand: each office's rename taken, Sud's deletion and new records taken, both offices'
    # titles kept aside as conflicts (headquarters changed the action too), headquarters' own title kept.
    spec = next(s for s in table_specs() if s.table == "action")
    at = {key: spec.index(key) for key in ("reference", "title", "deleted")}
    by_reference = {row[at["reference"]]: row for row in on_postgres["action"]}
    assert by_reference[packages["common"]][at["title"]] == "Titre du siège"
    assert by_reference[packages["gone"]][at["deleted"]] is True
    assert by_reference["2026-SUD-001"][at["title"]] == "Jardins partagés"
    assert [(c[1], c[2], json.loads(c[6])["title"]) for c in on_postgres["conflicts"]] == [
        (by_reference[packages["common"]][0], "Bureau Nord", "Titre du Nord"),
        (by_reference[packages["common"]][0], "Bureau Sud", "Titre du Sud")]
    name_n = next(s for s in table_specs() if s.table == "association").index("name")
    names = {row[name_n] for row in on_postgres["association"]}
    assert {name for name in names if name.endswith(("(Bureau Nord)", "(Bureau Sud)"))} and "Les Jardins du Sud" in names
    assert [peer for peer, _ in on_postgres["peers"]] == ["Bureau Nord", "Bureau Sud", "Siège"]

    assert told_postgres == told_sqlite
    assert on_postgres.keys() == on_sqlite.keys()
    for table in on_sqlite:
        assert on_postgres[table] == on_sqlite[table], table


def _members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "manifest.json"}


def _without_merge_rows(lines: bytes) -> list[bytes]:
    return [line for line in lines.splitlines() if json.loads(line)["operation"] not in MERGE_OPERATIONS]


def test_postgresql_exports_the_package_sqlite_would(packages: dict[str, Any], tmp_path: Path, pg_url: str) -> None:
    exported = {}
    for name, target in (("sqlite", tmp_path / "siege.db"), ("postgresql", pg_url)):
        open_database(target)
        import_package(packages["start"])
        exported[name] = tmp_path / f"{name}.zip"
        export_package(exported[name], "Siège")
        close_database()
    from_sqlite, from_postgres = _members(exported["sqlite"]), _members(exported["postgresql"])
    assert from_postgres.keys() == from_sqlite.keys()
    for name in from_sqlite:
        if name == "history.jsonl":  # each base's merge wrote its own row about the package
            assert _without_merge_rows(from_postgres[name]) == _without_merge_rows(from_sqlite[name])
        else:
            assert from_postgres[name] == from_sqlite[name], name
    with zipfile.ZipFile(exported["postgresql"]) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    open_database(pg_url)
    expected_actions = raw().execute('SELECT count(*) FROM "action"').fetchone()[0]
    close_database()
    assert manifest["files"]["action.jsonl"]["records"] == expected_actions == 40

    # The package written by PostgreSQL reads back whole into a SQLite office.
    open_database(tmp_path / "bureau.db")
    summary = import_package(exported["postgresql"])
    assert summary.counts["action"].added == 40
    assert Action.select().count() == 40
    close_database()


def test_a_merge_leaves_free_the_ids_another_coordinator_takes(packages: dict[str, Any], pg_url: str) -> None:
    """While headquarters merges Sud's package, a colleague creates a porteur from the window (another
    connection, whose new record takes the table's next id): neither write waits for, nor collides with, the other."""
    open_database(pg_url)
    import_package(packages["start"])
    colleague = pg_plain.connect(pg_url, autocommit=True)
    colleague.execute("SET lock_timeout = '5s'")  # a collision on an id would wait for the merge: fail instead
    created: list[int] = []

    def meanwhile(done: int, total: int) -> None:
        if not created:
            row = colleague.execute(
                "INSERT INTO association (uuid, created_at, updated_at, office, deleted, name, acronym, siret, "
                "siren, rna, legal_form, address, postcode, city, phone, email, website, president, "
                "contact_name, notes, active) VALUES ('5f0c7a52-0d0e-4a57-8d0e-2b9d5c1e7a10', %s, %s, 'Siège', "
                "0, 'Créée pendant la fusion', '', '', '', '', '', '', '', '', '', '', '', '', '', '', 1) "
                "RETURNING id", (HQ_EDIT_TIME, HQ_EDIT_TIME)).fetchone()
            created.append(row[0])

    try:
        summary = import_package(packages["Bureau Sud"], progress=meanwhile)
    finally:
        colleague.close()
    assert created and summary.counts["association"].added == 1
    names = dict(raw().execute("SELECT name, id FROM association WHERE name IN (?, ?)",
                               ("Créée pendant la fusion", "Les Jardins du Sud")).fetchall())
    assert names["Créée pendant la fusion"] == created[0] and names["Les Jardins du Sud"] != created[0]
    # And the next record made here takes a free id too.
    assert save_association({"name": "Après la fusion"}).ok
    close_database()


def test_a_first_load_into_postgresql_builds_its_indexes_once_and_keeps_them(packages: dict[str, Any], pg_url: str,
                                                                             monkeypatch) -> None:
    """A large package into an empty PostgreSQL base takes the bulk path (each table's indexes dropped, then built
    once from its rows): every index is back as it was, the search finds the actions, the tables hold the package."""
    import cvdesk.exchange.merge_write as merge_write

    indexes = ("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
               "ORDER BY indexname")
    open_database(pg_url)
    before = raw().execute(indexes).fetchall()
    close_database()
    monkeypatch.setattr(merge_write, "BULK_ROWS", 10)  # the demo's tables count as large
    open_database(pg_url)
    try:
        import_package(packages["start"])
        assert raw().execute(indexes).fetchall() == before
        assert raw().execute('SELECT count(*) FROM "action"').fetchone()[0] == 40
        found = raw().execute("SELECT count(*) FROM action_search WHERE text LIKE ?", ("%emploi%",)).fetchone()[0]
        assert found > 0
    finally:
        close_database()


def test_a_role_that_may_only_read_is_refused_the_merge_in_french(packages: dict[str, Any], pg_url: str) -> None:
    open_database(pg_url)
    import_package(packages["start"])
    close_database()
    role = "lecteur_" + pg_url.split("/")[-1].split("?")[0]
    admin = pg_plain.connect(pg_url, autocommit=True)
    try:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
        admin.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
        counts = admin.execute("SELECT (SELECT count(*) FROM association), (SELECT count(*) FROM history)").fetchone()
        open_database(pg_url.replace("cvdesk@", f"{role}@", 1))
        try:
            with pytest.raises(ExchangeError) as refused:
                import_package(packages["Bureau Sud"])
        finally:
            close_database()
        # Said before the package is read (store/read_only.py), as for every writing command of such a role.
        assert str(refused.value) == (f"L'import du paquet {packages['Bureau Sud']} est impossible : votre rôle sur "
                                      f"la base PostgreSQL {pg_url.replace('cvdesk@', f'{role}@', 1)} permet de la "
                                      "lire mais pas de la modifier ; rien n'a été écrit.")
        assert admin.execute("SELECT (SELECT count(*) FROM association), (SELECT count(*) FROM history)"
                             ).fetchone() == counts
    finally:
        admin.execute(f'DROP OWNED BY "{role}"')
        admin.execute(f'DROP ROLE "{role}"')
        admin.close()


def test_a_second_merge_at_the_same_time_is_refused_in_french(packages: dict[str, Any], pg_url: str) -> None:
    """A colleague's merge is running (it holds the bulk-write lock of the base): this one writes nothing and says
    why; once theirs is done, this one goes through."""
    from cvdesk.store.bulk_write import BULK_WRITE_LOCK

    colleague = pg_plain.connect(pg_url, autocommit=True)
    colleague.execute("SELECT pg_advisory_lock(%s)", (BULK_WRITE_LOCK,))
    open_database(pg_url)
    try:
        with pytest.raises(ExchangeError) as refused:
            import_package(packages["start"])
        assert str(refused.value) == (f"Import du paquet {packages['start']} : un autre import est en cours dans cette "
                                      "base (depuis un autre poste) ; rien n'a été écrit, réessayez quand il sera fini.")
        assert raw().execute('SELECT count(*) FROM "action"').fetchone()[0] == 0
        colleague.execute("SELECT pg_advisory_unlock(%s)", (BULK_WRITE_LOCK,))
        assert import_package(packages["start"]).counts["action"].added == 40
    finally:
        close_database()
        colleague.close()
