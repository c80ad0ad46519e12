"""The window opens on a database, shows the three tabs a coordinator works in, and closes it cleanly."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from cvdesk.store.database import opened_database, previous_exit_was_unclean
from cvdesk.store.lock import lock_path
from cvdesk.ui.app import fill_if_new, run_window
from cvdesk.ui.main_window import MainWindow


def test_first_run_on_the_default_database_fills_the_demo(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "defaut.db"
    with opened_database(path, defer_check=True):
        fill_if_new(is_new=True, demo_if_new=True)
        window = MainWindow(path)
        qtbot.addWidget(window)
        window.show()
        tabs = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
        assert tabs[:4] == ["Tableau de bord", "Quartiers", "Actions", "Associations"]
        assert "démonstration" in window.windowTitle()
        window.close()


def test_closing_the_window_marks_a_clean_exit_so_the_next_opening_is_quick(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    seen: list[str] = []

    def close_when_checked() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        checks = getattr(windows[0], "opening_checks", None) if windows else None
        if checks is None or not checks.isFinished():
            QTimer.singleShot(20, close_when_checked)
            return
        seen.append(windows[0].windowTitle())
        windows[0].close()

    QTimer.singleShot(0, close_when_checked)
    assert run_window(path, demo_if_new=True) == 0
    assert seen and "démonstration" in seen[0]
    # The lock file is emptied on a clean exit: no PID left behind.
    assert lock_path(path).read_bytes() == b""
    with opened_database(path):
        assert not previous_exit_was_unclean()


def _shown_list_rows(tab) -> int:
    tab.model.ensure_complete()
    return tab.model.rowCount()


def test_the_window_opens_with_only_the_shown_tab_built_and_ctrl_1_ctrl_3_bring_the_others(window, qtbot,
                                                                                           db_path: Path) -> None:
    from cvdesk.ui.dashboard_tab import DashboardTab
    from cvdesk.ui.record_tab import RecordTab

    # The window opens on the dashboard; the other tabs are titled but hold nothing yet.
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert titles[:5] == ["Tableau de bord", "Quartiers", "Actions", "Associations", "Contrat"]
    assert window.tabs.currentIndex() == 0 and isinstance(window.tabs.widget(0), DashboardTab)
    built = [i for i in range(1, 4) if isinstance(window.tabs.widget(i), RecordTab)]
    assert built == []
    assert [tab.kind for tab in window.built_tabs()] == ["dashboard"]
    conn = sqlite3.connect(db_path)
    quartiers, associations = (conn.execute(f'SELECT count(*) FROM "{table}" WHERE deleted = 0').fetchone()[0]
                               for table in ("quartier", "association"))
    conn.close()
    assert quartiers > 0 and associations > 0

    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    shown = window.tabs.currentWidget()
    assert isinstance(shown, RecordTab) and shown.kind == "quartier"
    assert shown.isVisible() and _shown_list_rows(shown) == quartiers

    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    shown = window.tabs.currentWidget()
    assert isinstance(shown, RecordTab) and shown.kind == "association"
    assert shown.isVisible() and _shown_list_rows(shown) == associations
    assert window.tabs.tabText(3).replace("&", "") == "Associations"
    assert [tab.kind for tab in window.built_tabs()] == ["dashboard", "quartier", "association"]


def test_alt_q_and_alt_s_open_tabs_never_shown(window, qtbot) -> None:
    from cvdesk.ui.record_tab import RecordTab

    qtbot.keyClick(window.tabs.tabBar(), Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == 3
    assert isinstance(window.tabs.currentWidget(), RecordTab) and window.current_tab().kind == "association"
    qtbot.keyClick(window.tabs.tabBar(), Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == 1 and window.current_tab().kind == "quartier"
    qtbot.keyClick(window.tabs.tabBar(), Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == 0 and window.current_tab().kind == "dashboard"


def test_a_save_in_one_tab_is_seen_by_a_tab_built_afterwards(window) -> None:
    """A tab built later reads the base as it is then: the Quartiers panel shows an action renamed before."""
    conn = sqlite3.connect(window.db_path)
    action_id, quartier_id = conn.execute(
        "SELECT action_id, quartier_id FROM action_quartier WHERE deleted = 0 ORDER BY action_id LIMIT 1").fetchone()
    conn.close()
    actions = window.actions_tab
    actions.go_to(action_id)
    title = actions.title_edit.text() + " (renommée)"
    actions.title_edit.setText(title)
    assert actions.save()
    assert [tab.kind for tab in window.built_tabs()] == ["dashboard", "action"]
    quartiers = window.quartiers_tab  # built now, after the save
    quartiers.go_to(quartier_id)
    table = quartiers.actions_panel.table
    titles = [table.item(row, 1).text() for row in range(table.rowCount())]
    assert title in titles


def test_the_menus_counts_wheel_guard_and_opening_checks_come_after_the_first_paint(qtbot, demo_db, db_path: Path) -> None:
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

    from cvdesk.ui.app import show_window

    conn = sqlite3.connect(db_path)
    actions = conn.execute('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0]
    conn.close()
    window = show_window(db_path)
    qtbot.addWidget(window)
    # Nothing runs before the window has shown its list: no checks, no printing entries, no counts yet.
    assert getattr(window, "opening_checks", None) is None
    assert not hasattr(window, "print_sheet_action") and window.counts_label.text() == ""
    with qtbot.waitSignal(window.first_painted, timeout=5000):
        pass
    qtbot.waitUntil(lambda: getattr(window, "opening_checks", None) is not None, timeout=1000)
    entries = [action.text() for action in window.file_menu.actions()]
    assert {"&Imprimer la fiche…", "&Sauvegardes…", "E&xporter pour le siège…"} <= set(entries)
    assert entries[-1] == "&Quitter"
    assert window.print_sheet_action.shortcut().toString() == "Ctrl+P"
    assert f"{actions} actions" in window.counts_label.text()
    # By then no list, number or date of the window turns under the wheel.
    guarded = [w for w in window.findChildren(QWidget) if isinstance(w, (QComboBox, QAbstractSpinBox))]
    assert guarded and all(w.focusPolicy() == Qt.FocusPolicy.StrongFocus for w in guarded)
    qtbot.waitUntil(window.opening_checks.isFinished, timeout=30_000)
    window.close()


def test_the_first_run_size_fits_a_1366_by_768_screen(window) -> None:
    """The first run opens at 1280 wide on the laptop (1366×768) and no taller than its free area, frame included."""
    area = window.screen().availableGeometry()
    assert (area.width(), area.height()) == (1366, 768)
    assert window.width() == 1280
    assert window.frameGeometry().height() <= 768 and window.height() < 820


LIGHT_START = """
import sys
import cvdesk.ui.main_window
heavy = sorted(name for name in ("stdnum", "reportlab", "openpyxl", "cvdesk.ui.quartiers_tab",
                                 "cvdesk.ui.associations_tab", "cvdesk.ui.opening_checks", "cvdesk.services.demo")
               if name in sys.modules)
