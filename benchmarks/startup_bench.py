"""Start-up: the window painted with the national data against a bare PySide6 window, and where each millisecond goes.

    python benchmarks/startup_bench.py [--db PATH] [--repeat N] [--before TREE]

Runs benchmarks/start_window.py in child processes, alternating the bare window, the older tree (--before, e.g. a
`git archive` of an earlier commit) and this tree, so that all of them see the same machine load; then once more each
under `python -X importtime` for the imports by module group. Prints the figures and the breakdown in Markdown; also
offers measure() to benchmarks/run.py, which writes them into results.md.
"""
from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import ROOT, Figure, print_table  # noqa: E402

CHILD = ROOT / "benchmarks" / "start_window.py"
# Intervals between the child's marks, in order; a bare window has only python, qt and peint.
STEPS = (
    ("python", "Lancement de Python (interpréteur, site)"),
    ("qt", "PySide6 importé, QApplication créée (cvdesk : + traductions de Qt, garde de la molette)"),
    ("imports", "Imports de cvdesk (fenêtre, base ; ceux de l'onglet affiché sont dans sa construction)"),
    ("database", "Ouverture de la base (verrou, schéma)"),
    ("window", "Construction et show() de la fenêtre"),
    ("peint", "Affichage et première peinture (show, mise en page, grab)"),
)
# Module groups for the import breakdown: the first prefix that matches names the group.
GROUPS = (
    ("PySide6 et shiboken6 (dont la création paresseuse des classes Qt)", ("PySide6", "shiboken6", "shibokensupport")),
    ("peewee", ("peewee",)),
    ("sqlite3", ("sqlite3", "_sqlite3")),
    ("python-stdnum", ("stdnum",)),
    ("reportlab", ("reportlab",)),
    ("openpyxl", ("openpyxl", "et_xmlfile")),
    ("cvdesk.ui (self : surtout la création des classes Qt importées)", ("cvdesk.ui",)),
    ("cvdesk.services", ("cvdesk.services",)),
    ("cvdesk.store", ("cvdesk.store",)),
    ("cvdesk.domain", ("cvdesk.domain",)),
    ("cvdesk (autres modules)", ("cvdesk",)),
)
OTHER_GROUP = "Bibliothèque standard de Python et le reste"
AFTER_PAINT = "après la peinture"  # the window's parts named so are built after the first paint: not in the total
TOTAL = "Total des imports"
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)")


@dataclass
class Run:
    """One child: its steps in ms since the parent started it, the window's own timings, its peak RSS."""

    marks: dict[str, float] = field(default_factory=dict)
    parts: list[tuple[str, float]] = field(default_factory=list)
    rss: float = 0.0
    cpu: float = 0.0  # processor time (user + sys) of the child until its first tab is painted with its data, in ms
    first_tab: str = ""  # the tab the window painted first, with its data

    @property
    def painted(self) -> float:
        return self.marks["peint"]

    def steps(self) -> dict[str, float]:
        """Each step's own duration: the time since the previous mark present."""
        durations, previous = {}, 0.0
        for name, _label in STEPS:
            if name in self.marks:
                durations[name] = self.marks[name] - previous
                previous = self.marks[name]
        return durations


def child_args(db: Path | None, code: Path | None) -> list[str]:
    args = [str(CHILD)]
    args += ["--db", str(db)] if db else ["--bare"]
    return args + (["--code", str(code)] if code else [])


def child_env(settings: Path | None) -> dict[str, str] | None:
    """The child's environment: its Qt settings (the tab the window opens on, its size…) in a folder of its own,
    so that every start is a first start, whoever runs it: not the last state of their window, nor what the
    previous child (another tree, whose window closes) saved."""
    return None if settings is None else {**os.environ, "XDG_CONFIG_HOME": str(settings)}


