"""Importing actions with their funding lines from a spreadsheet at national scale: reading, checking and writing
timed apart (issue 14 point 6: 100,000 actions from an XLSX and a 200,000-row CSV, each ≤ 20 s).

The two files are made once from the national dataset (benchmarks/data/import/, ignored by git):
- an XLSX of the 100,000 actions, one row per action with its first funding line (typed cells: numbers in euros,
  dates as dates), as a coordinator's workbook holds them;
- a CSV for French Excel of 200,000 rows: the same actions, each with its first two funding lines (so that the
  rows are grouped by reference), amounts written « 1 234,56 », dates « jj/mm/aaaa ».
Each is imported into a copy of the national base from which the actions (and their lines, links and agenda items)
were removed: every action is new, the porteurs, funders, orientations and quartiers are there to be found.

    .venv/bin/python -m benchmarks.import_bench [--actions N] [--only xlsx|csv] [--profile]

Reported per file: CPU time (user + sys of this process: the machine is shared) and wall time of the reading
(read_sheet), of the checking (preview_sheet minus its reading) and of the writing (apply_sheet)."""
from __future__ import annotations

import argparse
import csv
import os
import cProfile
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DATA, dataset, migrated_copy  # noqa: E402

FOLDER = DATA / "import"
HEADER = ["Référence", "Intitulé", "Année", "Orientation", "Porteur", "SIRET du porteur", "Statut", "Coût total",
          "Date de début", "Date de fin", "Quartiers", "Financeur", "Montant demandé", "Montant accordé",
          "Montant versé", "Date de décision"]
STATUS_LABELS = {"brouillon": "Brouillon", "deposee": "Déposée", "en_instruction": "En instruction",
                 "accordee": "Accordée", "refusee": "Refusée", "ajournee": "Ajournée", "en_cours": "En cours",
                 "soldee": "Soldée", "evaluee": "Évaluée", "abandonnee": "Abandonnée"}


def _rows(source: Path, actions: int, lines_per_action: int) -> Iterator[tuple[Any, ...]]:
    """Rows of the first `actions` actions of the national dataset, each with its first funding lines (two reads
    merged here: a join on the numbered lines would read them all again for each action)."""
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        last = conn.execute('SELECT id FROM "action" WHERE deleted = 0 ORDER BY id LIMIT 1 OFFSET ?',
                            (actions - 1,)).fetchone()[0]
        lines: dict[int, list[tuple[Any, ...]]] = {}
        for action_id, *line in conn.execute("""
                SELECT f.action_id, fr.name, f.requested, f.granted, f.paid, f.decision_date
                FROM funding f JOIN funder fr ON fr.id = f.funder_id
                WHERE f.deleted = 0 AND f.action_id <= ? ORDER BY f.action_id, fr.position, fr.name""", (last,)):
            kept = lines.setdefault(action_id, [])
            if len(kept) < lines_per_action:
                kept.append(tuple(line))
        quartiers: dict[int, list[str]] = {}
        for action_id, code in conn.execute("""
                SELECT aq.action_id, q.code FROM action_quartier aq JOIN quartier q ON q.id = aq.quartier_id
                WHERE aq.deleted = 0 AND aq.action_id <= ? ORDER BY aq.action_id, q.code""", (last,)):
            quartiers.setdefault(action_id, []).append(code)
        for action_id, *action in conn.execute("""
                SELECT a.id, a.reference, a.title, a.year, o.number, p.name, p.siret, a.status, a.total_cost,
                       a.start_date, a.end_date
                FROM "action" a LEFT JOIN orientation o ON o.id = a.orientation_id
                LEFT JOIN association p ON p.id = a.porteur_id
                WHERE a.deleted = 0 AND a.id <= ? ORDER BY a.id""", (last,)):
            codes = ", ".join(quartiers.get(action_id, [])) or None
            for line in lines.get(action_id) or [(None,) * 5]:
                yield (*action, codes, *line)
    finally:
        conn.close()