print(",".join(heavy))
"""


def test_opening_the_window_module_imports_no_identifier_pdf_or_spreadsheet_library() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", LIGHT_START], capture_output=True, text=True, env=env, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def _inputs_named(widget: QWidget, name: str) -> list[QWidget]:
    return [w for w in widget.findChildren(QWidget) if w.accessibleName() == name]


def test_the_list_is_painted_first_and_the_action_form_comes_right_after(qtbot, demo_db, db_path: Path) -> None:

    # The window opens on the dashboard; a tab shown before the first paint (here Actions) comes up list first.
    window = MainWindow(db_path)
    window.tabs.setCurrentIndex(2)
    window.show()
    qtbot.addWidget(window)
    tab = window.tabs.currentWidget()
    # Shown, not yet painted: the list and its filters are there, the form and its buttons not yet.
    assert tab.kind == "action" and tab.view.model() is tab.model
    assert _inputs_named(tab, "Liste des actions") and _inputs_named(tab, "Filtrer par statut")
    assert not _inputs_named(tab, "Référence de l'action") and not _inputs_named(tab, "Enregistrer")
    with qtbot.waitSignal(window.first_painted, timeout=5000):
        pass
    # Right after the first paint the form is whole and on screen, as it always was.
    [reference] = _inputs_named(tab, "Référence de l'action")
    assert reference.isVisible() and _inputs_named(tab, "Porteur de l'action")[0].isVisible()
    assert tab.heading.text() == "Nouvelle action" and tab.save_button.isVisible()
    assert not tab.delete_button.isEnabled()  # no record shown yet
    window.close()


def test_ctrl_n_before_the_first_paint_gets_the_whole_form_once(qtbot, demo_db, db_path: Path) -> None:
    from PySide6.QtWidgets import QScrollArea


    year = date.today().year
    # The window opens on the dashboard; a tab shown before the first paint (here Actions) comes up list first.
    window = MainWindow(db_path)
    window.tabs.setCurrentIndex(2)
    window.show()
    qtbot.addWidget(window)
    tab = window.tabs.currentWidget()
    assert not _inputs_named(tab, "Référence de l'action")
    window.new_action.trigger()  # Ctrl+N
    assert tab.reference_edit.text().startswith(f"{year}-")
    assert tab.heading.text() == "Nouvelle action"
    with qtbot.waitSignal(window.first_painted, timeout=5000):
        pass
    # The paint's own turn found the form built: it is not built a second time.
    assert len(tab.findChildren(QScrollArea)) == 1 and len(_inputs_named(tab, "Référence de l'action")) == 1
    window.close()


def test_tab_out_of_the_list_reaches_a_form_not_built_yet(qtbot, demo_db) -> None:
    from cvdesk.ui.actions_tab import ActionsTab

    tab = ActionsTab(form_later=True)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    tab.activateWindow()
    tab.view.setFocus()
    assert not _inputs_named(tab, "Référence de l'action")
    qtbot.keyClick(tab.view, Qt.Key.Key_Tab)
    [reference] = _inputs_named(tab, "Référence de l'action")
    qtbot.waitUntil(reference.hasFocus, timeout=2000)


def test_a_form_method_called_before_the_form_is_built_builds_it_first(qtbot, demo_db, db_path: Path) -> None:
    from cvdesk.ui.quartiers_tab import QuartiersTab

    conn = sqlite3.connect(db_path)
    quartier_id, code = conn.execute(
        "SELECT id, code FROM quartier WHERE deleted = 0 ORDER BY code LIMIT 1").fetchone()
    conn.close()
    tab = QuartiersTab(form_later=True)
    qtbot.addWidget(tab)
    tab.go_to(quartier_id)
    assert tab.code_edit.text() == code and tab.record_id == quartier_id
    assert not tab.is_dirty() and tab.delete_button.isEnabled()