def start_window(db: Path | None, code: Path | None = None, settings: Path | None = None) -> Run:
    """Start the child (its Qt settings in a new folder under settings) and read its marks; raises when it never
    painted."""
    folder = Path(tempfile.mkdtemp(dir=settings)) if settings is not None else None
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, *child_args(db, code)], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                             env=child_env(folder))
    assert child.stdout is not None
    run = Run()
    for line in child.stdout:
        if line.startswith("marque "):
            _word, name, at = line.split()
            run.marks[name] = (float(at) - start) * 1000
        elif line.startswith("part "):
            name, ms = line[5:].rstrip("\n").split("\t")
            run.parts.append((name, float(ms)))
        elif line.startswith("rss "):
            run.rss = float(line.split()[1])
        elif line.startswith("cpu "):
            run.cpu = float(line.split()[1])
        elif line.startswith("onglet "):
            run.first_tab = line[7:].strip()
    child.wait()
    if "peint" not in run.marks:
        raise RuntimeError("la fenêtre ne s'est pas affichée")
    return run


IMPORT_RUNS = 3  # one run under -X importtime is too noisy on a shared machine: the median of three, group by group


def import_times(db: Path | None, code: Path | None = None, settings: Path | None = None) -> dict[str, float]:
    """The self time of every module one child imports before its first paint (under -X importtime), summed by
    group, in ms."""
    folder = Path(tempfile.mkdtemp(dir=settings)) if settings is not None else None
    done = subprocess.run([sys.executable, "-X", "importtime", *child_args(db, code), "--exit-at-paint"],
                          capture_output=True, text=True, cwd=ROOT, check=True, env=child_env(folder))
    groups: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if not match:
            continue
        micros, module = int(match[1]), match[2]
        group = next((name for name, prefixes in GROUPS
                      if any(module == p or module.startswith(p + ".") for p in prefixes)), OTHER_GROUP)
        groups[group] = groups.get(group, 0.0) + micros / 1000
    groups[TOTAL] = sum(groups.values())
    return groups


def imports_by_group(variants: list[tuple[str, Path | None, Path | None]],
                     settings: Path | None = None) -> dict[str, dict[str, float]]:
    """Each variant's imports by group: the median of IMPORT_RUNS children, the variants alternating as for the
    timings (a burst of load on the shared machine then falls on all of them, not on one)."""
    samples: dict[str, dict[str, list[float]]] = {name: {} for name, _db, _code in variants}
    for _ in range(IMPORT_RUNS):
        for name, db, code in variants:
            for group, ms in import_times(db, code, settings).items():
                samples[name].setdefault(group, []).append(ms)
    return {name: {group: statistics.median(values + [0.0] * (IMPORT_RUNS - len(values)))
                   for group, values in groups.items()}
            for name, groups in samples.items()}


