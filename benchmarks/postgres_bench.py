"""The national dataset on PostgreSQL beside SQLite: copy, first paint, keystroke, sort, save, export, merge.

    python benchmarks/postgres_bench.py [--db PATH] [--repeat N] [--quick]

Starts a throwaway PostgreSQL cluster of its own (tests/postgres_cluster.py, as the tests do), loads a migrated copy
of the dataset into it with `cvdesk copy` (measured), then measures each figure on both engines, the engines
alternating run by run (the machine is shared: a burst of load then falls on both). Every figure is taken in a
process of its own (the window, the Actions tab's child, each command), and given three ways: wall time, processor
time of our process, and processor time of the server (the cluster's processes, read from /proc: on PostgreSQL part
of the work moves there). Also offers figures(db, quick, repeat) and section() to benchmarks/run.py.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import Figure, dataset, migrated_copy  # noqa: E402
from benchmarks.server_clock import ServerClock  # noqa: E402

ENGINES = ("sqlite", "postgresql")
OFFICE = "Banc d'essai"
SEARCH = ("s", "sa", "san", "sant", "santé", "santé z")
SORTED = ("total_cost", "porteur", "title", "granted")
INFORMATION = ("ouverture", "requete")  # parts of the start, in the section only, without processor times
_last_section = ""


@dataclass
class Sample:
    """One measured step: wall, our processor and the server's processor, in seconds; peak memory in MB."""

    wall: float
    cpu: float
    server: float = 0.0
    rss: float = 0.0
    start: float = 0.0  # perf_counter() when the process was started, for the child's own marks


@dataclass
class Measure:
    """One figure on both engines: its samples per engine, its target and the unit it is judged in."""

    name: str
    target: str
    limit: float | None
    unit: str  # "ms" or "s"
    judged_on: str  # "wall" or "cpu" (ours + the server's)
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {engine: [] for engine in ENGINES})

    def median(self, engine: str, what: str) -> float | None:
        values = [getattr(s, what) for s in self.samples[engine]]
        return statistics.median(values) if values else None

    def judged(self, engine: str) -> float | None:
        if not self.samples[engine]:
            return None
        if self.judged_on == "wall":
            return self.median(engine, "wall")
        return statistics.median(s.cpu + s.server for s in self.samples[engine])


# --- the child that opens the Actions tab on one engine -------------------------------------------------------


