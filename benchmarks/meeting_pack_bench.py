"""The meeting pack of a 60-item comité on the national dataset (≤ 3 s), beside its floor: the same 60 action
sheets printed one by one.

    .venv/bin/python benchmarks/meeting_pack_bench.py [--db benchmarks/data/national.db] [--repeat 5] [--items 60]
                                                      [--keep /tmp/pack.pdf]

The benchmark works on a migrated copy in a temporary folder (the dataset itself is never migrated or written):
it records there a comité whose agenda holds --items actions of one year, spread over the orientations, then
times the pack and the floor alternately (wall time and this process's CPU time: the machine may be shared, and
CPU time drifts less). Prints the median, min and max of each figure; exit code 1 when the target is missed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Figure, dataset, migrated_copy, print_table  # noqa: E402

YEAR = 2020


def record_comite(items: int, year: int = YEAR) -> int:
    """A comité de programmation whose agenda holds `items` live actions of the year, taken at an even step
    through the year's references (so that every orientation and many porteurs come up); returns its id."""
    from cvdesk.services.reference import save_meeting, save_meeting_item
    from cvdesk.store.models import db

    ids = [row[0] for row in db.execute_sql(
        'SELECT id FROM "action" WHERE year = ? AND deleted = 0 ORDER BY reference, id', (year,))]
    if len(ids) < items:
        raise SystemExit(f"Le jeu n'a que {len(ids)} actions en {year}.")
    step = len(ids) // items
    meeting = save_meeting({"kind": "comite_pilotage", "date": date(year, 4, 16), "place": "Préfecture",
                            "attendees": "Banc d'essai", "notes": f"{items} dossiers"})
    assert meeting.ok, meeting.errors
    with db.atomic():
        for position, action_id in enumerate(ids[::step][:items]):
            item = save_meeting_item({"meeting": meeting.record.id, "action": action_id, "position": position})
            assert item.ok, item.errors
    return meeting.record.id


def alternate(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[list[float], list[float]]]:
    """Each run `repeat` times, in turn (a, b, a, b…), so that a busy moment of the machine hurts both alike:
    (wall seconds, CPU seconds) per run."""
    samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in runs}
    for _ in range(repeat):
        for name, fn in runs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            samples[name][0].append(time.perf_counter() - wall)
            samples[name][1].append(time.process_time() - cpu)
    return samples


def measure(source: Path, repeat: int, items: int, keep: Path | None = None) -> tuple[list[Figure], str]:
    from pypdf import PdfReader

    from cvdesk.reports.action_sheet import build_action_sheet
    from cvdesk.reports.meeting_pack import build_meeting_pack
    from cvdesk.services.report_data import agenda_of_meeting
    from cvdesk.store.database import opened_database

    with tempfile.TemporaryDirectory(prefix="cvdesk-dossier-") as folder:
        copy = migrated_copy(source, Path(folder))
        with opened_database(copy, defer_check=True):
            meeting_id = record_comite(items)
            agenda = [item.action_id for item in agenda_of_meeting(meeting_id)]
            written = BytesIO()

            def pack() -> None:
                written.seek(0)
                written.truncate()
                build_meeting_pack(meeting_id, written)

            def one_by_one() -> None:
                for action_id in agenda:
                    build_action_sheet(action_id, BytesIO())

            pack()  # warm the caches (fonts, SQLite pages) before anything is timed
            samples = alternate({"pack": pack, "floor": one_by_one}, repeat)
            if keep is not None:
                build_meeting_pack(meeting_id, keep)
    wall, cpu = samples["pack"]
    floor_wall, floor_cpu = samples["floor"]
    figures = [
        Figure(f"Dossier de séance, {items} points (mur)", "≤ 3 s", 3.0, "s", wall),
        Figure(f"Dossier de séance, {items} points (CPU du processus)", "≤ 3 s", 3.0, "s", cpu),
        Figure(f"Plancher : les {items} fiches action une à une (mur)", "référence", None, "s", floor_wall),
        Figure(f"Plancher : les {items} fiches action une à une (CPU)", "référence", None, "s", floor_cpu),
    ]
    pages = len(PdfReader(BytesIO(written.getvalue())).pages)
    ratio = statistics.median(wall) / statistics.median(floor_wall)
    note = (f"{len(agenda)} points, {pages} pages ; dossier / plancher (médianes, mur) : {ratio:.2f} ; "
            f"{repeat} mesure(s) alternées de chaque.")
    return figures, note


def figures(db: Path, quick: bool, repeat: int) -> list[Figure]:
    """The meeting-pack figure for benchmarks/run.py, and its floor beside it."""
    found, _ = measure(db, max(1, min(repeat, 5)), 60)
    return [found[0], found[2]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the national dataset (built under benchmarks/data when absent)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--keep", type=Path, help="also write the pack there, to look at it")
    args = parser.parse_args()
    source = Path(args.db) if args.db else dataset(False)
    found, note = measure(source, args.repeat, args.items, args.keep)
    print(f"Jeu : {source} ; {note}")
    return 0 if print_table(found) else 1


if __name__ == "__main__":
    raise SystemExit(main())
