"""Child process for the start-up benchmark: show the window (or a bare one), say when it has painted its first
tab with that tab's data, and where the time went.

    python benchmarks/start_window.py --bare
    python benchmarks/start_window.py --db PATH [--code TREE]

Each step prints « marque NAME T » with T from time.perf_counter(), the system's monotonic clock on Linux, which the
parent process reads too: it subtracts the instant it started the child. The window's own timings (menus, each tab's
construction and first query, and what it builds right after its first paint) follow as « part NAME MS », once the
window has done its after-paint work (mark « signal »), then the peak RSS as « rss MB ».

Whatever the first tab is (the list of a record tab, the dashboard…), « peint » means: painted with its data. A tab
that fills its data after the window's first paint says so with a data_pending property of its class, true until it
is done: the mark then waits for it, and paints again. A tab that also fills data below the fold after the paint (the
dashboard's totals by quartier) says so with figures_pending: the mark « complet » waits for that too (information).
"""
from __future__ import annotations

import time

STARTED = time.perf_counter()  # the first instant the script itself runs: before it, the interpreter and site

import argparse  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def mark(name: str, at: float | None = None) -> None:
    print(f"marque {name} {time.perf_counter() if at is None else at:.6f}", flush=True)


def data_pending(tab: object) -> bool:
    """Whether the tab says its data is still to come. Looked up on its class first: a record tab builds its form
    for any attribute it lacks (RecordTab.__getattr__), which must not happen before the paint."""
    return hasattr(type(tab), "data_pending") and bool(getattr(tab, "data_pending"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--bare", action="store_true")
    parser.add_argument("--code", help="the source tree whose cvdesk is started (default: this one)")
    parser.add_argument("--exit-at-paint", action="store_true",
                        help="leave as soon as the list is painted (python -X importtime: only what the paint needed)")
    args = parser.parse_args()
    sys.path.insert(0, args.code or str(Path(__file__).resolve().parent.parent))
    mark("python", STARTED)
    if args.bare:
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication(sys.argv[:1])
        mark("qt")
        window = QMainWindow()
        window.resize(1200, 800)
        window.show()
    else:
        if "://" in args.db:
            from cvdesk.store import target

            # As the window command does (cli.cmd_window): a PostgreSQL base's driver loaded before PySide6.
            getattr(target, "load_driver_before_qt", lambda _db: None)(args.db)
        from PySide6.QtWidgets import QApplication

        mark("pyside")
        # The program's own start (cvdesk.ui.app.run_window) step by step, without the opening checks: they start
        # after the first paint, and would back up the dataset (a tree without show_window builds the window itself).
        from cvdesk.ui import app as start

        new = hasattr(start, "show_window")
        app = start.make_application(wheel_guard_soon=False) if new else start.make_application()
        mark("qt")
        from cvdesk.store.database import open_database
        from cvdesk.ui.main_window import MainWindow

        mark("imports")
        # A PostgreSQL base's URL stays text (Path would fold its « // »); a file is a Path, as run_window has it.
        db = args.db if "://" in args.db else Path(args.db)
        # As run_window opens it: without loading peewee and the models (a tree that always loads them has no models=).
        lazy = {"models": False} if "models" in open_database.__code__.co_varnames else {}
        open_database(db, defer_check=True, **lazy)
        mark("database")
        if new:
            window = start.show_window(db, checks=False)
        else:
            window = MainWindow(db)
            window.show()
        mark("window")
    assert isinstance(app, QApplication)
    after_paint: list[bool] = []
    if hasattr(window, "first_painted"):
        # Connected last: it runs once the window's own after-paint work (the form, the menus' entries, the counts,
        # the wheel guard) is done.
        window.first_painted.connect(lambda: (mark("signal"), after_paint.append(True)))
    # grab() paints every visible widget now, as the event loop's first turn would. Not processEvents() first: on a
    # loaded machine that turn already paints, and the grab() after it then delivers the window's posted
    # first_painted, so that the form and the rest of the after-paint work fell inside the mark on some runs only.
    window.grab()
    tab = window.tabs.currentWidget() if hasattr(window, "tabs") else None
    if data_pending(tab):
        waited = time.perf_counter()
        while data_pending(tab) and time.perf_counter() - waited < 10:
            app.processEvents()
        window.grab()  # the tab's data, painted
    mark("peint")
    # The processor time of this process until then (user + sys, every thread, the interpreter's start included):
    # less moved by the other users of a shared machine than the wall clock.
    print(f"cpu {time.process_time() * 1000:.1f}", flush=True)
    if tab is not None:
        print(f"onglet {window.tabs.tabText(window.tabs.currentIndex()).replace('&', '')}", flush=True)
    print("peint", flush=True)
    if not args.exit_at_paint and hasattr(type(tab), "figures_pending"):
        # Information, after the total: every figure of the tab there, those below the fold too (the dashboard's
        # totals by quartier, filled right after the paint), and painted.
        waited = time.perf_counter()
        while tab.figures_pending and time.perf_counter() - waited < 10:
            app.processEvents()
        window.grab()
        mark("complet")
    if args.exit_at_paint:
        sys.stdout.flush()
        os._exit(0)  # nothing after the paint: what the window loads then (menus' modules, checks) is not counted
    waited = time.perf_counter()
    while hasattr(window, "first_painted") and not after_paint and time.perf_counter() - waited < 10:
        app.processEvents()
    for name, ms in getattr(window, "startup_times", []):
        print(f"part {name}\t{ms:.3f}", flush=True)
    app.processEvents()
    print(f"rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}", flush=True)
    if not args.bare:
        # Closed as the user closes it: its background work (the dashboard's totals) ends first, and the base is
        # closed, its WAL folded in. A child killed by a thread still running left the WAL of the uncounted first
        # opening (its schema steps) to every later opening, which then read it again (about 100 ms).
        window.close()
        from cvdesk.store.database import close_database

        close_database()


if __name__ == "__main__":
    main()
