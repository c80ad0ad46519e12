"""Speed of the Actions tab on the national dataset: first paint, a filter keystroke, a sort, saving one edit.

    python benchmarks/ui_bench.py [--db PATH] [--repeat N]    prints median, min and max of each figure
Also offers figures(db, quick, repeat) to benchmarks/run.py.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import Figure, print_table  # noqa: E402


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _measure(db: Path, repeat: int, only_save: bool = False) -> list[Figure]:
    from PySide6.QtWidgets import QApplication

    from cvdesk.store.database import close_database, open_database

    app = QApplication.instance() or QApplication(sys.argv[:1])
    first = Figure("Onglet Actions : premier affichage", "≤ 150 ms", 150)
    window = Figure("Fenêtre principale, seul l'onglet affiché construit : premier affichage (information)", "—", None)
    keystroke = Figure("Onglet Actions : une frappe dans la recherche", "≤ 50 ms", 50)
    rare = Figure("Recherche d'un mot absent (pire cas pour la liste triée)", "≤ 50 ms", 50)
    keystroke_full = Figure("Recherche : toute la liste chargée (défilement jusqu'au bout, information)", "—", None)
    filter_combo = Figure("Onglet Actions : filtre par orientation", "≤ 50 ms", 50)
    sort = Figure("Onglet Actions : un tri (coût, porteur, intitulé, accordé)", "≤ 300 ms", 300)
    save = Figure("Onglet Actions : enregistrer une modification", "≤ 20 ms", 20)
    save_painted = Figure("… jusqu'à la fenêtre repeinte (liste, ligne des totaux, formulaire, information)", "—", None)
    scroll = Figure("Défilement jusqu'à la fin (chargement de tous les ids, information)", "—", None)

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder) / "banc.db"
        shutil.copyfile(db, work)
        open_database(work, defer_check=True)
        try:
            from cvdesk.ui import main_window
            from cvdesk.ui.actions_tab import ActionsTab

            other = 0 if only_save else repeat  # --save-only: the save's figures alone
            for _ in range(other):
                start = time.perf_counter()
                tab = ActionsTab()
                tab.resize(1280, 800)
                tab.refresh()
                tab.show()
                tab.grab()
                first.samples.append(_ms(start))
                tab.close()
                tab.deleteLater()
                app.processEvents()

            # The printing, exchange and backup entries come after the first paint: this figure is the shown tab's.
            for _ in range(max(1, other // 2) if other else 0):
                start = time.perf_counter()
                win = main_window.MainWindow(work)
                win.tabs.setCurrentWidget(win.actions_tab)
                win.show()
                win.grab()
                window.samples.append(_ms(start))
                win.close()
                win.deleteLater()
                app.processEvents()

            tab = ActionsTab()
            tab.resize(1280, 800)
            tab.refresh()
            tab.show()
            tab.grab()
            viewport = tab.view.viewport()
            for _ in range(other):
                for prefix in ("s", "sa", "san", "sant", "santé", "santé z"):
                    start = time.perf_counter()
                    tab.search.setText(prefix)
                    tab.apply_search()  # the keystroke after the typing pause, without the pause itself
                    viewport.grab()
                    keystroke.samples.append(_ms(start))
                start = time.perf_counter()
                tab.search.setText("xylophone")
                tab.apply_search()
                viewport.grab()
                rare.samples.append(_ms(start))
                start = time.perf_counter()
                tab.search.setText("santé")
                tab.apply_search()
                tab.model.fetchMore()
                viewport.grab()
                keystroke_full.samples.append(_ms(start))
                tab.search.setText("")
                tab.apply_search()
                combo = tab.filter_combos["orientation"]
                for index in (2, 4, 0):
                    start = time.perf_counter()
                    combo.setCurrentIndex(index)
                    viewport.grab()
                    filter_combo.samples.append(_ms(start))

            columns = [c.key for c in tab.model.columns]
            header = tab.view.horizontalHeader()
            from PySide6.QtCore import Qt

            for _ in range(other):
                for key in ("total_cost", "porteur", "title", "granted"):
                    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                        start = time.perf_counter()
                        header.setSortIndicator(columns.index(key), order)
                        viewport.grab()
                        sort.samples.append(_ms(start))
            header.setSortIndicator(columns.index("reference"), Qt.SortOrder.AscendingOrder)

            for _ in range(other):
                start = time.perf_counter()
                tab.view.scrollToBottom()
                app.processEvents()
                tab.view.scrollToBottom()
                viewport.grab()
                scroll.samples.append(_ms(start))
                tab.refresh()

            tab.close()
            # The save in the window, as a user makes it: the window hears `changed` (its counts, the other tabs),
            # and the list, the totals row and the form repaint afterwards (the second figure).
            win = main_window.MainWindow(work)
            win.resize(1280, 800)
            win.tabs.setCurrentWidget(win.actions_tab)
            win.show()
            win.grab()
            tab = win.actions_tab
            tab.view.selectRow(3)
            app.processEvents()
            title = tab.title_edit.text()
            for n in range(repeat * 4):
                tab.title_edit.setText(f"{title} ({n})")
                app.processEvents()
                start = time.perf_counter()
                ok = tab.save()
                save.samples.append(_ms(start))
                app.processEvents()  # the repaints the save asked for (list row, totals row, form, history)
                save_painted.samples.append(_ms(start))
                assert ok, tab.error_label.text()
            win.close()
            win.deleteLater()
            app.processEvents()
        finally:
            close_database()
    if only_save:
        return [save, save_painted]
    return [first, window, keystroke, rare, keystroke_full, filter_combo, sort, save, save_painted, scroll]


def figures(db: Path, quick: bool, repeat: int) -> list[Figure]:
    """The Actions tab figures for benchmarks/run.py."""
    return _measure(db, repeat)


def main() -> int:
    parser = argparse.ArgumentParser(description="Vitesse de l'onglet Actions sur le jeu national.")
    parser.add_argument("--db", type=Path, default=Path("/tmp/n.db"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--save-only", action="store_true", help="seulement l'enregistrement (et ses repeints)")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"La base {args.db} n'existe pas : python -m cvdesk demo --scale national --db {args.db}",
              file=sys.stderr)
        return 2
    print_table(_measure(args.db, args.repeat, args.save_only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