@dataclass
class Startup:
    """Every run of every variant, in the order they were measured, and their import breakdowns."""

    runs: dict[str, list[Run]]
    imports: dict[str, dict[str, float]]

    def figures(self) -> list[Figure]:
        bare = Figure("Fenêtre nue (plancher)", "référence", None, samples=[r.painted for r in self.runs["nue"]])
        shown = Figure("Fenêtre affichée avec les données", "≤ 2 × fenêtre nue", 2 * bare.median,
                       samples=[r.painted for r in self.runs["cvdesk"]])
        rss = Figure("Mémoire maximale (RSS), données ouvertes", "≤ 400 MB", 400, "MB",
                     samples=[r.rss for r in self.runs["cvdesk"]])
        return [bare, shown, rss]

    def breakdown(self, before_name: str | None = None) -> str:
        """The Markdown section of results.md: the steps, the window's parts, the imports by group."""
        variants = [name for name in ("nue", "avant", "cvdesk") if self.runs.get(name)]
        heads = {"nue": "Fenêtre nue", "avant": f"cvdesk avant ({before_name or 'code d avant'})", "cvdesk": "cvdesk"}
        repeat = len(self.runs["cvdesk"])
        shown = {v: sorted({r.first_tab for r in self.runs[v] if r.first_tab}) for v in variants}
        first_tabs = "; ".join(f"{heads[v]} : {', '.join(f'« {t} »' for t in shown[v])}" for v in variants if shown[v])

        def cell(values: list[float]) -> str:
            return f"{statistics.median(values):.0f}" if values else "—"

        lines = [
            "## Démarrage : où passent les millisecondes",
            "",
            f"Médianes de {repeat} lancements alternés ({', '.join(heads[v] for v in variants)}), en ms, mesurées "
            "par `benchmarks/startup_bench.py` : chaque étape est l'écart entre deux marques "
            "`time.perf_counter()` du processus enfant `benchmarks/start_window.py` (horloge monotone du système, "
            "lue aussi par le parent, qui part de l'instant où il lance l'enfant). La médiane d'une somme n'étant pas "
            "la somme des médianes, les lignes ne s'additionnent qu'à quelques ms près. Le total s'arrête quand le "
            "premier onglet affiché est peint avec ses données, quel qu'il soit (premier démarrage : réglages de Qt "
            f"vierges) : {first_tabs or 'onglet non nommé'}.",
            "",
            "| Étape | " + " | ".join(heads[v] for v in variants) + " |",
            "|---|" + "---|" * len(variants),
        ]
        for name, label in STEPS:
            values = {v: [r.steps()[name] for r in self.runs[v] if name in r.steps()] for v in variants}
            if any(values.values()):
                lines.append(f"| {label} | " + " | ".join(cell(values[v]) for v in variants) + " |")
            if name == "window":
                part_names: list[str] = []
                for v in variants:
                    for run in self.runs[v]:
                        part_names += [p for p, _ms in run.parts
                                       if p not in part_names and not p.startswith(AFTER_PAINT)]
                for part in part_names:
                    cells = [cell([ms for run in self.runs[v] for p, ms in run.parts if p == part]) for v in variants]
                    lines.append(f"| … dont {part} | " + " | ".join(cells) + " |")
                if part_names:
                    rest = {v: [r.steps()["window"] - sum(ms for p, ms in r.parts if not p.startswith(AFTER_PAINT))
                                for r in self.runs[v] if r.parts and "window" in r.marks] for v in variants}
                    lines.append("| … dont le reste (fenêtre, pages vides des onglets, barre d'état, réglages) | "
                                 + " | ".join(cell(rest[v]) for v in variants) + " |")
        totals = {v: [r.painted for r in self.runs[v]] for v in variants}
        lines.append("| **Total : lancement → premier onglet peint avec ses données** | "
                     + " | ".join(f"**{cell(totals[v])}**" for v in variants) + " |")
        bare = statistics.median(totals["nue"])
        lines.append("| Rapport à la fenêtre nue | "
                     + " | ".join(f"{statistics.median(totals[v]) / bare:.2f} ×" for v in variants) + " |")
        cpus = {v: [r.cpu for r in self.runs[v] if r.cpu] for v in variants}
        if all(cpus.values()):
            bare_cpu = statistics.median(cpus["nue"])
            lines.append("| Processeur (user + sys) du processus jusqu'au premier onglet peint, lancement de Python "
                         "compris | " + " | ".join(cell(cpus[v]) for v in variants) + " |")
            lines.append("| … rapport à la fenêtre nue | "
                         + " | ".join(f"{statistics.median(cpus[v]) / bare_cpu:.2f} ×" for v in variants) + " |")
        complete = {v: [r.marks["complet"] - r.painted for r in self.runs[v] if "complet" in r.marks] for v in variants}
        if any(complete.values()):
            lines.append("| Après la peinture, hors total : jusqu'à tous les chiffres de l'onglet là et peints, ceux sous "
                         "le pli compris (tableau de bord : les totaux par quartier) | "
                         + " | ".join(cell(complete[v]) for v in variants) + " |")
        after = {v: [r.marks["signal"] - r.painted for r in self.runs[v] if "signal" in r.marks] for v in variants}
        if any(after.values()):
            lines.append("| Après la peinture, hors total : jusqu'au signal `first_painted` traité (formulaire de "
                         "l'onglet, entrées d'impression, d'échange et de sauvegarde, compteurs, garde de la molette) | "
                         + " | ".join(cell(after[v]) for v in variants) + " |")
            after_parts: list[str] = []
            for v in variants:
                for run in self.runs[v]:
                    after_parts += [p for p, _ms in run.parts if p not in after_parts and p.startswith(AFTER_PAINT)]
            for part in after_parts:
                cells = [cell([ms for run in self.runs[v] for p, ms in run.parts if p == part]) for v in variants]
                lines.append(f"| … dont {part[len(AFTER_PAINT) + 3:]} | " + " | ".join(cells) + " |")
        lines.append("| Mémoire maximale (RSS, MB) | "
                     + " | ".join(cell([r.rss for r in self.runs[v]]) for v in variants) + " |")
        if self.imports:
            groups = [name for name, _p in GROUPS] + [OTHER_GROUP]
            lines += [
                "",
                "Imports par groupe de modules jusqu'au premier onglet peint : temps propre (self) de chaque module sous "
                "`python -X importtime`, médiane de trois lancements de chaque (en alternance), en ms (le total est la médiane des "
                "totaux). L'outil ajoute sa propre surcharge : ces chiffres se lisent entre "
                "eux, pas contre les étapes ci-dessus. PySide6 crée ses classes à la première demande : ce coût "
                "tombe dans le module qui les importe le premier (ainsi `cvdesk.ui`).",
                "",
                "| Groupe | " + " | ".join(heads[v] for v in variants) + " |",
                "|---|" + "---|" * len(variants),
            ]
            for group in groups:
                values = [self.imports.get(v, {}).get(group, 0.0) for v in variants]
                if any(value >= 0.5 for value in values):
                    lines.append(f"| {group} | " + " | ".join(f"{value:.0f}" for value in values) + " |")
            lines.append(f"| **{TOTAL}** | " + " | ".join(
                f"**{self.imports.get(v, {}).get(TOTAL, 0.0):.0f}**" for v in variants) + " |")
        return "\n".join(lines) + "\n"