def ui_child(target: str, postmaster: int | None, rounds: int) -> None:
    """In a process of its own: the Actions tab on target, a keystroke, a filter, a sort and a save, each step's
    wall, processor and server time printed as JSON lines (« étape NAME wall cpu server »)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from cvdesk.store.database import close_database, open_database

    app = QApplication.instance() or QApplication(sys.argv[:1])
    clock = ServerClock(postmaster) if postmaster else None
    open_database(target, defer_check=True)

    def step(name: str, action) -> None:
        if clock is not None:
            clock.refresh()
        server = clock.seconds() if clock else 0.0
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        server = (clock.seconds() - server) if clock else 0.0
        print(json.dumps({"step": name, "wall": wall, "cpu": cpu, "server": server}), flush=True)

    try:
        from cvdesk.ui import main_window

        # The save as the user makes it, in the window (which hears `changed`); the other steps in its Actions tab.
        win = main_window.MainWindow(target)
        win.resize(1280, 800)
        win.tabs.setCurrentWidget(win.actions_tab)
        win.show()
        win.grab()
        tab = win.actions_tab
        viewport = tab.view.viewport()
        for _ in range(rounds):
            for prefix in SEARCH:
                def keystroke(prefix: str = prefix) -> None:
                    tab.search.setText(prefix)
                    tab.apply_search()  # the keystroke after the typing pause, without the pause itself
                    viewport.grab()
                step("frappe", keystroke)
            tab.search.setText("")
            tab.apply_search()
            combo = tab.filter_combos["orientation"]
            for index in (2, 4, 0):
                def choose(index: int = index) -> None:
                    combo.setCurrentIndex(index)
                    viewport.grab()
                step("filtre", choose)
        columns = [c.key for c in tab.model.columns]
        header = tab.view.horizontalHeader()
        for _ in range(rounds):
            for key in SORTED:
                for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                    def sort(key: str = key, order: Qt.SortOrder = order) -> None:
                        header.setSortIndicator(columns.index(key), order)
                        viewport.grab()
                    step("tri", sort)
        header.setSortIndicator(columns.index("reference"), Qt.SortOrder.AscendingOrder)
        app.processEvents()
        tab.view.selectRow(3)
        app.processEvents()
        title = tab.title_edit.text()
        for n in range(rounds * 4):
            tab.title_edit.setText(f"{title} ({n} {time.time():.0f})")
            app.processEvents()

            def save() -> None:
                if not tab.save():
                    raise RuntimeError(tab.error_label.text())
            step("enregistrement", save)
            app.processEvents()  # the repaints the save asked for, outside the figure (as in ui_bench)
        win.close()
        win.deleteLater()
        app.processEvents()
    finally:
        close_database()
    import resource

    print(json.dumps({"rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
    sys.stdout.flush()
    os._exit(0)  # the window's timers and threads have nothing more to give to the figures


# --- the parent -------------------------------------------------------------------------------------------------


def _run_child(command: list[str], clock: ServerClock | None, env: dict[str, str] | None = None,
               capture: bool = False) -> tuple[Sample, str]:
    """One process run to its end: wall, its processor (user + system) and peak RSS from wait4, and the server's
    processor over the same span."""
    if clock is not None:
        clock.refresh()
    server = clock.seconds() if clock else 0.0
    with tempfile.TemporaryFile(mode="w+") as errors:
        # stderr in a file: a long progress (copy) never fills a pipe while stdout is read to its end.
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env or {**os.environ, "PYTHONPATH": str(ROOT)},
                                 stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=errors, text=True)
        output = child.stdout.read() if child.stdout is not None else ""
        # Reaped here with its own resource usage (RUSAGE_CHILDREN would sum every child so far).
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = code = os.waitstatus_to_exitcode(status)
        if child.stdout is not None:
            child.stdout.close()
        errors.seek(0)
        said = errors.read()
    time.sleep(0.2)  # the postmaster reaps the command's backend, whose processor time then shows in its cutime
    served = (clock.seconds() - server) if clock else 0.0
    if code != 0:
        raise RuntimeError(f"{' '.join(command[:4])}… a échoué ({code}) : {said.strip()[-800:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, served, usage.ru_maxrss / 1024, start), output


def _cvdesk(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "cvdesk", *arguments]


def _load() -> str:
    return "/".join(f"{value:.1f}".replace(".", ",") for value in os.getloadavg())


@dataclass
class Bench:
    """The cluster, the two bases of the same national data, and the measures as they come."""

    sqlite: Path
    cluster: object
    clock: ServerClock
    url: str
    work: Path
    measures: dict[str, Measure] = field(default_factory=dict)
    loads: list[str] = field(default_factory=list)
    copy: Sample | None = None
    started: str = ""

    def target(self, engine: str) -> str:
        return str(self.sqlite) if engine == "sqlite" else self.url

    def measure(self, key: str, name: str, target: str, limit: float | None, unit: str, judged_on: str) -> Measure:
        return self.measures.setdefault(key, Measure(name, target, limit, unit, judged_on))


def load_into_postgres(bench: Bench, database: str) -> None:
    """`cvdesk copy` of the migrated copy into an empty database of the cluster (measured once: a minute or two)."""
    url = bench.cluster.create_database(database)
    sample, output = _run_child(_cvdesk("copy", "--from", str(bench.sqlite), "--to", url), bench.clock, capture=True)
    bench.copy = sample
    bench.url = url
    print(output, file=sys.stderr)


def startup_round(bench: Bench) -> None:
    """The bare window, then the window on each engine (the first tab painted with its data), in child processes."""
    from benchmarks.startup_bench import CHILD

    bare = bench.measure("nue", "Fenêtre nue (plancher)", "référence", None, "ms", "wall")
    shown = bench.measure("demarrage", "Fenêtre affichée avec les données", "≤ 2 × fenêtre nue", None, "ms", "wall")
    rss = bench.measure("rss", "Mémoire maximale (RSS), données ouvertes", "≤ 400 MB", 400, "MB", "wall")
    settings = Path(tempfile.mkdtemp(dir=bench.work))
    env = {**os.environ, "XDG_CONFIG_HOME": str(settings)}
    bare_sample, _ = _run_child([sys.executable, str(CHILD), "--bare"], None, env, capture=True)
    for engine in ENGINES:
        folder = Path(tempfile.mkdtemp(dir=bench.work))  # every start is a first start (Qt settings)
        env = {**os.environ, "XDG_CONFIG_HOME": str(folder)}
        sample, output = _run_child([sys.executable, str(CHILD), "--db", bench.target(engine)],
                                    bench.clock if engine == "postgresql" else None, env, capture=True)
        marks = {line.split()[1]: float(line.split()[2]) for line in output.splitlines()
                 if line.startswith("marque ")}
        if "peint" not in marks:
            raise RuntimeError(f"la fenêtre ne s'est pas peinte sur {engine}")
        # The child's clock is the system's monotonic clock, which this process reads too.
        painted = marks["peint"] - sample.start
        shown.samples[engine].append(Sample(painted * 1000, sample.cpu * 1000, sample.server * 1000))
        if "database" in marks and "imports" in marks:
            opening = bench.measure("ouverture", "… dont ouverture de la base (information)", "—", None, "ms", "wall")
            opening.samples[engine].append(Sample((marks["database"] - marks["imports"]) * 1000, 0.0))
        parts = dict(line[5:].split("\t") for line in output.splitlines() if line.startswith("part "))
        query = next((float(ms) for name, ms in parts.items() if "première requête" in name), None)
        if query is not None:
            first = bench.measure("requete", "… dont première requête de l'onglet affiché (information)", "—", None,
                                  "ms", "wall")
            first.samples[engine].append(Sample(query, 0.0))
        rss.samples[engine].append(Sample(sample.rss, 0.0))
    bare.samples["sqlite"].append(Sample(bare_sample.wall * 1000, bare_sample.cpu * 1000))


def ui_round(bench: Bench, rounds: int) -> None:
    """The Actions tab's steps on each engine, each in a child of its own."""
    names = {
        "frappe": ("Onglet Actions : une frappe dans la recherche", "≤ 50 ms", 50),
        "filtre": ("Onglet Actions : filtre par orientation", "≤ 50 ms", 50),
        "tri": ("Onglet Actions : un tri (coût, porteur, intitulé, accordé)", "≤ 300 ms", 300),
        "enregistrement": ("Onglet Actions : enregistrer une modification", "≤ 20 ms", 20),
    }
    for engine in ENGINES:
        folder = Path(tempfile.mkdtemp(dir=bench.work))
        env = {**os.environ, "XDG_CONFIG_HOME": str(folder), "PYTHONPATH": str(ROOT)}
        command = [sys.executable, str(Path(__file__).resolve()), "--child-ui", bench.target(engine),
                   "--rounds", str(rounds)]
        if engine == "postgresql":
            command += ["--server-pid", str(bench.clock.postmaster)]
        _sample, output = _run_child(command, None, env, capture=True)
        for line in output.splitlines():
            if not line.startswith("{"):
                continue
            row = json.loads(line)
            if "step" in row:
                name, target, limit = names[row["step"]]
                measure = bench.measure(row["step"], name, target, limit, "ms", "wall")
                measure.samples[engine].append(Sample(row["wall"] * 1000, row["cpu"] * 1000, row["server"] * 1000))


