"""The extract's bytes do not depend on the SQLite that wrote them: the space no row uses is zeroed, rows kept."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from cvdesk.territory.sqlite_bytes import zero_unused_space


def test_leftovers_of_deleted_rows_are_zeroed_and_the_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA secure_delete = OFF")  # SQLite's default: a deleted row stays in the page's free space
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID")
    conn.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, v TEXT)")
    for n in range(400):
        conn.execute("INSERT INTO t VALUES (?, ?)", (f"k{n:04d}", f"LEFTOVER-{n:04d}" if n % 3 == 0 else f"v{n}"))
        conn.execute("INSERT INTO r VALUES (?, ?)", (n, f"LEFTOVER-{n:04d}" if n % 3 == 0 else "x" * (n % 50)))
    conn.commit()
    conn.execute("DELETE FROM t WHERE v LIKE 'LEFTOVER-%'")
    conn.execute("DELETE FROM r WHERE v LIKE 'LEFTOVER-%'")
    conn.commit()
    kept = (conn.execute("SELECT * FROM t ORDER BY k").fetchall(), conn.execute("SELECT * FROM r ORDER BY id").fetchall())
    conn.close()
    data = bytearray(path.read_bytes())
    assert b"LEFTOVER-" in data
    zero_unused_space(data, 4096)
    assert b"LEFTOVER-" not in data
    path.write_bytes(bytes(data))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert (conn.execute("SELECT * FROM t ORDER BY k").fetchall(),
            conn.execute("SELECT * FROM r ORDER BY id").fetchall()) == kept
    conn.close()
