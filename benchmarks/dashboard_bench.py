"""Speed of the « Tableau de bord » on the national dataset, in alternated runs: the tab built with its counts and lists
and painted, then painted with its money totals (read by a background operation, the sums kept in the base made
stale first), then a tab painted with the sums that reading kept (figure_cache); beside them, their floors (the very
SQL the dashboard runs, replayed raw with sqlite3; and the same figures by the simplest SQL, simplest_sql), and each
part's service alone.

    python benchmarks/dashboard_bench.py [--db PATH] [--repeat N]    prints median, min and max of each figure
The dataset is copied and migrated in a temporary folder (never written in place). The runs are made twice: on the
copy as migrated (its statistics predate the indexes of the later schema steps), then after ANALYZE on the copy
(what a base built today has: `demo --scale national` ends with ANALYZE).
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import DATA, Figure, migrated_copy, print_table  # noqa: E402

SECTIONS = ("year_totals", "year_counts")


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _statements(build) -> list[str]:
    """The SQL one build of the dashboard runs, parameters inlined (sqlite3's expanded trace)."""
    from cvdesk.store.models import db

    seen: list[str] = []
    connection = db.connection()
    connection.set_trace_callback(seen.append)
    try:
        build()
    finally:
        connection.set_trace_callback(None)
    return [sql for sql in seen if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


def _raw(path: Path, statements: list[str]) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for sql in statements:
            connection.execute(sql).fetchall()
    finally:
        connection.close()


_SUMS = """SUM(f.requested), SUM(f.granted), SUM(f.paid), SUM(CASE WHEN f.granted IS NULL THEN f.requested END),
    count(f.granted IS NULL OR NULL), count(f.id)"""


def simplest_sql(year: int) -> list[str]:
    """The money figures the tab shows (envelopes, totals by orientation and by quartier), each by the plainest SQL
    a reader would write, with no Python around it: the floor of « peint avec ses totaux » (beside the counts'
    query, which is already one plain statement)."""
    live = f'a.year = {year} AND a.deleted = 0'
    pairs = f"""(SELECT DISTINCT aq.quartier_id AS qid, a.id AS aid, a.total_cost AS cost FROM "action" a
        JOIN action_quartier aq ON aq.action_id = a.id AND aq.deleted = 0 WHERE {live}) x
        JOIN quartier q ON q.id = x.qid AND q.deleted = 0"""
    return [
        f"SELECT funder_id, orientation_id, SUM(amount) FROM envelope WHERE deleted = 0 AND year = {year} GROUP BY 1, 2",
        f"""SELECT f.funder_id, a.orientation_id, count(DISTINCT a.id), {_SUMS} FROM "action" a
            JOIN funding f ON f.action_id = a.id AND f.deleted = 0 WHERE {live} GROUP BY 1, 2""",
        f'SELECT a.orientation_id, count(*), SUM(a.total_cost) FROM "action" a WHERE {live} GROUP BY 1',
        f"""SELECT a.orientation_id, {_SUMS} FROM "action" a JOIN funding f ON f.action_id = a.id AND f.deleted = 0
            WHERE {live} GROUP BY 1""",
        f"SELECT x.qid, count(*), SUM(x.cost) FROM {pairs} GROUP BY x.qid",
        f"SELECT x.qid, {_SUMS} FROM {pairs} JOIN funding f ON f.action_id = x.aid AND f.deleted = 0 GROUP BY x.qid",
    ]


def _runs(copy: Path, repeat: int, tag: str) -> list[Figure]:
    from datetime import date

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from cvdesk.services import dashboard
    from cvdesk.store.connection import execute_sql
    from cvdesk.ui.dashboard_tab import DashboardTab

    app = QApplication.instance() or QApplication(sys.argv[:1])
    paint = Figure(f"Tableau de bord : onglet construit, comptes et listes peints ({tag})", "≤ 200 ms", 200)
    floor = Figure(f"  plancher : ses requêtes SQL, brutes avec sqlite3 ({tag}, information)", "—", None)
    complete = Figure(f"Tableau de bord : peint avec ses totaux (enveloppes, orientations, quartiers), sommes à relire "
                      f"en arrière-plan ({tag})", "≤ 200 ms", 200)
    kept_paint = Figure(f"Tableau de bord : peint avec ses totaux d'enveloppes et d'orientations, sommes gardées à jour "
                        f"dans la base ({tag})", "≤ 200 ms", 200)
    kept_complete = Figure(f"  … et ses totaux par quartier, juste après la peinture ({tag})", "≤ 200 ms", 200)
    floor_simple = Figure(f"  plancher : les mêmes chiffres par le SQL le plus simple, brut avec sqlite3 ({tag}, "
                          "information)", "—", None)
    floor_all = Figure(f"  plancher : toutes les requêtes SQL du tableau, brutes avec sqlite3 ({tag}, information)",
                       "—", None)
    parts = {name: Figure(f"  dont {name}, service seul ({tag}, information)", "—", None) for name in SECTIONS}
    quick = _statements(lambda: dashboard.build_dashboard(totals=False))
    every = _statements(lambda: dashboard.build_dashboard())
    today = date.today()
    year = dashboard.default_year(dashboard.years(), today)
    assert year is not None, "le jeu national a des actions"
    simplest = quick + simplest_sql(year)
    for _ in range(repeat):
        start = time.perf_counter()
        _raw(copy, quick)
        floor.samples.append(_ms(start))
        start = time.perf_counter()
        _raw(copy, every)
        floor_all.samples.append(_ms(start))
        start = time.perf_counter()
        _raw(copy, simplest)
        floor_simple.samples.append(_ms(start))
        for name in SECTIONS:
            function = getattr(dashboard, name)
            start = time.perf_counter()
            function(year, today) if name == "year_counts" else function(year)
            parts[name].samples.append(_ms(start))

        # The sums kept in the base are stale (as after any change): the tab reads them in the background.
        execute_sql("UPDATE figure_generation SET generation = generation + 1")
        start = time.perf_counter()
        tab = DashboardTab()
        tab.resize(1366, 700)
        loop = QEventLoop()
        tab.totals_shown.connect(loop.quit)
        tab.refresh()
        tab.show()
        tab.grab()
        paint.samples.append(_ms(start))
        if tab.loading:
            QTimer.singleShot(120_000, loop.quit)
            loop.exec()
        tab.grab()
        complete.samples.append(_ms(start))
        assert not tab.loading and not tab.failure, tab.failure
        tab.close()
        tab.deleteLater()
        app.processEvents()

        # Kept by that reading: the next tab paints its money totals at once, the quartiers' right after.
        start = time.perf_counter()
        tab = DashboardTab()
        tab.resize(1366, 700)
        tab.refresh()
        tab.show()
        tab.grab()
        assert not tab.loading
        kept_paint.samples.append(_ms(start))
        while tab.figures_pending:
            app.processEvents()
        tab.grab()
        kept_complete.samples.append(_ms(start))
        tab.close()
        tab.deleteLater()
        app.processEvents()
    print(f"{tag} : {len(quick)} requêtes avant la peinture, {len(every)} en tout", file=sys.stderr)
    return [paint, floor, complete, kept_paint, kept_complete, floor_simple, floor_all, *parts.values()]


def measure(source: Path, repeat: int) -> list[Figure]:
    from cvdesk.store.database import opened_database
    from cvdesk.store.models import db

    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        copy = migrated_copy(source, Path(folder))
        with opened_database(copy, defer_check=True):
            figures += _runs(copy, repeat, "copie migrée")
            db.execute_sql("ANALYZE")
            figures += _runs(copy, repeat, "après ANALYZE")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description="Vitesse du tableau de bord sur le jeu national.")
    parser.add_argument("--db", type=Path, default=DATA / "national.db")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.db.exists():
        print(f"La base {args.db} n'existe pas : python -m cvdesk demo --scale national --db {args.db}",
              file=sys.stderr)
        return 2
    print_table(measure(args.db, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
