"""Offices with wrong clocks, foreign deletions and rewritten history: what headquarters keeps, and what it says."""
from __future__ import annotations

import getpass
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.exchange.merge_summary import BOTH_CHANGED, FOREIGN_TOMBSTONE
from cvdesk.services.actions import save_action
from cvdesk.store.database import close_database, open_database
from cvdesk.store.models import Action, db
from cvdesk.store.settings import OFFICE, set_setting
from tests.exchange.forging import edited, members, with_manifest, write
from tests.exchange.helpers import fingerprint, run_cli, settle

FUTURE = "2027-06-01T09:00:00.000000Z"
LATER_FUTURE = "2027-06-02T09:00:00.000000Z"


@pytest.fixture
def offices(demo_template: Path, tmp_path: Path) -> dict[str, Path]:
    """Headquarters (Siège) with the demo contract, and Bureau Nord started from its package."""
    siege, nord = tmp_path / "siege.db", tmp_path / "nord.db"
    siege.write_bytes(demo_template.read_bytes())
    open_database(siege)
    set_setting(OFFICE, "Siège")
    export_package(tmp_path / "depart.zip", "Siège")
    close_database()
    open_database(nord)
    set_setting(OFFICE, "Bureau Nord")
    import_package(tmp_path / "depart.zip")
    close_database()
    return {"siege": siege, "nord": nord, "folder": tmp_path}


def _retitle(uuid: str, title: str) -> None:
    action = Action.get(Action.uuid == uuid)
    assert save_action({"title": title}, action.id).ok


def _title(uuid: str) -> str:
    return db.execute_sql('SELECT title FROM "action" WHERE uuid = ?', (uuid,)).fetchone()[0]


def _ahead(package: Path, out: Path, uuid: str, exported_at: str) -> Path:
    """The package as an office whose clock is a year ahead writes it: the action's times and the export time."""
    def future(records: list[dict]) -> None:
        for record in records:
            if record["uuid"] == uuid:
                record["updated_at"] = FUTURE
    files = edited(members(package), "action.jsonl", future)
    return write(out, with_manifest(files, lambda m: m.update(exported_at=exported_at)))


def test_an_office_whose_clock_is_ahead_cannot_erase_a_later_edit_here(offices: dict[str, Path]) -> None:
    folder = offices["folder"]
    open_database(offices["nord"])
    uuid = Action.select().order_by(Action.id).first().uuid
    _retitle(uuid, "Titre du Nord")
    export_package(folder / "nord.zip", "Bureau Nord")
    close_database()
    forged = _ahead(folder / "nord.zip", folder / "nord-2027.zip", uuid, FUTURE)

    open_database(offices["siege"])
    first = import_package(forged)
    assert first.counts["action"].updated == 1 and _title(uuid) == "Titre du Nord"  # Nord's genuine edit arrives
    assert any("dans le futur" in w for w in first.warnings) and any("en avance" in w for w in first.warnings)
    assert any(line.startswith("Attention : ") for line in first.lines())
    ceiling = (datetime.now(timezone.utc) + timedelta(minutes=11)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    latest = db.execute_sql("SELECT max(updated_at) FROM (SELECT updated_at FROM \"action\" UNION ALL "
                            "SELECT last_received_at FROM exchange_peer)").fetchone()[0]
    assert latest < ceiling  # no time from 2027 was stored here

    _retitle(uuid, "Titre du siège")  # a genuine edit here, later than Nord's
    again = import_package(_ahead(folder / "nord.zip", folder / "nord-2027b.zip", uuid, LATER_FUTURE))
    assert _title(uuid) == "Titre du siège"  # the 2027 clock did not win
    assert again.counts["action"].updated == 0 and not again.conflicts
    close_database()

    # Nord edits the action again: now both sides changed it, and a person decides.
    open_database(offices["nord"])
    _retitle(uuid, "Titre du Nord, deuxième version")
    export_package(folder / "nord2.zip", "Bureau Nord")
    close_database()
    open_database(offices["siege"])
    third = import_package(_ahead(folder / "nord2.zip", folder / "nord-2027c.zip", uuid, LATER_FUTURE))
    assert [(c.uuid, c.reason) for c in third.conflicts] == [(uuid, BOTH_CHANGED)]
    assert _title(uuid) == "Titre du siège"
    close_database()


def test_the_merge_writes_who_merged_which_package_and_what_changed(offices: dict[str, Path]) -> None:
    folder = offices["folder"]
    open_database(offices["nord"])
    action = Action.select().order_by(Action.id).first()
    old_title = action.title
    _retitle(action.uuid, "Titre du Nord")
    export_package(folder / "nord.zip", "Bureau Nord")
    close_database()
    open_database(offices["siege"])
    import_package(folder / "nord.zip")
    rows = db.execute_sql("SELECT record_type, record_uuid, operation, os_user, office, changes FROM history "
                          "WHERE operation LIKE 'merge%' AND office = 'Siège' ORDER BY id").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows[:-1]] == [("Action", action.uuid, "merge_update")]
    assert json.loads(rows[0][5]) == {"title": [old_title, "Titre du Nord"]}
    package_row = rows[-1]
    assert package_row[0] == "Paquet" and package_row[2] == "merge"
    assert package_row[3] == getpass.getuser() and package_row[4] == "Siège"
    about = json.loads(package_row[5])
    assert about["package_office"] == [None, "Bureau Nord"] and about["updated"] == [None, 1]
    from cvdesk.services.history import entries_for

    assert entries_for("Action", action.uuid)[0].operation == "Modification reçue par paquet"
    close_database()


