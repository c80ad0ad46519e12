"""What schema step 7 (the dashboard's kept sums: figure_generation's triggers, the covering index of a year's actions)
costs the writes, measured beside the same writes without it, alternated, in processor time.

    python benchmarks/figure_triggers_bench.py [--db PATH] [--repeat N]

- A save from the Actions tab (save_action, one plan line's granted amount raised) on a copy of the national base,
  with the step's triggers and index, then without them (dropped in the copy), alternately.
- The statements a merge runs, on scratch bases built from the frozen steps 1-6 and 1-7: 300,000 plan lines inserted
  one by one (executemany, explicit ids: what merge_write does), 100,000 of them updated one by one (a merge into a
  base that holds them), then all of them tombstoned by one statement; and the covering index built over the
  national base's 100,000 actions (a merge into an empty base builds its indexes once at the end).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DATA, migrated_copy  # noqa: E402

LINES = 300_000
UPDATED = 100_000
STEP7_INDEX = "action_year_figures"


def _cpu_ms(start: float) -> float:
    return (time.process_time() - start) * 1000


def _scratch(path: Path, with_step7: bool) -> sqlite3.Connection:
    from cvdesk.store.database import PRAGMAS
    from cvdesk.store.migrations import MIGRATIONS

    conn = sqlite3.connect(path, isolation_level=None)
    for key, value in PRAGMAS.items():
        conn.execute(f"PRAGMA {key} = {value}")
    conn.execute("PRAGMA foreign_keys = 0")  # as the merge loads
    for step in MIGRATIONS:
        if step.version == 7 and not with_step7:
            continue
        step.apply(_Plain(conn), None)  # type: ignore[arg-type]
    conn.execute("INSERT INTO funder (id, uuid, created_at, updated_at, office, deleted, name, short_name, kind, "
                 "position) VALUES (1, 'f', 't', 't', 'o', 0, 'État', 'État', 'etat', 0)")
    conn.execute("""INSERT INTO "action" (id, uuid, created_at, updated_at, office, deleted, reference, title, year,
        description, objectives, public, axes, total_cost, indicators, status, requested_total, granted_total,
        paid_total) VALUES (1, 'a', 't', 't', 'o', 0, 'R', 'T', 2024, '', '', '', '', 0, '', 'deposee', 0, 0, 0)""")
    return conn


class _Plain:
    """What a frozen step's run_sql needs of peewee's database: execute_sql."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute_sql(self, sql: str) -> sqlite3.Cursor:
        return self.conn.execute(sql)


def merge_statements(folder: Path, with_step7: bool) -> dict[str, float]:
    path = folder / f"brouillon-{int(with_step7)}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    conn = _scratch(path, with_step7)
    rows = [(i, f"u{i}", "t", "t", "o", 0, 1, 1, 100, 50, 10, None, "") for i in range(1, LINES + 1)]
    found = {}
    conn.execute("BEGIN")
    start = time.process_time()
    conn.executemany("INSERT INTO funding (id, uuid, created_at, updated_at, office, deleted, action_id, funder_id, "
                     "requested, granted, paid, decision_date, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     rows)
    found["insertions une à une"] = _cpu_ms(start)
    start = time.process_time()
    conn.executemany("UPDATE funding SET updated_at = ?, requested = ?, granted = ?, paid = ? WHERE id = ?",
                     [("u", 100, 60, 10, i) for i in range(1, UPDATED + 1)])
    found["mises à jour une à une"] = _cpu_ms(start)
    start = time.process_time()
    conn.execute("UPDATE funding SET deleted = 1")
    found["une instruction pour toutes"] = _cpu_ms(start)
    conn.execute("COMMIT")
    generation = conn.execute("SELECT generation FROM figure_generation").fetchone()[0] if with_step7 else None
    conn.close()
    found["génération"] = generation if generation is not None else float("nan")
    return found


def _save_once(action_id: int, bump: int) -> float:
    from cvdesk.services.actions import FundingInput, save_action
    from cvdesk.store.models import Action, Funding

    action = Action.get_by_id(action_id)
    lines = list(Funding.select().where(Funding.action == action_id, Funding.deleted == False)  # noqa: E712
                 .order_by(Funding.id))
    plan = [FundingInput(f.funder_id, f.requested, (f.granted or 0) + (bump if n == 0 else 0), f.paid,
                         f.decision_date, f.notes) for n, f in enumerate(lines)]
    values = {"reference": action.reference, "title": action.title, "year": action.year,
              "orientation": action.orientation_id, "porteur": action.porteur_id, "status": action.status,
              "total_cost": action.total_cost}
    start = time.process_time()
    assert save_action(values, action_id, fundings=plan).ok
    return _cpu_ms(start)


def saves(copy: Path, repeat: int) -> dict[str, list[float]]:
    from cvdesk.store.database import opened_database
    from cvdesk.store.models import db

    found: dict[str, list[float]] = {"avec l'étape 7": [], "sans": []}
    with opened_database(copy, defer_check=True):
        step = [(name, sql) for name, sql in db.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE (type = 'trigger' AND name LIKE 'figures_%') "
            "OR name = ?", (STEP7_INDEX,))]
        ids = [row[0] for row in db.execute_sql(
            'SELECT a.id FROM "action" a WHERE a.year = 2024 AND a.deleted = 0 AND EXISTS (SELECT 1 FROM funding f '
            'WHERE f.action_id = a.id AND f.deleted = 0) ORDER BY a.id LIMIT ?', (repeat,))]
        _save_once(ids[0], 0)  # warms the models and the page cache
        for n, action_id in enumerate(ids):
            found["avec l'étape 7"].append(_save_once(action_id, 100 + n))
            for name, _sql in step:
                db.execute_sql(f'DROP {"INDEX" if name == STEP7_INDEX else "TRIGGER"} "{name}"')
            found["sans"].append(_save_once(action_id, 100 + n))
            for _name, sql in step:
                db.execute_sql(sql)
    return found


def index_build(copy: Path) -> float:
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (STEP7_INDEX,)).fetchone()[0]
        conn.execute(f'DROP INDEX "{STEP7_INDEX}"')
        start = time.process_time()
        conn.execute(sql)
        return _cpu_ms(start)
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description="Coût de l'étape 7 du schéma sur les écritures.")
    parser.add_argument("--db", type=Path, default=DATA / "national.db")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        copy = migrated_copy(args.db, work)
        shutil.rmtree(work / f"{copy.stem}.sauvegardes", ignore_errors=True)
        found = saves(copy, args.repeat)
        print("| Enregistrement (save_action, CPU) | médiane ms | min | max |")
        print("|---|---|---|---|")
        for name, values in found.items():
            print(f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |")
        print(f"\nIndex couvrant construit sur les 100 000 actions : {index_build(copy):.0f} ms de CPU\n")
        print("| Instructions d'une fusion (CPU, ms) | étapes 1 à 6 | étapes 1 à 7 |")
        print("|---|---|---|")
        runs = {False: [], True: []}
        for _ in range(2):
            for with_step7 in (False, True):
                runs[with_step7].append(merge_statements(work, with_step7))
        for key in runs[False][0]:
            cells = [statistics.median(run[key] for run in runs[flag]) for flag in (False, True)]
            print(f"| {key} | " + " | ".join(f"{cell:.0f}" for cell in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
