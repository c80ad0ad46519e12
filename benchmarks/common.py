"""What every benchmark shares: the datasets, timing several runs, and one figure with its target."""
from __future__ import annotations

import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"


@dataclass
class Figure:
    name: str
    target: str  # as the issue states it, e.g. "≤ 150 ms"
    limit: float | None  # in the unit below; None when the target is relative or absent
    unit: str = "ms"
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def met(self) -> bool | None:
        return None if self.limit is None or not self.samples else self.median <= self.limit

    def row(self) -> str:
        if not self.samples:
            return f"| {self.name} | — | — | — | {self.target} | non mesuré |"
        verdict = {True: "atteint", False: "**manqué**", None: "voir note"}[self.met]
        fmt = (lambda v: f"{v:.0f}") if self.unit in ("ms", "MB") else (lambda v: f"{v:.2f}")
        return (f"| {self.name} | {fmt(self.median)} {self.unit} | {fmt(min(self.samples))} | "
                f"{fmt(max(self.samples))} | {self.target} | {verdict} |")


def print_table(figures: list[Figure]) -> bool:
    """The figures as a Markdown table on stdout; whether no target was missed."""
    print("| Mesure | Médiane | Min | Max | Cible | Verdict |")
    print("|---|---|---|---|---|---|")
    for figure in figures:
        print(figure.row())
    return all(figure.met is not False for figure in figures)


def timed(fn: Callable[[], object], repeat: int, unit: str = "ms") -> list[float]:
    """Wall time of fn over repeat runs, in ms or s."""
    scale = 1000.0 if unit == "ms" else 1.0
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * scale)
    return samples


def dataset(quick: bool) -> Path:
    """The synthetic dataset, built once and reused (benchmarks/data is ignored by git). It is never opened by
    cvdesk in place (that would migrate it and leave a backup beside it): see migrated_copy and scratch_copy."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / ("quick.db" if quick else "national.db")
    if not path.exists():
        scale = "quick" if quick else "national"
        print(f"Construction du jeu {scale} dans {path}…", file=sys.stderr, flush=True)
        tmp = path.with_name(path.name + ".construction")
        for suffix in ("", "-wal", "-shm", ".verrou"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        subprocess.run([sys.executable, "-m", "cvdesk", "demo", "--scale", scale, "--db", str(tmp)], check=True,
                       cwd=ROOT)
        conn = sqlite3.connect(tmp)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        shutil.move(tmp, path)
        Path(str(tmp) + ".verrou").unlink(missing_ok=True)
    return path


def migrated_copy(source: Path, folder: Path) -> Path:
    """A copy of the dataset in folder, brought to this program's schema there (a newer step's migration and its
    backup happen in folder, never beside the dataset). The dataset itself is left at the schema it was built
    with: an older tree started side by side (startup_bench, search_bench) may not know a newer step."""
    sys.path.insert(0, str(ROOT))
    from cvdesk.store.database import opened_database

    copy = folder / source.name
    shutil.copyfile(source, copy)
    with opened_database(copy, defer_check=True):
        pass
    return copy


def scratch_copy(source: Path, name: str) -> Path:
    """A throw-away copy of a dataset for benchmarks that write."""
    target = DATA / name
    for suffix in ("", "-wal", "-shm", ".verrou"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target