def _stranger_deletes(package: Path, out: Path, uuid: str, office: str) -> Path:
    """A package from office, without any history, in which the action is deleted."""
    def tombstone(records: list[dict]) -> None:
        for record in records:
            if record["uuid"] == uuid:
                record["deleted"] = True
                record["updated_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    files = edited(members(package), "action.jsonl", tombstone)
    files = edited(files, "history.jsonl", lambda records: records.clear())
    return write(out, with_manifest(files, lambda m: m.update(office=office, received={})))


def test_a_deletion_from_an_office_that_never_had_the_record_is_a_conflict(offices: dict[str, Path]) -> None:
    folder = offices["folder"]
    open_database(offices["siege"])
    action = Action.select().order_by(Action.id).first()
    forged = _stranger_deletes(folder / "depart.zip", folder / "pirate.zip", action.uuid, "Bureau Pirate")
    summary = import_package(forged)
    assert [(c.uuid, c.reason) for c in summary.conflicts] == [(action.uuid, FOREIGN_TOMBSTONE)]
    assert summary.counts["action"].deleted == 0
    assert db.execute_sql('SELECT deleted FROM "action" WHERE uuid = ?', (action.uuid,)).fetchone()[0] == 0
    from cvdesk.exchange.conflicts import pending_conflicts

    [view] = pending_conflicts()
    assert view.from_office == "Bureau Pirate"
    assert [(d.field, d.local, d.incoming) for d in view.differences] == [("deleted", False, True)]
    close_database()


@pytest.mark.parametrize("sender, deleted", [("Bureau Nord", True), ("Bureau Sud", False)])
def test_only_the_office_that_created_a_record_may_delete_it(sender: str, deleted: bool,
                                                             offices: dict[str, Path]) -> None:
    """Nord enters an association without history (as a spreadsheet import does), sends it, then deletes it.
    The deletion is taken from Nord; the very same package signed by Sud, which never had it, is a conflict."""
    from cvdesk.services.records import tombstone
    from cvdesk.store.models import Association

    folder = offices["folder"]
    open_database(offices["nord"])
    record = Association.create(name="Atelier importé d'un tableur", office="Bureau Nord")
    export_package(folder / "nord1.zip", "Bureau Nord")
    tombstone(record)
    export_package(folder / "nord2.zip", "Bureau Nord")
    close_database()
    second = write(folder / "envoi.zip", with_manifest(members(folder / "nord2.zip"),
                                                       lambda m: m.update(office=sender, received={})))
    open_database(offices["siege"])
    assert import_package(folder / "nord1.zip").counts["association"].added == 1
    summary = import_package(second)
    state = db.execute_sql("SELECT deleted FROM association WHERE uuid = ?", (record.uuid,)).fetchone()[0]
    assert state == (1 if deleted else 0)
    assert summary.counts["association"].deleted == (1 if deleted else 0)
    assert [c.reason for c in summary.conflicts] == ([] if deleted else [FOREIGN_TOMBSTONE])
    close_database()


@pytest.mark.parametrize("change", ["rewrite", "hide"])
def test_a_package_cannot_rewrite_or_hide_a_history_row(change: str, offices: dict[str, Path], capsys) -> None:
    folder = offices["folder"]

    def forge(records: list[dict]) -> None:
        if change == "rewrite":
            records[0]["changes"] = json.dumps({"title": ["Autre chose", "Rien"]})
        else:
            records[0]["deleted"] = True
    forged = write(folder / "histoire.zip", edited(members(folder / "depart.zip"), "history.jsonl", forge))
    settle(offices["siege"])
    before = fingerprint(offices["siege"])
    code, out, err = run_cli(capsys, "import", "--db", str(offices["siege"]), str(forged))
    assert code == 2, out + err
    assert "fichier history.jsonl, ligne 1, enregistrement " in err
    assert ("l'historique ne se réécrit ni ne s'efface" if change == "rewrite" else
            "un historique ne se supprime pas") in err
    assert fingerprint(offices["siege"]) == before


def _shifted(package: Path, out: Path, days: float) -> Path:
    """The package as written by an office whose clock is off by this many days: every time in it moved."""
    def move(stamp: str) -> str:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ") + timedelta(days=days)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    files = members(package)
    for name in [n for n in files if n.endswith(".jsonl")]:
        def shift(records: list[dict]) -> None:
            for record in records:
                record["created_at"], record["updated_at"] = move(record["created_at"]), move(record["updated_at"])
        files = edited(files, name, shift)
    return write(out, with_manifest(files, lambda m: m.update(exported_at=move(m["exported_at"]))))


@pytest.mark.parametrize("days", [-3650, -1, 0.05, 400], ids=["10-ans-de-retard", "1-jour-de-retard",
                                                              "1-heure-d-avance", "400-jours-d-avance"])
def test_the_senders_clock_does_not_change_what_the_merge_keeps(days: float, offices: dict[str, Path]) -> None:
    """Nord edits two actions, headquarters one of them: whatever Nord's clock says, the same titles stay and the
    same record is a conflict."""
    folder = offices["folder"]
    open_database(offices["nord"])
    first, second = [a.uuid for a in Action.select().order_by(Action.id).limit(2)]
    _retitle(first, "Nord 1")
    _retitle(second, "Nord 2")
    export_package(folder / "nord.zip", "Bureau Nord")
    close_database()
    outcomes = []
    for package in (folder / "nord.zip", _shifted(folder / "nord.zip", folder / "decale.zip", days)):
        copy = folder / f"siege-{package.stem}.db"
        copy.write_bytes(offices["siege"].read_bytes())
        open_database(copy)
        _retitle(second, "Siège 2")
        summary = import_package(package)
        outcomes.append(([c.uuid for c in summary.conflicts], _title(first), _title(second)))
        close_database()
    assert outcomes[0] == ([second], "Nord 1", "Siège 2")
    assert outcomes[1] == outcomes[0]