def exchange_round(bench: Bench, package: Path, round_number: int) -> None:
    """The export command on each engine, then the merge of the national package into an empty base of each."""
    export = bench.measure("export", "Commande export (paquet)", "≤ 5 s", 5.0, "s", "cpu")
    merge = bench.measure("import", "Commande import : fusion nationale dans une base vide", "≤ 15 s", 15.0, "s",
                          "cpu")
    merge_rss = bench.measure("import_rss", "Mémoire maximale (RSS) de la fusion nationale", "≤ 400 MB", 400, "MB",
                              "wall")
    for engine in ENGINES:
        out = bench.work / f"export-{engine}.zip"
        out.unlink(missing_ok=True)
        clock = bench.clock if engine == "postgresql" else None
        sample, _ = _run_child(_cvdesk("export", "--db", bench.target(engine), "--office", OFFICE, "--out", str(out)),
                               clock)
        export.samples[engine].append(sample)
    for engine in ENGINES:
        if engine == "sqlite":
            base = bench.work / f"fusion-{round_number}.db"
            target, clock = str(base), None
        else:
            name = f"fusion{round_number}"
            target, clock = bench.cluster.create_database(name), bench.clock
        sample, _ = _run_child(_cvdesk("import", "--db", target, str(package)), clock)
        merge.samples[engine].append(sample)
        merge_rss.samples[engine].append(Sample(sample.rss, 0.0))
        if engine == "sqlite":
            for suffix in ("", "-wal", "-shm", ".verrou"):
                Path(str(base) + suffix).unlink(missing_ok=True)
        else:
            bench.cluster.drop_database(name)