def compile_tree(tree: Path) -> None:
    """Write the bytecode of the tree's cvdesk, as an installed program has it (pip compiles what it installs, and
    PySide6's is there): under PYTHONDONTWRITEBYTECODE, or in a `git archive` never run, every child compiled each
    module again (the start-up paid about 10 ms for services/totals.py alone), which the bare window never does."""
    compileall.compile_dir(tree / "cvdesk", quiet=1)


def measure(db: Path, repeat: int, before: Path | None = None, with_imports: bool = True,
            after: Path | None = None) -> Startup:
    """Alternate the variants repeat times, each on its own copy of db (the dataset itself is never opened)."""
    for tree in (before, after or ROOT):
        if tree is not None:
            compile_tree(tree)
    with tempfile.TemporaryDirectory() as folder:
        settings = Path(folder) / "reglages"  # a folder of Qt settings per child below it: a first start (child_env)
        settings.mkdir()
        variants: list[tuple[str, Path | None, Path | None]] = [("nue", None, None)]
        if before is not None:
            variants.append(("avant", Path(folder) / "avant.db", before))
        variants.append(("cvdesk", Path(folder) / "cvdesk.db", after))
        for _name, copy, code in variants:
            if copy is not None:
                shutil.copyfile(db, copy)
                start_window(copy, code, settings)  # not counted: a newer schema step runs here once, the page cache fills
        runs: dict[str, list[Run]] = {name: [] for name, _db, _code in variants}
        for _ in range(repeat):
            for name, copy, code in variants:
                runs[name].append(start_window(copy, code, settings))
        imports = imports_by_group(variants, settings) if with_imports else {}
    return Startup(runs, imports)


def main() -> int:
    parser = argparse.ArgumentParser(description="Démarrage de la fenêtre sur le jeu national, contre une fenêtre nue.")
    parser.add_argument("--db", type=Path, default=ROOT / "benchmarks" / "data" / "national.db")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", type=Path, help="arbre source d'une version antérieure, mesurée en alternance")
    parser.add_argument("--after", type=Path, help="arbre source mesuré comme « cvdesk » (par défaut celui-ci), "
                                                   "par exemple un `git archive HEAD` sans le travail en cours")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"La base {args.db} n'existe pas : python benchmarks/run.py la construit.", file=sys.stderr)
        return 2
    startup = measure(args.db, args.repeat, args.before, after=args.after)
    ok = print_table(startup.figures())
    print()
    print(startup.breakdown(args.before.name if args.before else None))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
