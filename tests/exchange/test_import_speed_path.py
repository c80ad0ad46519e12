"""A coordinator imports a large sheet of actions: the bulk writing leaves exactly what saving each action through
the form's service leaves, a cancelled import leaves nothing, the command line says how far it is, and two rows
that give one reference two different actions are refused with both lines named."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from cvdesk.exchange import bulk_actions
from cvdesk.exchange.errors import Cancelled
from cvdesk.exchange.sheet_import import apply_sheet, preview_sheet
from cvdesk.services.actions import save_action
from cvdesk.store.database import close_database, opened_database
from cvdesk.store.models import db
from tests.exchange.helpers import fingerprint, run_cli, settle

HEADER = ("Référence;Intitulé;Année;Orientation;Porteur;SIRET du porteur;Statut;Coût total;Date de début;"
          "Date de fin;Quartiers;Financeur;Montant demandé;Montant accordé;Montant versé;Date de décision\n")


def _demo_facts(base: Path) -> dict[str, Any]:
    """Names and codes of the demo base that a sheet refers to, read by plain SQL."""
    conn = sqlite3.connect(base)
    try:
        porteurs = conn.execute("SELECT name, siret FROM association WHERE deleted = 0 AND siret != '' "
                                "ORDER BY id LIMIT 3").fetchall()
        funders = [name for (name,) in conn.execute("SELECT name FROM funder WHERE deleted = 0 ORDER BY id LIMIT 3")]
        quartiers = [code for (code,) in conn.execute("SELECT code FROM quartier WHERE deleted = 0 ORDER BY id "
                                                       "LIMIT 3")]
        existing = conn.execute('SELECT reference, title, year FROM "action" WHERE deleted = 0 ORDER BY id '
                                "LIMIT 1").fetchone()
    finally:
        conn.close()
    return {"porteurs": porteurs, "funders": funders, "quartiers": quartiers, "existing": existing}


def _mixed_sheet(path: Path, facts: dict[str, Any]) -> Path:
    """New actions with every kind of value (several lines, quartiers, dates, empty amounts) and one update."""
    (p1, s1), (p2, _s2), (p3, s3) = facts["porteurs"]
    f1, f2, f3 = facts["funders"]
    q1, q2, q3 = facts["quartiers"]
    ref, title, year = facts["existing"]
    text = HEADER + (
        f"2031-IMP-001;Jardins partagés;2031;1;{p1};{s1};Déposée;12 000,00 €;01/03/2031;30/11/2031;{q1}, {q2};"
        f"{f1};3 000;2 500,50;1 000;12/05/2031\n"
        f"2031-IMP-001;;;;;;;;;;;{f2};1 500;;;\n"
        f"2031-IMP-001;Jardins partagés;2031;;;;;;;;;{f3};500;500;;\n"
        f"2031-IMP-002;Café des parents « Œuvre »;2031;2;{p2};;Brouillon;;;;{q3};{f1};800;;;\n"
        f"2031-IMP-003;Sans financeur ni quartier;2031;;;{s3};;4 500;;;;;;;;\n"
        f"{ref};{title};{year};;;;;;;;;{f2};250;;;\n")
    path.write_text(text, encoding="utf-8-sig")
    return path


def _uuid_names(conn: sqlite3.Connection) -> dict[str, str]:
    """Every record's UUID -> a name that does not depend on the base (the new records' UUIDs differ)."""
    names: dict[str, str] = {}
    queries = {
        "action": 'SELECT uuid, reference FROM "action"',
        "funder": "SELECT uuid, name FROM funder",
        "quartier": "SELECT uuid, code FROM quartier",
        "association": "SELECT uuid, name FROM association",
        "orientation": "SELECT uuid, number FROM orientation",
        "funding": 'SELECT f.uuid, a.reference || "/" || fr.name FROM funding f JOIN "action" a ON a.id = f.action_id '
                   "JOIN funder fr ON fr.id = f.funder_id",
        "action_quartier": 'SELECT l.uuid, a.reference || "/" || q.code FROM action_quartier l '
                           'JOIN "action" a ON a.id = l.action_id JOIN quartier q ON q.id = l.quartier_id',
    }
    for table, sql in queries.items():
        for record_uuid, name in conn.execute(sql):
            names[record_uuid] = f"{table}:{name}"
    return names


TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _picture(base: Path, references: list[str]) -> dict[str, Any]:
    """What the import left for these references, by SQL: every column but ids, UUIDs and times (those are checked
    for their shape), foreign keys by name, history rows with the UUIDs in their changes named."""
    conn = sqlite3.connect(base)
    try:
        marks = ", ".join("?" for _ in references)
        names = _uuid_names(conn)
        actions = conn.execute(f'SELECT * FROM "action" WHERE reference IN ({marks})', references).fetchall()
        columns = [c[1] for c in conn.execute('PRAGMA table_info("action")')]
        picture: dict[str, Any] = {"action": [], "funding": [], "action_quartier": [], "history": [],
                                   "search": []}
        uuids: list[str] = []
        for row in actions:
            record = dict(zip(columns, row))
            uuids.append(record["uuid"])
            assert TIME.fullmatch(record["created_at"]) and TIME.fullmatch(record["updated_at"])
            assert uuid.UUID(record["uuid"]).version == 4
            record["porteur_id"] = names.get(conn.execute("SELECT uuid FROM association WHERE id = ?",
                                                          (record["porteur_id"],)).fetchone()[0]
                                             if record["porteur_id"] else "", None)
            record["orientation_id"] = conn.execute("SELECT number FROM orientation WHERE id = ?",
                                                    (record["orientation_id"],)).fetchone()
            search = conn.execute("SELECT text FROM action_search WHERE rowid = ?", (record["id"],)).fetchall()
            picture["search"].append((record["reference"], search))
            for key in ("id", "uuid", "created_at", "updated_at"):
                record.pop(key)
            # The edit counter (step 8) is local bookkeeping, no content: save_action moves it once per line it
            # writes after the action, the bulk writer creates each action at 1. Its start is checked apart.
            assert record.pop("version", 1) >= 1
            picture["action"].append(sorted(record.items()))
        for table, join in (("funding", "JOIN funder x ON x.id = t.funder_id"),
                            ("action_quartier", "JOIN quartier x ON x.id = t.quartier_id")):
            cols = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]
            for row in conn.execute(f'SELECT t.*, a.reference, x.uuid FROM "{table}" t JOIN "action" a '
                                    f"ON a.id = t.action_id {join} WHERE a.reference IN ({marks})", references):
                record = dict(zip([*cols, "action_reference", "other"], row))
                uuids.append(record["uuid"])
                assert TIME.fullmatch(record["created_at"]) and uuid.UUID(record["uuid"]).version == 4
                record["other"] = names[record["other"]]
                for key in ("id", "uuid", "created_at", "updated_at", "action_id", "funder_id", "quartier_id"):
                    record.pop(key, None)
                picture[table].append(sorted(record.items()))
        marks = ", ".join("?" for _ in uuids)
        for record_type, record_uuid, operation, os_user, office, deleted, changes in conn.execute(
                f"SELECT record_type, record_uuid, operation, os_user, office, deleted, changes FROM history "
                f"WHERE record_uuid IN ({marks})", uuids):
            named = json.loads(changes)
            for name, (old, new) in named.items():
                named[name] = [names.get(old, old), names.get(new, new)]
            picture["history"].append((record_type, names[record_uuid], operation, os_user, office, deleted,
                                       sorted(named.items())))
        for key in picture:
            picture[key].sort(key=repr)
        return picture
    finally:
        conn.close()


@pytest.mark.parametrize("rebuilt", [False, True], ids=["indexes-kept", "indexes-rebuilt"])
def test_the_bulk_import_leaves_what_saving_each_action_leaves(rebuilt: bool, demo_template: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # indexes-rebuilt: every table's indexes set aside and built again at the end, as for a first import into a
    # new base (a small sheet into the demo base taken that way too).
    if rebuilt:
        monkeypatch.setattr(bulk_actions, "BULK_ROWS", 1)
        monkeypatch.setattr(bulk_actions, "rebuild_pays", lambda present, adding: True)
    facts = _demo_facts(demo_template)
    sheet = _mixed_sheet(tmp_path / "actions.csv", facts)
    references = ["2031-IMP-001", "2031-IMP-002", "2031-IMP-003", facts["existing"][0]]
    fast, slow = tmp_path / "rapide.db", tmp_path / "service.db"
    for base in (fast, slow):
        shutil.copyfile(demo_template, base)
    with opened_database(fast):
        preview = preview_sheet(sheet, "actions")
        assert preview.ok, preview.lines()
        assert (preview.created, preview.updated) == (3, 1)
        apply_sheet(preview)
    with opened_database(slow):
        preview = preview_sheet(sheet, "actions")
        with db.atomic():
            for item in preview.items:  # the way every import went before: the form's service, action by action
                assert save_action(item.values, item.existing_id, item.extra["quartiers"], item.extra["fundings"]).ok
    close_database()
    left, right = _picture(fast, references), _picture(slow, references)
    assert left == right
    # A hand count of what the sheet holds, so that equal pictures cannot both be empty.
    def of_new(rows: list[Any]) -> list[Any]:
        return [row for row in rows if dict(row)["action_reference"].startswith("2031-IMP-")]

    assert len(left["action"]) == 4
    assert len(of_new(left["action_quartier"])) == 2 + 1 and len(of_new(left["funding"])) == 3 + 1 + 0
    conn = sqlite3.connect(fast)
    try:
        assert conn.execute('SELECT requested_total, granted_total, paid_total FROM "action" '
                            "WHERE reference = '2031-IMP-001'").fetchone() == (500_000, 300_050, 100_000)
        # The search finds a new action by a fragment of its folded title, as after a save from the form.
        assert conn.execute("SELECT count(*) FROM action_search WHERE action_search MATCH '\"oeuvre\"'").fetchone()[0] == 1
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        triggers = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        conn.close()
    conn = sqlite3.connect(demo_template)
    try:
        assert indexes == {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert triggers == {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        conn.close()


def _many_actions(path: Path, facts: dict[str, Any], count: int) -> Path:
    (porteur, siret), *_ = facts["porteurs"]
    funder = facts["funders"][0]
    lines = [HEADER]
    for n in range(1, count + 1):
        lines.append(f"2032-LOT-{n:05d};Action n° {n};2032;1;{porteur};{siret};Déposée;1 000;;;"
                     f"{facts['quartiers'][0]};{funder};500;;;\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _bulk_import(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, int]:
    """A copy of the demo and a sheet of CHUNK + 500 new actions, written in bulk with every index set aside (as a
    national import is): the base, the sheet and the number of actions."""
    monkeypatch.setattr(bulk_actions, "BULK_ROWS", 100)
    monkeypatch.setattr(bulk_actions, "rebuild_pays", lambda present, adding: True)
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    count = bulk_actions.CHUNK + 500
    return base, _many_actions(tmp_path / "lot.csv", _demo_facts(demo_template), count), count


def _assert_as_it_was(demo_template: Path, base: Path) -> None:
    """The base holds what the demo held: rows of the tables the import writes, and the schema (indexes put back)."""
    settle(base)
    before, after = sqlite3.connect(demo_template), sqlite3.connect(base)
    try:
        for sql in ('SELECT count(*) FROM "action"', "SELECT count(*) FROM funding", "SELECT count(*) FROM history",
                    "SELECT count(*) FROM action_search", "SELECT type, name, sql FROM sqlite_master ORDER BY name"):
            assert after.execute(sql).fetchall() == before.execute(sql).fetchall(), sql
        assert after.execute("SELECT count(*) FROM \"action\" WHERE reference LIKE '2032-LOT-%'").fetchone() == (0,)
    finally:
        before.close()
        after.close()


def test_an_import_cancelled_halfway_leaves_the_base_as_it_was(demo_template: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # The indexes set aside too, and put back by the rollback.
    base, sheet, count = _bulk_import(demo_template, tmp_path, monkeypatch)
    seen: list[tuple[int, int]] = []
    with opened_database(base):
        preview = preview_sheet(sheet, "actions")
        assert preview.ok and preview.created == count
        with pytest.raises(Cancelled):
            # The user presses Annuler once the first 2,000 actions are written.
            apply_sheet(preview, progress=lambda done, total: seen.append((done, total)),
                        cancelled=lambda: len(seen) > 1)
    assert seen[:2] == [(0, 2500), (2000, 2500)]
    _assert_as_it_was(demo_template, base)


def test_every_row_written_is_told_before_the_indexes_are_built_again(demo_template: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # At national scale the indexes set aside, the search index and the checks take seconds after the last lot:
    # the progress says all rows are written when they are, not only once that work is over.
    base, sheet, count = _bulk_import(demo_template, tmp_path, monkeypatch)
    indexes_sql = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'history'"
    told_done: list[tuple[int, int]] = []  # (actions of the lot in the base, history indexes there) when told
    with opened_database(base):
        history_indexes = db.execute_sql(indexes_sql).fetchone()[0]
        preview = preview_sheet(sheet, "actions")

        def progress(done: int, total: int) -> None:
            if done == total and not told_done:
                written = db.execute_sql("SELECT count(*) FROM \"action\" WHERE reference LIKE '2032-LOT-%'")
                told_done.append((written.fetchone()[0], db.execute_sql(indexes_sql).fetchone()[0]))

        apply_sheet(preview, progress=progress)
        assert db.execute_sql(indexes_sql).fetchone()[0] == history_indexes
    assert history_indexes > 0
    assert told_done == [(count, 0)]  # every row in, the history's indexes still to build


def test_annuler_pressed_once_every_row_is_written_still_writes_nothing(demo_template: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The bar is full and the last seconds (indexes, search, checks) run: « Annuler » is still offered, and honoured.
    base, sheet, _ = _bulk_import(demo_template, tmp_path, monkeypatch)
    pressed: list[bool] = []
    with opened_database(base):
        preview = preview_sheet(sheet, "actions")
        with pytest.raises(Cancelled):
            apply_sheet(preview, progress=lambda done, total: pressed.append(done == total) if done == total else None,
                        cancelled=lambda: bool(pressed))
    assert pressed == [True]  # pressed when told every row was written, and nothing told after
    _assert_as_it_was(demo_template, base)


def test_the_command_line_says_how_far_the_import_is(demo_template: Path, tmp_path: Path, capsys) -> None:
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    sheet = _many_actions(tmp_path / "lot.csv", _demo_facts(demo_template), bulk_actions.CHUNK + 1)
    code, out, err = run_cli(capsys, "import", "--db", str(base), str(sheet), "--kind", "actions")
    assert code == 0, err
    assert "2\u00a0001 créé(s)" in out
    assert "2\u00a0000 sur 2\u00a0001 enregistrements écrits" in err
    # Once every row is in, the user is told what the last seconds are for, once.
    finishing = [line for line in err.splitlines() if "2\u00a0001 sur 2\u00a0001" in line]
    assert finishing == ["… 2\u00a0001 sur 2\u00a0001 enregistrements écrits ; index et vérifications avant "
                         "l'enregistrement"]
    conn = sqlite3.connect(base)
    try:
        assert conn.execute("SELECT count(*) FROM \"action\" WHERE reference LIKE '2032-LOT-%'").fetchone() == (2001,)
    finally:
        conn.close()


def _sheet(path: Path, rows: str) -> Path:
    path.write_text(HEADER + rows, encoding="utf-8-sig")
    return path


def test_two_rows_giving_one_reference_two_titles_are_refused_naming_both_lines(demo_template: Path,
                                                                              tmp_path: Path, capsys) -> None:
    # Two grants that a partner numbered alike: before, they became one action and the second title was lost.
    facts = _demo_facts(demo_template)
    (p1, _), (p2, _), _ = facts["porteurs"]
    funder = facts["funders"][0]
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    sheet = _sheet(tmp_path / "doublon.csv",
                   f"2033-D-01;Soutien scolaire;2033;;{p1};;;;;;;{funder};1 000;;;\n"
                   f"2033-D-01;Atelier vélo;2033;;{p2};;;;;;;{facts['funders'][1]};2 000;;;\n")
    settle(base)
    before = fingerprint(base)
    code, out, err = run_cli(capsys, "import", "--db", str(base), str(sheet), "--kind", "actions")
    assert code == 2
    assert "ligne 3, colonne « Intitulé »" in err
    assert "« Soutien scolaire » ligne 2, « Atelier vélo » ligne 3" in err
    assert fingerprint(base) == before
    code, out, err = run_cli(capsys, "import", "--db", str(base), str(sheet), "--kind", "actions", "--dry-run")
    assert code == 2 and "ligne 3" in out and "ligne 2" in out and "rien ne sera écrit" in out


def test_two_rows_giving_one_reference_two_porteurs_are_refused(demo_template: Path, tmp_path: Path) -> None:
    facts = _demo_facts(demo_template)
    (p1, _), (p2, _), _ = facts["porteurs"]
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    sheet = _sheet(tmp_path / "porteurs.csv",
                   f"2033-D-02;Soutien scolaire;2033;;{p1};;;;;;;{facts['funders'][0]};1 000;;;\n"
                   f"2033-D-02;Soutien scolaire;2033;;{p2};;;;;;;{facts['funders'][1]};2 000;;;\n")
    with opened_database(base):
        preview = preview_sheet(sheet, "actions")
    assert not preview.ok
    [error] = preview.errors
    assert error.line == 3 and error.column == "Porteur"
    assert f"« {p1} » ligne 2, « {p2} » ligne 3" in error.reason


def test_rows_repeating_the_action_or_leaving_its_cells_blank_are_its_funding_lines(demo_template: Path,
                                                                                     tmp_path: Path) -> None:
    # The usual sheet: the action's cells repeated on each funding line, or left blank (merged cells read so).
    facts = _demo_facts(demo_template)
    (p1, s1), _, _ = facts["porteurs"]
    f1, f2, f3 = facts["funders"]
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    sheet = _sheet(tmp_path / "lignes.csv",
                   f"2033-D-03;Soutien scolaire;2033;1;{p1};{s1};;9 000;;;;{f1};1 000;;;\n"
                   f"2033-D-03;Soutien scolaire;2033;1;;{s1};;9 000;;;;{f2};2 000;;;\n"
                   f"2033-D-03;;;;;;;;;;;{f3};3 000;;;\n")
    with opened_database(base):
        preview = preview_sheet(sheet, "actions")
        assert preview.ok, preview.lines()
        apply_sheet(preview)
    conn = sqlite3.connect(base)
    try:
        assert conn.execute('SELECT a.title, a.requested_total, count(f.id) FROM "action" a JOIN funding f '
                            "ON f.action_id = a.id WHERE a.reference = '2033-D-03'").fetchone() == (
                                "Soutien scolaire", 600_000, 3)
    finally:
        conn.close()


def test_the_bulk_uuids_are_version_4_and_distinct() -> None:
    made = bulk_actions.uuid4_batch(2000)
    assert len(set(made)) == 2000
    assert all(uuid.UUID(value).version == 4 and uuid.UUID(value).variant == uuid.RFC_4122
               and str(uuid.UUID(value)) == value for value in made)