def _euros(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def _french_amount(cents: int | None) -> str:
    if cents is None:
        return ""
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", " ") + f",{rest:02d}"


def _french_date(iso: str | None) -> str:
    return "" if not iso else date.fromisoformat(iso).strftime("%d/%m/%Y")


def make_xlsx(source: Path, out: Path, actions: int) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    sheet.append(HEADER)
    count = 0
    for row in _rows(source, actions, 1):
        (reference, title, year, orientation, porteur, siret, status, cost, start, end, quartiers, funder,
         requested, granted, paid, decided) = row
        cells: list[Any] = [reference, title, year, orientation, porteur, WriteOnlyCell(sheet, value=siret or None),
                            STATUS_LABELS.get(status, status), _euros(cost),
                            date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None,
                            quartiers, funder, _euros(requested), _euros(granted), _euros(paid),
                            date.fromisoformat(decided) if decided else None]
        sheet.append(cells)
        count += 1
    tmp = out.with_name(out.name + ".tmp")
    workbook.save(tmp)
    tmp.replace(out)
    return count


def make_csv(source: Path, out: Path, actions: int) -> int:
    tmp = out.with_name(out.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for row in _rows(source, actions, 2):
            (reference, title, year, orientation, porteur, siret, status, cost, start, end, quartiers, funder,
             requested, granted, paid, decided) = row
            writer.writerow([reference, title, year, orientation or "", porteur or "", siret or "",
                             STATUS_LABELS.get(status, status), _french_amount(cost), _french_date(start),
                             _french_date(end), quartiers or "", funder or "", _french_amount(requested),
                             _french_amount(granted), _french_amount(paid), _french_date(decided)])
            count += 1
    tmp.replace(out)
    return count


def sheet_files(actions: int) -> dict[str, Path]:
    """The two files for this many actions, made once."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    source = dataset(quick=False)
    files = {"xlsx": FOLDER / f"actions-{actions}.xlsx", "csv": FOLDER / f"actions-{actions}-x2.csv"}
    for kind, path in files.items():
        if not path.exists():
            print(f"Fabrication de {path}…", file=sys.stderr, flush=True)
            (make_xlsx if kind == "xlsx" else make_csv)(source, path, actions)
    return files


def emptied_base() -> Path:
    """A migrated copy of the national base without its actions (their references are free again), made once."""
    done = FOLDER / "national-sans-actions.db"
    if done.exists():
        return done
    print(f"Fabrication de {done}…", file=sys.stderr, flush=True)
    building = FOLDER / "construction"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    base = migrated_copy(dataset(quick=False), building)
    conn = sqlite3.connect(base)
    conn.execute("PRAGMA foreign_keys = OFF")
    with conn:
        for table in ("meeting_item", "funding", "action_quartier", "action_search", "action"):
            conn.execute(f'DELETE FROM "{table}"')
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    base.replace(done)
    shutil.rmtree(building, ignore_errors=True)
    return done


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def _stage(name: str, results: dict[str, tuple[float, float]], work: Callable[[], Any]) -> Any:
    cpu, wall = _cpu(), time.perf_counter()
    value = work()
    results[name] = (_cpu() - cpu, time.perf_counter() - wall)
    print(f"  {name} : {results[name][0]:.1f} s CPU, {results[name][1]:.1f} s", file=sys.stderr, flush=True)
    return value


def measure(path: Path, template: Path, folder: Path, profile: Path | None = None) -> dict[str, tuple[float, float]]:
    from cvdesk.exchange.sheet_import import apply_sheet, preview_sheet
    from cvdesk.exchange.sheet_reader import read_sheet
    from cvdesk.store.database import opened_database

    base = folder / f"cible-{path.suffix[1:]}.db"
    shutil.copyfile(template, base)
    results: dict[str, tuple[float, float]] = {}
    with opened_database(base):
        sheet = _stage("lecture", results, lambda: read_sheet(path))
        rows = len(sheet.rows)
        del sheet
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        preview = _stage("lecture + vérification", results, lambda: preview_sheet(path, "actions"))
        if not preview.ok:
            raise SystemExit("\n".join(preview.lines()[:40]))
        _stage("écriture", results, lambda: apply_sheet(preview))
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
            print(f"Profil : {profile}", file=sys.stderr)
    conn = sqlite3.connect(base)
    counts = conn.execute('SELECT (SELECT count(*) FROM "action"), (SELECT count(*) FROM funding), '
                          "(SELECT count(*) FROM action_search)").fetchone()
    conn.close()
    read_cpu, read_wall = results["lecture"]
    both_cpu, both_wall = results.pop("lecture + vérification")
    results["vérification"] = (both_cpu - read_cpu, both_wall - read_wall)
    print(f"{path.name} : {rows} lignes -> {counts[0]} actions, {counts[1]} lignes de financement, "
          f"{counts[2]} dans l'index de recherche", flush=True)
    for base_file in folder.glob(f"cible-{path.suffix[1:]}.db*"):
        base_file.unlink()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--only", choices=("xlsx", "csv"))
    parser.add_argument("--profile", action="store_true", help="cProfile of the checking and the writing")
    args = parser.parse_args()
    files = sheet_files(args.actions)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        template = emptied_base()
        print("| Fichier | Lecture CPU (mur) | Vérification CPU (mur) | Écriture CPU (mur) | Total CPU (mur) |")
        print("|---|---|---|---|---|")
        for kind, path in files.items():
            if args.only and kind != args.only:
                continue
            profile = FOLDER / f"{kind}.prof" if args.profile else None
            results = measure(path, template, folder, profile)
            total_cpu = sum(cpu for cpu, _ in results.values())
            total_wall = sum(wall for _, wall in results.values())
            cells = " | ".join(f"{results[k][0]:.1f} s ({results[k][1]:.1f})"
                               for k in ("lecture", "vérification", "écriture"))
            print(f"| {path.name} | {cells} | {total_cpu:.1f} s ({total_wall:.1f}) |", flush=True)


if __name__ == "__main__":
    main()
