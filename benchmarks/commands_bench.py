"""The command line on the national dataset, each command a real process as a user runs it: time and peak memory.

    .venv/bin/python benchmarks/commands_bench.py [--db /tmp/n.db] [--repeat 2] [--quick] [--code DIR]

--code runs the commands of another source tree (e.g. a `git worktree` of an older commit), to set two versions
side by side on the same machine in the same hour.

Measures the opening path (a clean close makes the next opening quick: the second `check` is not slower than the
first), the lists written as spreadsheets, the export, and the merge of the national package into an empty base
with its peak resident memory (target under 400 MB). Works on scratch copies; the dataset is never written.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Figure, dataset, print_table  # noqa: E402

# Runs one command and prints its peak resident memory (the child's own, in KiB on Linux).
_MEASURE = ("import resource, subprocess, sys\n"
            "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)")


def run_command(*args: str, code: Path = ROOT) -> tuple[float, float]:
    """Wall time in s and peak RSS in MB of `python -m cvdesk args…` run from the tree code; fails loudly on a
    non-zero exit."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "cvdesk", *args],
                          capture_output=True, text=True, cwd=code)
    elapsed = time.perf_counter() - start
    peak_kib, code = done.stdout.split()
    if code != "0":
        raise RuntimeError(f"cvdesk {' '.join(args)} : code {code}\n{done.stderr}")
    return elapsed, int(peak_kib) / 1024


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".verrou"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def measure(source: Path, repeat: int, code: Path = ROOT) -> list[Figure]:
    work = Path(tempfile.mkdtemp(prefix="cvdesk-commandes-"))
    try:
        base = work / "bureau.db"
        shutil.copyfile(source, base)
        first = Figure("Commande check : 1re exécution", "—", None, "s")
        second = Figure("Commande check : 2e exécution de suite", "≤ 1re exécution (à 10 % près)", None, "s")
        communes = Figure("Commande table communes (CSV)", "—", None, "s")
        actions = Figure("Commande table actions (CSV, 100 000 lignes)", "—", None, "s")
        export = Figure("Commande export (paquet)", "≤ 5 s", 5.0, "s")
        merge = Figure("Commande import : fusion nationale dans une base vide", "≤ 15 s", 15.0, "s")
        merge_rss = Figure("Mémoire maximale (RSS) de la fusion nationale", "≤ 400 MB", 400, "MB")
        package = work / "paquet.zip"
        for _ in range(repeat):
            first.samples.append(run_command("check", "--db", str(base), code=code)[0])
            second.samples.append(run_command("check", "--db", str(base), code=code)[0])
            communes.samples.append(run_command("table", "communes", "--db", str(base),
                                                "--out", str(work / "communes.csv"), code=code)[0])
            actions.samples.append(run_command("table", "actions", "--db", str(base),
                                               "--out", str(work / "actions.csv"), code=code)[0])
            package.unlink(missing_ok=True)
            export.samples.append(run_command("export", "--db", str(base), "--office", "Banc d'essai",
                                              "--out", str(package), code=code)[0])
            target = work / "siege.db"
            _remove_db(target)
            elapsed, peak = run_command("import", "--db", str(target), str(package), code=code)
            merge.samples.append(elapsed)
            merge_rss.samples.append(peak)
        # The same path twice on a shared machine: equal within its noise (before the fix, the second run took the
        # full integrity check twice and was a quarter slower).
        second.limit = 1.1 * first.median
        return [first, second, communes, actions, export, merge, merge_rss]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def figures(db: Path, quick: bool, repeat: int) -> list[Figure]:
    """The command-line figures for benchmarks/run.py."""
    return measure(db, max(1, min(repeat, 2)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the national dataset (built under benchmarks/data when absent)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="the 10,000-action dataset instead")
    parser.add_argument("--code", type=Path, default=ROOT, help="the source tree whose commands run")
    args = parser.parse_args()
    source = Path(args.db) if args.db else dataset(args.quick)
    return 0 if print_table(measure(source, args.repeat, args.code.resolve())) else 1


if __name__ == "__main__":
    raise SystemExit(main())
