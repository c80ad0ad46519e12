"""Offices send packages to headquarters: round trips, merges, conflicts, deletions, and dry runs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.services.actions import delete_action, save_action
from cvdesk.services.associations import save_association
from cvdesk.store.database import close_database, open_database
from cvdesk.store.exchange_models import ExchangeConflict
from cvdesk.store.models import Action, Association
from cvdesk.store.settings import OFFICE, set_setting
from tests.exchange.helpers import fingerprint, ids_picture, run_cli, settle, tables_picture

pytestmark = pytest.mark.both_engines


@pytest.fixture
def demo_file(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "siege.db"
    path.write_bytes(demo_template.read_bytes())
    return path


def test_demo_goes_whole_into_an_empty_database_and_comes_back_unchanged(demo_file: Path, tmp_path: Path,
                                                                           capsys) -> None:
    package, other = tmp_path / "paquet.zip", tmp_path / "vide.db"
    code, out, err = run_cli(capsys, "export", "--db", str(demo_file), "--out", str(package))
    assert code == 0, err
    assert "Paquet du bureau « Valenciennes Métropole" in out
    open_database(demo_file)
    expected = tables_picture()
    expected_ids = ids_picture()
    close_database()

    code, out, err = run_cli(capsys, "import", "--db", str(other), str(package))
    assert code == 0, err
    assert "Actions" in out and "40" in out
    open_database(other)
    picture, ids = tables_picture(), ids_picture()
    # The merge wrote one history row of its own, about the package: who merged it, when, what it brought.
    [merge_row] = [row for row in picture["history"] if row[7] == "merge"]
    assert merge_row[5] == "Paquet" and json.loads(merge_row[9])["added"] == [None, 40 + sum(
        len(rows) for table, rows in expected.items() if table != "action")]
    picture["history"].remove(merge_row)
    assert picture == expected  # every field of every table, UUIDs, cents, tombstones, history
    assert ids["history"][-1][1] == merge_row[0]
    del ids["history"][-1]
    assert ids == expected_ids  # even the integer keys, since B was empty
    assert Action.select().count() == 40
    close_database()

    code, out, err = run_cli(capsys, "import", "--db", str(other), str(package))
    assert code == 0, err
    assert "Aucun changement" in out
    total = [line for line in out.splitlines() if line.startswith("Total")][0].split()
    assert total[1:] == ["0", "0", str(sum(len(rows) for rows in expected.values())), "0", "0"]


def test_the_manifest_describes_every_file(demo_db, tmp_path: Path) -> None:
    import hashlib
    import zipfile

    summary = export_package(tmp_path / "p.zip", "Bureau Nord")
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format"] == "cvdesk-echange" and manifest["format_version"] == 1
        assert manifest["office"] == "Bureau Nord" and manifest["schema_version"] >= 2
        for name, entry in manifest["files"].items():
            data = archive.read(name)
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert data.count(b"\n") == entry["records"]
    assert summary.counts["action"] == 40 and summary.counts["history"] > 0


def _edit_association(name: str, new_name: str) -> None:
    record = Association.get(Association.name == name)
    assert save_association({"name": new_name}, record.id).ok


def _edit_action_title(reference: str, title: str) -> None:
    record = Action.get(Action.reference == reference)
    result = save_action({"title": title}, record.id)
    assert result.ok, result.errors


def test_two_offices_and_headquarters(demo_file: Path, tmp_path: Path) -> None:
    """Nord and Sud start from one package; each edits its own records and one common action."""
    start = tmp_path / "depart.zip"
    open_database(demo_file)
    set_setting(OFFICE, "Siège")
    export_package(start, "Siège")
    associations = [a.name for a in Association.select().where(Association.deleted == False).order_by(Association.id)]  # noqa: E712
    references = [a.reference for a in Action.select().where(Action.deleted == False).order_by(Action.id)]  # noqa: E712
    close_database()
    common, gone = references[0], references[5]

    packages = {}
    for office, association, title in (("Bureau Nord", associations[0], "Titre du Nord"),
                                       ("Bureau Sud", associations[1], "Titre du Sud")):
        path = tmp_path / f"{office}.db"
        open_database(path)
        set_setting(OFFICE, office)
        import_package(start)
        _edit_association(association, f"{association} ({office})")
        _edit_action_title(common, title)
        if office == "Bureau Sud":
            assert delete_action(Action.get(Action.reference == gone).id)
        packages[office] = tmp_path / f"{office}.zip"
        export_package(packages[office], office)
        close_database()

    open_database(demo_file)
    nord = import_package(packages["Bureau Nord"])
    assert nord.counts["association"].updated == 1 and nord.counts["action"].updated == 1
    assert not nord.conflicts
    sud = import_package(packages["Bureau Sud"])
    assert sud.counts["association"].updated == 1
    assert sud.counts["action"].deleted == 1
    assert [(c.table, c.label.split(" – ")[0]) for c in sud.conflicts] == [("action", common)]
    assert any("Conflits" in line for line in sud.lines())

    names = {a.name for a in Association.select()}
    assert f"{associations[0]} (Bureau Nord)" in names and f"{associations[1]} (Bureau Sud)" in names
    assert Action.get(Action.reference == common).title == "Titre du Nord"  # the local version stays
    assert Action.get(Action.reference == gone).deleted  # the deletion reached headquarters
    kept = ExchangeConflict.get()
    assert kept.from_office == "Bureau Sud" and json.loads(kept.incoming)["title"] == "Titre du Sud"
    assert import_package(packages["Bureau Sud"]).changed == 0  # twice changes nothing more
    assert ExchangeConflict.select().count() == 1
    close_database()


def test_the_newer_version_wins_when_only_one_side_changed(demo_file: Path, tmp_path: Path) -> None:
    open_database(demo_file)
    export_package(tmp_path / "p0.zip", "Siège")
    reference = Action.select().first().reference
    close_database()
    open_database(tmp_path / "bureau.db")
    set_setting(OFFICE, "Bureau Est")
    import_package(tmp_path / "p0.zip")
    _edit_action_title(reference, "Nouveau titre")
    export_package(tmp_path / "p1.zip", "Bureau Est")
    close_database()
    open_database(demo_file)
    summary = import_package(tmp_path / "p1.zip")
    assert summary.counts["action"].updated == 1 and not summary.conflicts
    assert Action.get(Action.reference == reference).title == "Nouveau titre"
    close_database()


def test_funding_totals_are_recomputed_after_a_merge(demo_file: Path, tmp_path: Path) -> None:
    open_database(demo_file)
    export_package(tmp_path / "p.zip", "Siège")
    expected = {a.uuid: (a.requested_total, a.granted_total, a.paid_total) for a in Action.select()}
    close_database()
    open_database(tmp_path / "b.db")
    import_package(tmp_path / "p.zip")
    assert {a.uuid: (a.requested_total, a.granted_total, a.paid_total) for a in Action.select()} == expected
    close_database()


def test_dry_run_prints_the_same_summary_and_writes_nothing(demo_file: Path, tmp_path: Path, capsys) -> None:
    package, other = tmp_path / "p.zip", tmp_path / "autre.db"
    assert run_cli(capsys, "export", "--db", str(demo_file), "--out", str(package))[0] == 0
    open_database(other)
    set_setting(OFFICE, "Bureau Ouest")
    settle(other)
    before = fingerprint(other)
    code, dry, err = run_cli(capsys, "import", "--db", str(other), str(package), "--dry-run")
    assert code == 0, err
    assert fingerprint(other) == before
    code, real, err = run_cli(capsys, "import", "--db", str(other), str(package))
    assert code == 0, err
    assert "rien n'a été écrit" in dry
    assert dry.splitlines()[:-1] == real.splitlines()


def test_export_needs_an_office_name_once(tmp_path: Path, capsys) -> None:
    path = tmp_path / "neuf.db"
    open_database(path)
    close_database()
    code, out, err = run_cli(capsys, "export", "--db", str(path), "--out", str(tmp_path / "p.zip"))
    assert code == 2 and "--office" in err and not (tmp_path / "p.zip").exists()
    code, out, err = run_cli(capsys, "export", "--db", str(path), "--out", str(tmp_path / "p.zip"),
                             "--office", "Bureau de Denain")
    assert code == 0, err
    code, out, err = run_cli(capsys, "export", "--db", str(path), "--out", str(tmp_path / "q.zip"))
    assert code == 0 and "Bureau de Denain" in out


def test_a_conflict_is_reviewed_and_the_other_version_chosen(demo_file: Path, tmp_path: Path) -> None:
    from cvdesk.exchange.conflicts import pending_conflicts, resolve_conflict
    from cvdesk.store.models import History

    open_database(demo_file)
    set_setting(OFFICE, "Siège")
    export_package(tmp_path / "p0.zip", "Siège")
    reference = Action.select().first().reference
    close_database()
    open_database(tmp_path / "nord.db")
    set_setting(OFFICE, "Bureau Nord")
    import_package(tmp_path / "p0.zip")
    _edit_action_title(reference, "Titre du Nord")
    export_package(tmp_path / "p1.zip", "Bureau Nord")
    close_database()
    open_database(demo_file)
    _edit_action_title(reference, "Titre du siège")
    assert len(import_package(tmp_path / "p1.zip").conflicts) == 1
    [view] = pending_conflicts()
    assert view.from_office == "Bureau Nord" and reference in view.label
    assert [(d.field, d.local, d.incoming) for d in view.differences] == [("title", "Titre du siège", "Titre du Nord")]
    resolve_conflict(view.id, "incoming")
    action = Action.get(Action.reference == reference)
    assert action.title == "Titre du Nord"
    assert History.select().where(History.record_uuid == action.uuid).order_by(History.id.desc()).first().operation == "update"
    assert pending_conflicts() == []
    close_database()


def test_the_bulk_path_rebuilds_indexes_and_the_search_index(demo_file: Path, tmp_path: Path, monkeypatch) -> None:
    """Large packages take the bulk path (indexes rebuilt once, search index filled once); same result."""
    import cvdesk.exchange.merge_write as merge_write
    from cvdesk.store.models import db

    monkeypatch.setattr(merge_write, "BULK_ROWS", 10)
    open_database(demo_file)
    export_package(tmp_path / "p.zip", "Siège")
    expected = tables_picture()
    indexes = sorted(db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"))
    close_database()
    open_database(tmp_path / "vide.db")
    import_package(tmp_path / "p.zip")
    picture = tables_picture()
    picture["history"] = [row for row in picture["history"] if row[7] != "merge"]  # the merge's own row
    assert picture == expected
    assert sorted(db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')")) == indexes
    found = db.execute_sql("SELECT count(*) FROM action_search WHERE action_search MATCH '\"emploi\"'").fetchone()[0]
    assert found > 0
    assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    close_database()


def test_a_renewal_listed_before_the_action_it_renews_keeps_its_link(demo_file: Path, tmp_path: Path) -> None:
    from cvdesk.store.models import db
    from tests.exchange.forging import edited, members, write

    from cvdesk.services.actions import renew_action

    open_database(demo_file)
    for action in Action.select().order_by(Action.id).limit(3):
        assert renew_action(action.id).ok
    export_package(tmp_path / "p.zip", "Siège")
    close_database()
    files = edited(members(tmp_path / "p.zip"), "action.jsonl", lambda records: records.reverse())
    links = {(r["uuid"], r["previous"]) for r in map(json.loads, files["action.jsonl"].decode().splitlines())
             if r["previous"]}
    assert len(links) == 3
    write(tmp_path / "inverse.zip", files)
    open_database(tmp_path / "vide.db")
    import_package(tmp_path / "inverse.zip")
    stored = set(db.execute_sql('SELECT a.uuid, p.uuid FROM "action" a JOIN "action" p ON p.id = a.previous_id'))
    assert stored == links
    close_database()
