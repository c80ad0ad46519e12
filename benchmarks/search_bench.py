"""List searches on the national dataset, this tree against an older one side by side in the same run.

    .venv/bin/python benchmarks/search_bench.py --old DIR [--db benchmarks/data/national.db] [--repeat 7]

DIR is the source tree of an older commit (`git archive COMMIT cvdesk | tar -x -C DIR`). Each tree runs in its own
process on its own scratch copy of the dataset (never written): the newer one first climbs the schema steps it
knows (their SQL timed alone), then both time the keystrokes of the Actions and Associations searches (the median
of --repeat runs after one warm-up) and give the space the file uses. The national dataset has empty descriptions:
a second pass fills them as the demo contract does (about 300 characters an action) to weigh what indexing them costs.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SEARCHES = (
    ("actions", "sante"),
    ("actions", "santé"),
    ("actions", "sa"),
    ("actions", "mediation jeunesse"),
    ("associations", "rencontres"),
    ("associations", "droits"),
    ("associations", "ac"),
)

# The demo contract's wording, so that descriptions weigh what they weigh in a real base.
FILL_DESCRIPTIONS = (
    """UPDATE "action" SET description = title || '. Action menée par ' || COALESCE((SELECT name FROM association p
       WHERE p.id = porteur_id), 'la commune') || ' auprès des habitants des quartiers prioritaires : accueil, '
       || 'orientation vers les services, ateliers collectifs et suivi individuel (description illustrative).',
       objectives = 'Toucher les habitants les plus éloignés des dispositifs de droit commun ; travailler avec les '
       || 'partenaires du quartier ; mesurer les effets sur la durée.'"""
)

CHILD = r"""
import json, sqlite3, statistics, sys, time
from pathlib import Path
path, repeat, searches = Path(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
out = {}
conn = sqlite3.connect(path)
version = conn.execute("PRAGMA user_version").fetchone()[0]
conn.close()
from cvdesk.store import migrations
pending = [step for step in migrations.MIGRATIONS if step.version > version]
if pending:
    # The steps' SQL alone, in one transaction as migrate() runs them (it also takes a backup first).
    from peewee import SqliteDatabase
    raw = SqliteDatabase(str(path), pragmas={"journal_mode": "wal", "synchronous": "full"})
    raw.connect()
    start = time.perf_counter()
    with raw.atomic("EXCLUSIVE"):
        for step in pending:
            step.apply(raw, None)
        raw.pragma("user_version", pending[-1].version)
    out["migration"] = time.perf_counter() - start
    raw.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
from cvdesk.store.database import opened_database
from cvdesk.services.lists import count, list_ids
with opened_database(path) as db:
    out["version"] = db.pragma("user_version")
    page = db.pragma("page_size")
    out["used_mb"] = (db.pragma("page_count") - db.pragma("freelist_count")) * page / 1e6
    for name, text in searches:
        for label, call in (("ids", lambda: list_ids(name, text, limit=200)), ("count", lambda: count(name, text))):
            call()
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                result = call()
                times.append(time.perf_counter() - start)
            out[f"{name} « {text} » {label}"] = [statistics.median(times), result if label == "count" else len(result)]
print(json.dumps(out))
"""


def run_tree(code: Path, dataset: Path, scratch: Path, repeat: int) -> dict[str, object]:
    copy = scratch / f"{code.name}-{dataset.name}"
    shutil.copyfile(dataset, copy)
    done = subprocess.run([sys.executable, "-c", CHILD, str(copy), str(repeat), json.dumps(SEARCHES)],
                          cwd=code, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{code}: {done.stderr[-2000:]}")
    copy.unlink()
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_side_by_side(title: str, old: dict[str, object], new: dict[str, object]) -> None:
    print(f"\n### {title}\n")
    print("| measure | old | new |\n| --- | --- | --- |")
    for key in new:
        before, after = old.get(key, "—"), new[key]

        def show(value: object) -> str:
            if isinstance(value, list):
                return f"{value[0] * 1000:.1f} ms ({value[1]} found)"
            if isinstance(value, float):
                return f"{value:.1f} MB" if key == "used_mb" else f"{value:.2f} s"
            return str(value)
        print(f"| {key} | {show(before)} | {show(after)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--db", type=Path, default=ROOT / "benchmarks" / "data" / "national.db")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="search-bench-") as folder:
        scratch = Path(folder)
        described = scratch / "national-descriptions.db"
        shutil.copyfile(args.db, described)
        conn = sqlite3.connect(described)
        conn.execute(FILL_DESCRIPTIONS)
        conn.commit()
        conn.close()
        for dataset, title in ((args.db, "national (empty descriptions)"),
                               (described, "national with descriptions as in the demo")):
            old = run_tree(args.old.resolve(), dataset, scratch, args.repeat)
            new = run_tree(ROOT, dataset, scratch, args.repeat)
            print_side_by_side(title, old, new)


if __name__ == "__main__":
    main()
