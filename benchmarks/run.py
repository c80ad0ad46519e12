"""The benchmark program: build or reuse the synthetic dataset, measure each figure several times, write results.md.

    python benchmarks/run.py           national dataset (100,000 actions)
    python benchmarks/run.py --quick   smaller dataset (10,000 actions), a few minutes
"""
from __future__ import annotations

import argparse
import importlib
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import ROOT, Figure, dataset, timed  # noqa: E402

# Each of these modules may offer figures(db, quick, repeat) -> list[Figure] for its own part.
NOTES = ROOT / "benchmarks" / "results-notes.md"
PARTS = ("benchmarks.ui_bench", "benchmarks.report_bench", "benchmarks.exchange_bench", "benchmarks.commands_bench")


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def start_window(db: Path | None) -> tuple[float, float]:
    """Process start to first paint, in ms, and the peak RSS in MB, of a child showing the window."""
    args = [sys.executable, str(ROOT / "benchmarks" / "start_window.py")]
    args += ["--db", str(db)] if db else ["--bare"]
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert child.stdout is not None
    painted = None
    rss = 0.0
    for line in child.stdout:
        if line.strip() == "peint" and painted is None:
            painted = (time.perf_counter() - start) * 1000
        elif line.startswith("rss "):
            rss = float(line.split()[1])
    child.wait()
    if painted is None:
        raise RuntimeError("la fenêtre ne s'est pas affichée")
    return painted, rss


def core_figures(db: Path, repeat: int) -> list[Figure]:
    from cvdesk.services import lists
    from cvdesk.services.check import run_check
    from cvdesk.store.database import close_database, open_database

    bare = Figure("Fenêtre nue (plancher)", "référence", None)
    shown = Figure("Fenêtre affichée avec les données", "≤ 1,5 × fenêtre nue", None)
    rss = Figure("Mémoire maximale (RSS), données ouvertes", "≤ 400 MB", 400, "MB")
    for _ in range(repeat):
        bare.samples.append(start_window(None)[0])
        painted, peak = start_window(db)
        shown.samples.append(painted)
        rss.samples.append(peak)
    shown.limit = 1.5 * bare.median

    open_database(db, defer_check=True)
    try:
        sql_list = Figure("Liste des actions en SQL (ids triés)", "plancher de l'onglet", None)
        sql_list.samples = timed(lambda: lists.list_ids("actions"), repeat)
        check = Figure("Commande check", "—", None, "s")
        check.samples = timed(run_check, max(1, repeat // 2), "s")
    finally:
        close_database()

    def raw_scan() -> None:
        conn = sqlite3.connect(db)
        conn.execute('SELECT id, reference, title, year, total_cost FROM "action" WHERE deleted = 0').fetchall()
        conn.close()

    floor = Figure("Lecture brute sqlite3 des actions (plancher)", "plancher", None)
    floor.samples = timed(raw_scan, repeat)
    return [bare, shown, rss, sql_list, floor, check]


def write_results(figures: list[Figure], quick: bool, out: Path) -> None:
    lines = [
        "# Mesures de performance",
        "",
        f"- Date : {date.today().strftime('%d/%m/%Y')}",
        f"- Processeur : {cpu_name()} ({os.cpu_count()} cœurs)",
        f"- Jeu de données : {'réduit (10 000 actions)' if quick else 'national (100 000 actions, 300 000 financements)'}",
        "",
        "| Mesure | Médiane | Min | Max | Cible | Verdict |",
        "|---|---|---|---|---|---|",
        *[figure.row() for figure in figures],
        "",
    ]
    # Side-by-side comparisons and their reading, written by hand, follow every regenerated table.
    if NOTES.exists():
        lines += ["", NOTES.read_text(encoding="utf-8")]
    out.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description="Mesures de performance de cvdesk.")
    parser.add_argument("--quick", action="store_true", help="jeu réduit (10 000 actions), quelques minutes")
    parser.add_argument("--repeat", type=int, default=5, help="nombre de mesures par figure")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = parser.parse_args()
    repeat = 3 if args.quick and args.repeat == 5 else args.repeat
    db = dataset(args.quick)
    figures = core_figures(db, repeat)
    for name in PARTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        if hasattr(module, "figures"):
            print(f"… {name}", file=sys.stderr, flush=True)
            figures.extend(module.figures(db, args.quick, repeat))
    out = args.out if not args.quick else args.out.with_name("results-quick.md")
    write_results(figures, args.quick, out)
    print(out.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
