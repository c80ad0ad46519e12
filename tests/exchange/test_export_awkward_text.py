"""A package exported from PostgreSQL (whose server writes the JSON) holds the same bytes as SQLite's for texts that
JSON must escape: quotes, backslashes, line breaks, tabs, control characters, non-Latin letters and emoji."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.store.database import close_database, open_database
from cvdesk.store.engine import raw

pytestmark = pytest.mark.postgresql

AWKWARD = ('Guillemets " et \\ barre « chevrons » \n ligne\r\n\ttabulation \x01\x1f\x7f '
           "œuvre Ærø ß 東京 😀 \u2028\u2029 </script> 'apostrophe' / fin")


def _member(package: Path, name: str) -> bytes:
    with zipfile.ZipFile(package) as archive:
        return archive.read(name)


def test_awkward_texts_are_exported_alike_by_both_engines(siege_package: Path, tmp_path: Path, pg_url: str) -> None:
    start = siege_package
    exported = {}
    for name, target in (("sqlite", tmp_path / "siege.db"), ("postgresql", pg_url)):
        open_database(target)
        import_package(start)
        conn = raw()
        conn.execute('UPDATE "action" SET title = ?, description = ? WHERE id = (SELECT min(id) FROM "action")',
                     (AWKWARD, AWKWARD[::-1]))
        conn.execute("UPDATE association SET notes = ? WHERE id = (SELECT max(id) FROM association)", (AWKWARD,))
        exported[name] = tmp_path / f"{name}.zip"
        export_package(exported[name], "Siège")
        close_database()
    for member in ("action.jsonl", "association.jsonl"):
        from_sqlite = _member(exported["sqlite"], member)
        assert b'Guillemets \\" et \\\\ barre' in from_sqlite and "😀".encode() in from_sqlite
        assert _member(exported["postgresql"], member) == from_sqlite, member
    # Read back whole by an office: the awkward text comes back as it was written.
    open_database(tmp_path / "bureau.db")
    import_package(exported["postgresql"])
    title = raw().execute('SELECT title FROM "action" ORDER BY id LIMIT 1').fetchone()[0]
    close_database()
    assert title == AWKWARD
