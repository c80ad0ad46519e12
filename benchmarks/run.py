"""The benchmark program: build or reuse the synthetic dataset, measure each figure several times, write results.md.

    python benchmarks/run.py                national dataset (100,000 actions)
    python benchmarks/run.py --quick        smaller dataset (10,000 actions), a few minutes
    python benchmarks/run.py --only start   the start-up figures and their breakdown only (about a minute); the other
                                            rows of results.md stay as they were measured
    … --before TREE                         also starts an older source tree (e.g. a `git archive` of a commit),
                                            alternating with this one, for a side-by-side start-up comparison
    … --after TREE                          the tree whose window is measured (default: this one)
"""
from __future__ import annotations

import argparse
import importlib
import os
import platform
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import ROOT, Figure, dataset, migrated_copy, timed  # noqa: E402
from benchmarks.startup_bench import measure as measure_startup  # noqa: E402

# Each of these modules may offer figures(db, quick, repeat) -> list[Figure] for its own part, and section() -> str,
# a Markdown section of its own written after the start-up breakdown (postgres_bench: the two engines side by side).
NOTES = ROOT / "benchmarks" / "results-notes.md"
PARTS = ("benchmarks.ui_bench", "benchmarks.report_bench", "benchmarks.exchange_bench", "benchmarks.commands_bench",
         "benchmarks.meeting_pack_bench", "benchmarks.postgres_bench")


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def startup_figures(db: Path, repeat: int, before: Path | None, after: Path | None = None) -> tuple[list[Figure], str]:
    """Bare window, window with the data, peak RSS; and the start-up breakdown section (benchmarks/startup_bench.py)."""
    startup = measure_startup(db, repeat, before, after=after)
    return startup.figures(), startup.breakdown(before.name if before else None)


def core_figures(dataset_path: Path, repeat: int) -> list[Figure]:
    """On a migrated copy in a temporary folder: the dataset itself is never migrated nor backed up in place."""
    from cvdesk.services import lists
    from cvdesk.services.check import run_check
    from cvdesk.store.database import close_database, open_database

    with tempfile.TemporaryDirectory() as folder:
        db = migrated_copy(dataset_path, Path(folder))
        open_database(db, defer_check=True)
        try:
            sql_list = Figure("Liste des actions en SQL (ids triés)", "plancher de l'onglet", None)
            sql_list.samples = timed(lambda: lists.list_ids("actions"), repeat)
            check = Figure("Commande check", "—", None, "s")
            check.samples = timed(run_check, max(1, repeat // 2), "s")
        finally:
            close_database()
        floor = Figure("Lecture brute sqlite3 des actions (plancher)", "plancher", None)
        floor.samples = timed(lambda: raw_scan(db), repeat)
    return [sql_list, floor, check]


def raw_scan(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute('SELECT id, reference, title, year, total_cost FROM "action" WHERE deleted = 0').fetchall()
    conn.close()


def merged_rows(figures: list[Figure], out: Path) -> list[str]:
    """The rows of out's main table, those of figures replaced (by name) or added: a partial run keeps the others."""
    rows = {figure.name: figure.row() for figure in figures}
    kept: list[str] = []
    lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    if "|---|---|---|---|---|---|" in lines:
        for line in lines[lines.index("|---|---|---|---|---|---|") + 1:]:
            if not line.startswith("|"):
                break  # the main table ends at its first blank line
            name = line.split("|")[1].strip()
            kept.append(rows.pop(name) if name in rows else line)
    return [*kept, *rows.values()]


def write_results(figures: list[Figure], quick: bool, out: Path, startup: str = "", partial: bool = False) -> None:
    lines = [
        "# Mesures de performance",
        "",
        f"- Date : {date.today().strftime('%d/%m/%Y')}",
        f"- Processeur : {cpu_name()} ({os.cpu_count()} cœurs)",
        f"- Jeu de données : {'réduit (10 000 actions)' if quick else 'national (100 000 actions, 300 000 financements)'}",
        "",
        "| Mesure | Médiane | Min | Max | Cible | Verdict |",
        "|---|---|---|---|---|---|",
        *(merged_rows(figures, out) if partial else [figure.row() for figure in figures]),
        "",
    ]
    if startup:
        lines += [startup]
    # Side-by-side comparisons and their reading, written by hand, follow every regenerated table.
    if NOTES.exists():
        lines += ["", NOTES.read_text(encoding="utf-8")]
    out.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description="Mesures de performance de cvdesk.")
    parser.add_argument("--quick", action="store_true", help="jeu réduit (10 000 actions), quelques minutes")
    parser.add_argument("--repeat", type=int, default=5, help="nombre de mesures par figure")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--only", choices=["start"], help="start : seulement le démarrage de la fenêtre")
    parser.add_argument("--before", type=Path, help="arbre source d'une version antérieure, démarrée en alternance")
    parser.add_argument("--after", type=Path, help="arbre source dont la fenêtre est mesurée (par défaut celui-ci)")
    args = parser.parse_args()
    repeat = 3 if args.quick and args.repeat == 5 else args.repeat
    db = dataset(args.quick)
    figures, startup = startup_figures(db, repeat, args.before, args.after)
    out = args.out if not args.quick else args.out.with_name("results-quick.md")
    if args.only == "start":
        write_results(figures, args.quick, out, startup, partial=True)
        print(out.read_text(encoding="utf-8"))
        return 0
    figures += core_figures(db, repeat)
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
            if hasattr(module, "section"):
                startup += "\n" + module.section()
    write_results(figures, args.quick, out, startup)
    print(out.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