def measure_all(source: Path, repeat: int) -> Bench:
    """Everything, on a migrated copy of source (never written) and a new cluster, both thrown away at the end."""
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres_cluster import PostgresCluster

    from benchmarks.startup_bench import compile_tree

    compile_tree(ROOT)  # as startup_bench: each child's start reads cvdesk's bytecode, as an installed program does

    work = Path(tempfile.mkdtemp(prefix="cvdesk-deux-moteurs-"))
    os.chmod(work, 0o755)
    cluster = PostgresCluster.start()
    try:
        clock = ServerClock.of_data_folder(cluster.folder / "data")
        bench = Bench(migrated_copy(source, work), cluster, clock, "", work)
        bench.started = time.strftime("%H h %M")
        print(f"… copie vers PostgreSQL (charge {_load()})", file=sys.stderr, flush=True)
        bench.loads.append(_load())
        load_into_postgres(bench, "national")
        package = work / "national.zip"
        _run_child(_cvdesk("export", "--db", str(bench.sqlite), "--office", OFFICE, "--out", str(package)), None)
        for n in range(repeat):
            print(f"… passe {n + 1}/{repeat} (charge {_load()})", file=sys.stderr, flush=True)
            bench.loads.append(_load())
            startup_round(bench)
            ui_round(bench, 1)
            exchange_round(bench, package, n)
        bench.loads.append(_load())
        return bench
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


# --- the figures and the section of results.md ------------------------------------------------------------------


