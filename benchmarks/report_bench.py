"""PDF sheets on the national dataset: a 200-action programme (≤ 1 s) and a 10,000-action programme (≤ 30 s).

    .venv/bin/python benchmarks/report_bench.py [--db /tmp/n.db] [--repeat-small 7] [--repeat-large 3]

The dataset (100,000 actions over 2015–2024, 10,000 a year) is built at --db when absent (about 12 s).
Prints the median, min and max of each figure, and the median processor time (steadier than the wall time on a
shared machine); exit code 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ensure_dataset(path: Path) -> None:
    if path.exists():
        return
    print(f"Construction du jeu national dans {path}…", flush=True)
    subprocess.run([sys.executable, "-m", "cvdesk", "demo", "--scale", "national", "--db", str(path)], check=True,
                   cwd=ROOT)


def timed(fn: Callable[[], object], repeat: int, cpu: list[float] | None = None) -> list[float]:
    """Wall times of fn in seconds; its processor times go to cpu when given."""
    samples = []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/n.db")
    parser.add_argument("--year", type=int, default=2015)
    parser.add_argument("--repeat-small", type=int, default=7)
    parser.add_argument("--repeat-large", type=int, default=3)
    args = parser.parse_args()
    db_path = Path(args.db)
    ensure_dataset(db_path)

    from cvdesk.reports.programme_sheet import build_programme_sheet, programme_scope
    from cvdesk.services.report_data import programme_data
    from cvdesk.store.database import close_database, open_database

    open_database(db_path, create=False)
    results = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "programme.pdf"
            for label, limit, target, repeat in (
                ("programme de 200 actions", 200, 1.0, args.repeat_small),
                ("programme de 10 000 actions", None, 30.0, args.repeat_large),
            ):
                scope = programme_scope(args.year, limit=limit)
                count = len(programme_data(scope).actions)
                build_programme_sheet(scope, out)  # warm-up: fonts, SQLite cache
                cpu: list[float] = []
                samples = timed(lambda: build_programme_sheet(scope, out), repeat, cpu)
                pages = out.read_bytes().count(b"/Type /Page\n")
                median = statistics.median(samples)
                results.append(median <= target)
                print(f"{label} ({count} actions, {args.year}, {pages or '?'} pages, {out.stat().st_size // 1024} Kio) :"
                      f" médiane {median:.2f} s, min {min(samples):.2f} s, max {max(samples):.2f} s"
                      f" (processeur {statistics.median(cpu):.2f} s) sur {repeat} essais — cible ≤ {target:.0f} s : {'atteinte' if median <= target else 'MANQUÉE'}",
                      flush=True)
    finally:
        close_database()
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())


def figures(db: Path, quick: bool, repeat: int) -> list:
    """The two programme figures for benchmarks/run.py."""
    from benchmarks.common import Figure, migrated_copy
    from cvdesk.reports.programme_sheet import build_programme_sheet, programme_scope
    from cvdesk.services.report_data import programme_data
    from cvdesk.store.database import close_database, open_database

    found = []
    with tempfile.TemporaryDirectory() as folder:
        # A migrated copy: opening the dataset itself would migrate it and leave the step's backup beside it.
        open_database(migrated_copy(db, Path(folder)), create=False, defer_check=True)
        try:
            out = Path(folder) / "programme.pdf"
            for limit, target, runs in ((200, 1.0, repeat), (None, 30.0, max(1, min(repeat, 3)))):
                scope = programme_scope(2015, limit=limit)
                count = len(programme_data(scope).actions)
                figure = Figure(f"Programme PDF, {count} actions", f"≤ {target:.0f} s", target, "s")
                build_programme_sheet(scope, out)  # warm-up: fonts, SQLite cache
                figure.samples = timed(lambda: build_programme_sheet(scope, out), runs)
                found.append(figure)
        finally:
            close_database()
    return found
