"""Exchange on the national dataset: export the package (≤ 5 s) and merge it into an empty database (≤ 15 s).

    .venv/bin/python benchmarks/exchange_bench.py [--db /tmp/n.db] [--repeat 3] [--quick]

The dataset (100,000 actions, 300,000 fundings) is built under benchmarks/data when --db is not given.
The benchmark works on a scratch copy, so the dataset itself is never migrated or written.
Prints the median, min and max of each figure; exit code 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Figure, dataset, print_table, timed  # noqa: E402


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".verrou"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def measure(source: Path, repeat: int) -> tuple[Figure, Figure, str]:
    """Export the dataset's package and merge it into an empty database, on scratch copies."""
    from cvdesk.exchange.export_package import export_package
    from cvdesk.exchange.merge import import_package
    from cvdesk.store.database import close_database, open_database

    work = Path(tempfile.mkdtemp(prefix="cvdesk-echange-"))
    try:
        copy = work / "bureau.db"
        shutil.copyfile(source, copy)
        package = work / "paquet.zip"
        open_database(copy, defer_check=True)

        def export() -> None:
            package.unlink(missing_ok=True)
            export_package(package, "Banc d'essai")

        export_figure = Figure("Export du paquet", "≤ 5 s", 5.0, "s", timed(export, repeat, "s"))
        close_database()
        size = f"paquet : {package.stat().st_size / 1e6:.1f} Mo"
        target = work / "siege.db"

        def merge() -> None:
            close_database()
            _remove_db(target)
            open_database(target)
            summary = import_package(package)
            assert summary.total().added > 0

        merge_figure = Figure("Fusion dans une base vide", "≤ 15 s", 15.0, "s", timed(merge, repeat, "s"))
        close_database()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return export_figure, merge_figure, size


def figures(db: Path, quick: bool, repeat: int) -> list[Figure]:
    """The export and merge figures for benchmarks/run.py."""
    export_figure, merge_figure, _ = measure(db, max(1, min(repeat, 3)))
    return [export_figure, merge_figure]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the national dataset (built under benchmarks/data when absent)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="the 10,000-action dataset instead")
    args = parser.parse_args()
    source = Path(args.db) if args.db else dataset(args.quick)
    export_figure, merge_figure, size = measure(source, args.repeat)
    print(f"Jeu : {source} ; {size} ; {args.repeat} mesure(s) chacune.")
    return 0 if print_table([export_figure, merge_figure]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
