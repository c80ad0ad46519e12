"""Importing a national-scale SCDL subsidies file (issue 14 points 3 and 6): 100,000 grants read, checked and
written into an empty base, each part timed apart in processor time (user + sys: the machine is shared).

The file is made once from the national dataset (benchmarks/data/import/, ignored by git), as a CSV of the SCDL 2.x
columns: one grant per action (its first funding line: the funder as attribuant with its SIRET, the porteur as
beneficiary with its SIRET, the action's title as object, its year as exercise, the granted amount « 1234.56 »,
the decision date ISO). Imported into an empty base, everything is new: the 20,000 associations, the funders and
100,000 actions, each with its funding line, history and search index.

    .venv/bin/python -m benchmarks.scdl_import_bench [--grants N] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import csv
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DATA, dataset, migrated_copy  # noqa: E402

FOLDER = DATA / "import"
STATUS = {"refusee": "Refusée", "deposee": "En instruction", "en_instruction": "En instruction",
          "brouillon": "En instruction", "ajournee": "En instruction"}  # the others were granted


def make_scdl(source: Path, out: Path, grants: int) -> int:
    """The SCDL CSV of the first `grants` actions of the (migrated) national base, one grant each."""
    from cvdesk.exchange.scdl_columns import SCDL_2_COLUMNS

    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    query = """
    SELECT fr.name, fr.siret, p.name, p.siret, p.rna, a.year, a.title, a.status, f.requested, f.granted,
           f.decision_date, a.start_date, a.end_date
    FROM "action" a
    JOIN funding f ON f.id = (SELECT MIN(id) FROM funding WHERE action_id = a.id AND deleted = 0)
    JOIN funder fr ON fr.id = f.funder_id JOIN association p ON p.id = a.porteur_id
    WHERE a.deleted = 0 ORDER BY a.id LIMIT ?"""
    tmp = out.with_name(out.name + ".tmp")
    count = 0
    euros = lambda cents: "" if cents is None else f"{cents // 100}.{cents % 100:02d}"  # noqa: E731
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, SCDL_2_COLUMNS, delimiter=";", lineterminator="\n")
        writer.writeheader()
        for (funder, funder_siret, porteur, siret, rna, year, title, status, requested, granted, decided, start,
             end) in conn.execute(query, (grants,)):
            count += 1
            writer.writerow({"idSubvention": f"SUB-{count:06d}", "nomAttribuant": funder,
                             "idAttribuant": funder_siret or "", "nomBeneficiaire": porteur,
                             "idBeneficiaire": siret or "", "rnaBeneficiaire": rna or "",
                             "exerciceBudgetaire": year, "objet": title,
                             "statutLabel": STATUS.get(status, "Attribuée"), "montantDemande": euros(requested),
                             "montant": euros(granted), "dateDecision": decided or "", "dateDebut": start or "",
                             "dateFin": end or "", "nature": "aide en numéraire", "notificationUE": "non",
                             "pourcentageSubvention": "1.00"})
    conn.close()
    tmp.replace(out)
    return count


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def measured(name: str, fn: Callable[[], object], figures: list[tuple[str, float, float]]) -> object:
    cpu0, wall0 = cpu(), time.perf_counter()
    result = fn()
    figures.append((name, cpu() - cpu0, time.perf_counter() - wall0))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="profil cProfile du contrôle et de l'écriture")
    args = parser.parse_args()
    FOLDER.mkdir(parents=True, exist_ok=True)
    sheet = FOLDER / f"scdl-{args.grants}.csv"
    with tempfile.TemporaryDirectory() as folder:
        if not sheet.exists():
            print(f"Construction de {sheet}…", file=sys.stderr, flush=True)
            made = make_scdl(migrated_copy(dataset(quick=False), Path(folder)), sheet, args.grants)
            print(f"{made} subventions écrites.", file=sys.stderr)
        from cvdesk.exchange.sheet_import import apply_sheet, check_sheet
        from cvdesk.exchange.sheet_reader import read_sheet
        from cvdesk.store.database import opened_database

        figures: list[tuple[str, float, float]] = []
        with opened_database(Path(folder) / "siege.db"):
            profile = cProfile.Profile() if args.profile else None
            read = measured("lecture (read_sheet)", lambda: read_sheet(sheet), figures)
            if profile:
                profile.enable()
            preview = measured("contrôle (check_sheet)", lambda: check_sheet(read, "scdl"), figures)
            if not preview.ok:
                print("\n".join(preview.lines()[-20:]), file=sys.stderr)
                return 1
            said = [0]

            def progress(done: int, total: int) -> None:
                if done >= said[0] or done == total:
                    print(f"… {done} sur {total}", file=sys.stderr, flush=True)
                    said[0] = done + 20_000

            measured("écriture (apply_sheet)", lambda: apply_sheet(preview, progress), figures)
            if profile:
                profile.disable()
                profile.dump_stats(str(FOLDER / "scdl_import.prof"))
            counts = {table: sqlite3.connect(Path(folder) / "siege.db").execute(
                f'SELECT count(*) FROM "{table}" WHERE deleted = 0').fetchone()[0]
                for table in ("action", "funding", "association", "funder")}
    print(f"{sheet.name} : {args.grants} subventions -> {counts}")
    print("| Étape | Processeur (s) | Horloge (s) |\n|---|---|---|")
    for name, cpu_s, wall_s in figures:
        print(f"| {name} | {cpu_s:.2f} | {wall_s:.2f} |")
    total_cpu = sum(f[1] for f in figures)
    print(f"| **total** | **{total_cpu:.2f}** | {sum(f[2] for f in figures):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
