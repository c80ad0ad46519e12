"""Exchange on the national dataset: export the package (≤ 5 s) and merge it into an empty database (≤ 15 s).

    .venv/bin/python benchmarks/exchange_bench.py [--db /tmp/n.db] [--repeat 3] [--quick] [--commands]

The dataset (100,000 actions, 300,000 fundings) is built under benchmarks/data when --db is not given.
The benchmark works on a scratch copy, so the dataset itself is never migrated or written.
Each figure is given twice: wall time and processor time (user + system). On a machine shared by several people
the wall time follows the others' load; the processor time much less, so that is the one to compare side by side.
--commands also times the real commands (`cvdesk export`, `cvdesk import` into a new base), each in a process of
its own, whose processor time is read from the system (children's user + system time).
Prints the median, min and max of each figure; exit code 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Figure, dataset, print_table  # noqa: E402


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".verrou"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _wall_and_cpu(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and processor seconds of fn in this process, over repeat runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return wall, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _command(args: list[str]) -> tuple[float, float]:
    """Wall and processor seconds of one cvdesk command, run as a user runs it."""
    start, start_cpu = time.perf_counter(), _children_cpu()
    subprocess.run([sys.executable, "-m", "cvdesk", *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - start, _children_cpu() - start_cpu


def _pair(name: str, target: str, limit: float, samples: tuple[list[float], list[float]]) -> list[Figure]:
    wall, cpu = samples
    return [Figure(f"{name}, mur", target, limit, "s", wall),
            Figure(f"{name}, processeur (utilisateur + système)", target, limit, "s", cpu)]


def measure(source: Path, repeat: int, commands: bool = False) -> tuple[list[Figure], str]:
    """Export the dataset's package and merge it into an empty database, on scratch copies."""
    from cvdesk.exchange.export_package import export_package
    from cvdesk.exchange.merge import import_package
    from cvdesk.store.database import close_database, open_database

    work = Path(tempfile.mkdtemp(prefix="cvdesk-echange-"))
    figures: list[Figure] = []
    try:
        copy = work / "bureau.db"
        shutil.copyfile(source, copy)
        package = work / "paquet.zip"
        open_database(copy, defer_check=True)

        def export() -> None:
            package.unlink(missing_ok=True)
            export_package(package, "Banc d'essai")

        figures += _pair("Export du paquet", "≤ 5 s", 5.0, _wall_and_cpu(export, repeat))
        close_database()
        size = f"paquet : {package.stat().st_size / 1e6:.1f} Mo"
        target = work / "siege.db"

        def merge() -> None:
            close_database()
            _remove_db(target)
            open_database(target)
            summary = import_package(package)
            assert summary.total().added > 0

        figures += _pair("Fusion dans une base vide", "≤ 15 s", 15.0, _wall_and_cpu(merge, repeat))
        close_database()
        if commands:
            out, base = work / "commande.zip", work / "commande.db"
            exports, imports = ([], []), ([], [])
            for _ in range(repeat):
                out.unlink(missing_ok=True)
                exported = _command(["export", "--db", str(copy), "--office", "Banc d'essai", "--out", str(out)])
                for samples, result in zip(exports, exported):
                    samples.append(result)
                _remove_db(base)
                for samples, result in zip(imports, _command(["import", "--db", str(base), str(out)])):
                    samples.append(result)
            figures += _pair("Commande export (paquet)", "≤ 5 s", 5.0, exports)
            figures += _pair("Commande import : fusion nationale dans une base vide", "≤ 15 s", 15.0, imports)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figures, size


def figures(db: Path, quick: bool, repeat: int) -> list[Figure]:
    """The export and merge figures for benchmarks/run.py."""
    found, _ = measure(db, max(1, min(repeat, 3)))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the national dataset (built under benchmarks/data when absent)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="the 10,000-action dataset instead")
    parser.add_argument("--commands", action="store_true", help="also the export and import commands")
    args = parser.parse_args()
    source = Path(args.db) if args.db else dataset(args.quick)
    found, size = measure(source, args.repeat, args.commands)
    print(f"Jeu : {source} ; {size} ; {args.repeat} mesure(s) chacune.")
    return 0 if print_table(found) else 1


if __name__ == "__main__":
    raise SystemExit(main())
