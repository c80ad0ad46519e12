"""Headquarters on PostgreSQL and an office on SQLite holding the same records write the same package, member for
member and byte for byte: the PostgreSQL export builds its JSON on our side from plain columns (pg_json_lines), and
must still write what SQLite's json_object writes, whatever the texts, the empty values and the server's settings."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.store.database import close_database, open_database
from cvdesk.store.engine import raw

pytestmark = pytest.mark.postgresql

# Texts that look like the place where one record's JSON ends and the next begins, or that JSON must escape.
BOUNDARY = 'fin },{"uuid":"00000000-0000-0000-0000-000000000000"} et "},{"uuid": encore },{"uuid":'
AWKWARD = ('Guillemets " et \\ barre « chevrons » \n ligne\r\n\ttabulation \x01\x08\x0b\x0c\x1f\x7f '
           "œuvre Ærø ß 東京 😀 \u2028\u2029 </script> 'apostrophe' / fin")
BEYOND_DOUBLES = 9_007_199_254_740_993  # 2**53 + 1 cents: a float would round it; JSON must keep every digit


def _same_edits() -> None:
    """The same changes on either engine, in plain SQL: awkward texts, a key pointing to a later record, empty
    dates and numbers, a tombstone, a figure beyond a double's precision."""
    conn = raw()
    first = '(SELECT min(id) FROM "action")'
    conn.execute(f'UPDATE "action" SET title = ?, description = ?, objectives = ?, previous_id = '
                 f'(SELECT max(id) FROM "action"), start_date = NULL, beneficiaries_planned = NULL, total_cost = ? '
                 f'WHERE id = {first}', (BOUNDARY, AWKWARD, AWKWARD[::-1], BEYOND_DOUBLES))
    conn.execute('UPDATE "action" SET orientation_id = NULL, porteur_id = NULL, start_date = ?, end_date = ? '
                 'WHERE id = (SELECT max(id) FROM "action")', ("2031-02-28", "2031-12-31"))
    conn.execute("UPDATE association SET notes = ?, deleted = 1 WHERE id = (SELECT max(id) FROM association)",
                 (BOUNDARY + AWKWARD,))
    conn.execute("UPDATE funding SET notes = ?, decision_date = ? WHERE id = (SELECT min(id) FROM funding)",
                 (AWKWARD, "2029-12-31"))
    # The merge's own line of history (its UUID and time drawn at the merge) made the same on both.
    merged = conn.execute("UPDATE history SET uuid = ?, created_at = ?, updated_at = ? WHERE operation = 'merge'",
                          ("5e1d0000-0000-4000-8000-000000000001", "2026-11-30T23:00:00.000000Z",
                           "2026-11-30T23:00:00.000000Z"))
    assert merged.rowcount == 1


def _members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_postgresql_writes_the_sqlite_package_byte_for_byte(siege_package: Path, tmp_path: Path, pg_url: str) -> None:
    start = siege_package
    exported = {}
    for name, target in (("sqlite", tmp_path / "siege.db"), ("postgresql", pg_url)):
        open_database(target)
        import_package(start)
        _same_edits()
        if name == "postgresql":
            # A server whose dates read day first: the package still holds ISO dates, as SQLite stores them.
            raw().execute("SET DateStyle = 'SQL, DMY'")
        exported[name] = tmp_path / f"{name}.zip"
        export_package(exported[name], "Siège")
        close_database()
    from_sqlite, from_postgresql = _members(exported["sqlite"]), _members(exported["postgresql"])
    assert sorted(from_postgresql) == sorted(from_sqlite)
    records = json.loads(from_sqlite["manifest.json"])["files"]
    # Not an empty comparison: the demo's records, and the edits, are in the files compared.
    assert records["action.jsonl"]["records"] > 10 and records["funding.jsonl"]["records"] > 10
    assert b'fin },{\\"uuid\\":' in from_sqlite["action.jsonl"]  # the quotes escaped in the file
    assert str(BEYOND_DOUBLES).encode() in from_sqlite["action.jsonl"]
    assert b'"start_date":"2031-02-28"' in from_sqlite["action.jsonl"]
    for member, content in from_sqlite.items():
        if member != "manifest.json":
            assert from_postgresql[member] == content, member
    assert json.loads(from_postgresql["manifest.json"])["files"] == records
    # One line per record, the first one holding the boundary-like text whole.
    lines = from_postgresql["action.jsonl"].splitlines()
    assert len(lines) == records["action.jsonl"]["records"]
    assert json.loads(lines[0])["title"] == BOUNDARY
    assert json.loads(lines[0])["previous"] == json.loads(lines[-1])["uuid"]


def test_a_package_from_postgresql_is_read_back_whole_by_an_office(siege_package: Path, tmp_path: Path,
                                                                  pg_url: str) -> None:
    start = siege_package
    open_database(pg_url)
    import_package(start)
    _same_edits()
    export_package(tmp_path / "siege.zip", "Siège")
    close_database()
    open_database(tmp_path / "bureau.db")
    import_package(tmp_path / "siege.zip")  # its checks (counts, SHA-256) pass
    conn = raw()
    title, total, previous = conn.execute(
        'SELECT a.title, a.total_cost, p.uuid FROM "action" a LEFT JOIN "action" p ON p.id = a.previous_id '
        'WHERE a.title = ?', (BOUNDARY,)).fetchone()
    last = conn.execute('SELECT uuid FROM "action" ORDER BY id DESC LIMIT 1').fetchone()[0]
    notes = conn.execute("SELECT notes FROM association WHERE deleted = 1 AND notes LIKE 'fin },{%'").fetchall()
    close_database()
    assert (title, total, previous) == (BOUNDARY, BEYOND_DOUBLES, last)
    assert notes == [(BOUNDARY + AWKWARD,)]