def _cell(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if unit in ("ms", "MB") else f"{value:.2f}".replace(".", ",")


def summary_figures(bench: Bench) -> list[Figure]:
    """The PostgreSQL rows of results.md's main table, judged as SQLite's rows are (the unit says on what)."""
    found: list[Figure] = []
    bare = bench.measures["nue"].median("sqlite", "wall") if "nue" in bench.measures else None
    for key, measure in bench.measures.items():
        if key == "nue" or key in INFORMATION:
            continue
        samples = bench.measures[key].samples["postgresql"]
        if not samples:
            continue
        limit = 2 * bare if key == "demarrage" and bare else measure.limit
        if measure.judged_on == "wall":
            values = [s.wall for s in samples]
            name = f"PostgreSQL : {measure.name}"
        else:
            values = [s.cpu + s.server for s in samples]
            name = f"PostgreSQL : {measure.name} (processeur : cvdesk + serveur)"
        found.append(Figure(name, measure.target, limit, measure.unit, values))
    if bench.copy is not None:
        found.append(Figure("PostgreSQL : chargement du jeu national par `cvdesk copy` (mur)", "—", None, "s",
                            [bench.copy.wall]))
    return found


def render_section(bench: Bench, repeat: int) -> str:
    """« Deux moteurs : SQLite et PostgreSQL »: every figure side by side, wall and processor of both sides."""
    bare = bench.measures["nue"].median("sqlite", "wall") if "nue" in bench.measures else None
    lines = [
        "## Deux moteurs : SQLite et PostgreSQL",
        "",
        f"Mesuré par `benchmarks/postgres_bench.py` (aussi lancé par `make bench`) le {time.strftime('%d/%m/%Y')} "
        f"à partir de {bench.started}, {repeat} passes, les deux moteurs en alternance passe par passe, chaque "
        "mesure dans un processus à elle (la fenêtre, l'onglet Actions, chaque commande). Charge de la machine "
        f"(1/5/15 min) au début de chaque passe : {' ; '.join(bench.loads)} (2 cœurs partagés). PostgreSQL 15 : "
        "grappe jetable lancée par le banc lui-même (`tests/postgres_cluster.py` : socket Unix, fsync=off, "
        "shared_buffers=32MB), même machine, donc ses processus prennent sur les mêmes 2 cœurs. Processeur "
        "« serveur » : temps utilisateur + système de tous les processus de la grappe (postmaster, ses connexions, "
        "autovacuum…) lu dans /proc avant et après chaque étape, au centième de seconde près (le pas du noyau) : "
        "pour les étapes de quelques ms, seule la médiane sur de nombreux échantillons a un sens ; « cvdesk » : "
        "celui de notre processus (pour le démarrage : tout le processus, jusqu'à sa sortie). Médianes.",
        "",
    ]
    if bench.copy is not None:
        copy = bench.copy
        lines += [f"Chargement du jeu national par `cvdesk copy --from national.db --to postgresql://…` (une fois) : "
                  f"{_cell(copy.wall, 's')} s de mur, {_cell(copy.cpu, 's')} s de processeur pour cvdesk, "
                  f"{_cell(copy.server, 's')} s pour le serveur, {copy.rss:.0f} MB de mémoire maximale.", ""]
    lines += [
        "| Mesure | Cible | SQLite : mur | SQLite : processeur | PostgreSQL : mur | PostgreSQL : processeur cvdesk "
        "| PostgreSQL : processeur serveur | Verdict SQLite | Verdict PostgreSQL |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, measure in bench.measures.items():
        unit = measure.unit
        limit = 2 * bare if key == "demarrage" and bare else measure.limit

        def verdict(engine: str) -> str:
            value = measure.judged(engine)
            if value is None or limit is None:
                return "—"
            basis = "mur" if measure.judged_on == "wall" else "processeur"
            return f"{'atteint' if value <= limit else '**manqué**'} ({basis} : {_cell(value, unit)} {unit})"

        cpu_known = unit != "MB" and key not in INFORMATION
        lines.append(" | ".join([
            f"| {measure.name}", measure.target if key != "demarrage" else f"≤ 2 × fenêtre nue ({_cell(limit, 'ms')})",
            _cell(measure.median("sqlite", "wall"), unit),
            _cell(measure.median("sqlite", "cpu"), unit) if cpu_known else "—",
            _cell(measure.median("postgresql", "wall"), unit),
            _cell(measure.median("postgresql", "cpu"), unit) if cpu_known else "—",
            _cell(measure.median("postgresql", "server"), unit) if cpu_known else "—",
            verdict("sqlite"), verdict("postgresql")]) + " |")
    lines.append("")
    return "\n".join(lines)


def figures(db: Path, quick: bool, repeat: int) -> list[Figure]:
    """The PostgreSQL rows for benchmarks/run.py; section() then gives the side-by-side section."""
    global _last_section
    repeat = max(1, min(repeat, 3))
    bench = measure_all(db, repeat)
    _last_section = render_section(bench, repeat)
    return summary_figures(bench)


def section() -> str:
    """The « Deux moteurs » section of the last figures() call (empty before)."""
    return _last_section


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="the national dataset (built under benchmarks/data when absent)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="the 10,000-action dataset instead")
    parser.add_argument("--child-ui", metavar="BASE", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_ui:
        ui_child(args.child_ui, args.server_pid, args.rounds)
        return 0
    source = args.db or dataset(args.quick)
    bench = measure_all(source, args.repeat)
    print(render_section(bench, args.repeat))
    for figure in summary_figures(bench):
        print(figure.row())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
