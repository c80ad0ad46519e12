"""The screens offices have: at 1366×768 every window and dialog fits with its buttons in view; at 1920×1080 the
Actions list shows its money columns without a sideways scroll.

The offscreen platform gives the session two screens (tests/ui/offscreen_screens.json). Set CVDESK_SCREENSHOTS to
a folder to keep a picture of each window checked here."""
from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path
from typing import Iterable

import pytest
from PySide6.QtCore import QDateTime, QRect, QTimer
from PySide6.QtGui import QGuiApplication, QRegion, QScreen
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWidget

from cvdesk.exchange.conflicts import ConflictView, Difference
from cvdesk.exchange.sheet_import import preview_sheet
from cvdesk.reports.quartier_sheet import build_quartier_sheet
from cvdesk.services.report_data import find_quartier
from cvdesk.store.backups import Backups
from cvdesk.ui.backups_dialog import BackupsDialog
from cvdesk.ui.exchange_dialogs import ConflictsDialog, SheetPreviewDialog, SummaryDialog
from cvdesk.ui.open_problems import held_box, refused_box
from cvdesk.ui.report_preview import PreviewDialog
from cvdesk.ui.screen_fit import fit_to_screen, fitted_size, placed_inside
from tests.ui.conftest import LAPTOP, MONITOR

MONEY = ("total_cost", "requested", "granted", "paid")


def _screen(name: str) -> QScreen:
    [screen] = [s for s in QGuiApplication.screens() if s.name() == name]
    return screen


def _look(widget: QWidget, name: str) -> None:
    folder = os.environ.get("CVDESK_SCREENSHOTS")
    if folder:
        from PySide6.QtTest import QTest

        QTest.qWait(400)  # the PDF view renders its pages in the background
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def _on_screen(window: QWidget, screen_name: str) -> list[str]:
    """What sticks out of the screen's free area: the window's frame, title bar included."""
    area, frame = _screen(screen_name).availableGeometry(), window.frameGeometry()
    return [] if area.contains(frame) else [f"{window.windowTitle()} : {frame} hors de {area}"]


def _hidden_buttons(window: QWidget, buttons: Iterable[QAbstractButton]) -> list[str]:
    """The buttons a person could not see whole: not shown, cut by a parent, or beyond the window's edges."""
    problems = []
    for button in buttons:
        place = QRect(button.mapTo(window, button.rect().topLeft()), button.size())
        if not button.isVisible():
            problems.append(f"« {button.text()} » n'est pas affiché")
        elif button.visibleRegion() != QRegion(button.rect()) or not window.rect().contains(place):
            problems.append(f"« {button.text()} » est coupé ({button.visibleRegion().boundingRect()} sur {place})")
    return problems


def _show_on(widget: QWidget, screen_name: str, qtbot) -> None:
    # Screens are looked up by name at each use: PySide may drop a QScreen wrapper kept across shown windows.
    screen = _screen(screen_name)
    widget.setScreen(screen)
    widget.move(screen.availableGeometry().topLeft())
    widget.show()
    qtbot.waitExposed(widget)


# -- the helper itself -----------------------------------------------------------------------------------------------
def test_a_wanted_size_is_cut_to_the_free_area_and_a_window_moved_back_inside() -> None:
    from PySide6.QtCore import QSize

    assert fitted_size(QSize(1280, 820), QSize(1366, 728), QSize(8, 34)) == QSize(1280, 694)
    assert fitted_size(QSize(900, 600), QSize(1920, 1040), QSize(8, 34)) == QSize(900, 600)
    assert fitted_size(QSize(900, 600), QSize(0, 0)) == QSize(1, 1)
    area = QRect(0, 0, 1366, 768)
    assert placed_inside(QRect(1000, 600, 500, 300), area) == QRect(866, 468, 500, 300)
    assert placed_inside(QRect(-50, 10, 500, 300), area) == QRect(0, 10, 500, 300)


def test_the_session_has_a_laptop_screen_and_an_office_monitor(qapp) -> None:
    sizes = {s.name(): (s.size().width(), s.size().height()) for s in QGuiApplication.screens()}
    assert sizes[LAPTOP] == (1366, 768) and sizes[MONITOR] == (1920, 1080)
    assert QWidget().screen().name() == LAPTOP  # where a new window opens


# -- the main window ----------------------------------------------------------------------------------------------
def test_at_1366x768_every_tab_fits_with_its_buttons(window, qtbot) -> None:
    laptop = LAPTOP
    assert window.screen().name() == laptop
    problems = _on_screen(window, laptop)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        tab = window.current_tab()
        qtbot.waitUntil(lambda: tab.isVisible())
        if tab.kind == "dashboard":  # nothing to edit: its figures scroll down, never sideways
            qtbot.waitUntil(lambda: tab.scroll.widget().isVisible())
            if tab.scroll.horizontalScrollBar().maximum() > 0 or tab.scroll.widget().width() > tab.scroll.viewport().width():
                problems.append("le tableau de bord défile de côté")
        else:
            problems += _hidden_buttons(window, [tab.new_button, tab.save_button, tab.revert_button,
                                                 tab.delete_button])
        row = getattr(tab, "totals_row", None)
        if row is not None and row.visibleRegion() != QRegion(row.rect()):
            problems.append("la ligne des totaux est coupée")
        _look(window, f"fenetre-1366x768-onglet-{index + 1}")
    assert problems == []
    assert window.actions_tab.totals_row is not None


def test_maximised_on_1920x1080_the_money_columns_need_no_sideways_scroll(window, qtbot) -> None:
    monitor = MONITOR
    window.showNormal()
    _show_on(window, monitor, qtbot)
    window.showMaximized()
    qtbot.waitUntil(lambda: window.isMaximized() and window.width() > 1800)
    assert window.screen().name() == monitor and _on_screen(window, monitor) == []
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    qtbot.waitUntil(lambda: tab.view.viewport().width() > 1000)
    keys = [c.key for c in tab.model.columns]
    header, viewport = tab.view.horizontalHeader(), tab.view.viewport()
    outside = [key for key in MONEY
               if not 0 <= header.sectionViewportPosition(keys.index(key))
               or header.sectionViewportPosition(keys.index(key)) + header.sectionSize(keys.index(key))
               > viewport.width()]
    assert outside == []
    assert tab.view.horizontalScrollBar().maximum() == 0
    assert _hidden_buttons(window, [tab.save_button]) == []
    _look(window, "fenetre-1920x1080-actions")


def test_at_1366x768_the_money_columns_are_a_short_scroll_away_and_readable(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    keys = [c.key for c in tab.model.columns]
    header = tab.view.horizontalHeader()
    metrics = tab.view.fontMetrics()
    widest = max(metrics.horizontalAdvance(tab.model.index(r, keys.index(k)).data() or "")
                 for r in range(tab.model.rowCount()) for k in MONEY)
    assert all(header.sectionSize(keys.index(k)) >= widest + 8 for k in MONEY)  # no amount cut to « 1 23… »


# -- the dialogs ------------------------------------------------------------------------------------------------------
def test_at_1366x768_the_preview_fits_with_its_buttons(demo_db, qtbot) -> None:
    buffer = BytesIO()
    build_quartier_sheet(find_quartier("QP059001").id, buffer)
    dialog = PreviewDialog("Fiche quartier QP059001", buffer.getvalue(), "fiche.pdf")
    qtbot.addWidget(dialog)
    _show_on(dialog, LAPTOP, qtbot)
    buttons = [dialog.zoom_out_button, dialog.zoom_in_button, dialog.fit_width_button, dialog.fit_page_button,
               dialog.print_button, dialog.save_button, dialog.close_button]
    assert _on_screen(dialog, LAPTOP) + _hidden_buttons(dialog, buttons) == []
    _look(dialog, "apercu-1366x768")


def test_a_preview_remembered_from_a_taller_screen_still_fits_the_laptop(demo_db, qtbot) -> None:
    from PySide6.QtCore import QSettings

    buffer = BytesIO()
    build_quartier_sheet(find_quartier("QP059001").id, buffer)
    tall = PreviewDialog("Fiche quartier", buffer.getvalue())
    qtbot.addWidget(tall)
    _show_on(tall, MONITOR, qtbot)
    tall.resize(900, 1040)
    tall.close()  # remembers its geometry on the 1920×1080 monitor
    assert QSettings().value("apercu/geometrie") is not None
    again = PreviewDialog("Fiche quartier", buffer.getvalue())
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    laptop = LAPTOP
    on = again.screen().name()
    assert _on_screen(again, on) == [] and _hidden_buttons(again, [again.close_button, again.print_button]) == []
    if on != laptop:  # remembered on the monitor: once moved to the laptop, it fits there too
        _show_on(again, laptop, qtbot)
        fit_to_screen(again)
        assert _on_screen(again, laptop) == []


def test_at_1366x768_the_backups_dialog_fits_with_its_buttons(demo_db, db_path: Path, qtbot) -> None:
    for reason in ("manuelle", "ouverture", "manuelle"):
        Backups(db_path).take(reason)
    dialog = BackupsDialog(db_path)
    qtbot.addWidget(dialog)
    _show_on(dialog, LAPTOP, qtbot)
    assert dialog.table.rowCount() >= 1
    assert _on_screen(dialog, LAPTOP) == []
    assert _hidden_buttons(dialog, [b for b in dialog.findChildren(QAbstractButton) if b.text()]) == []
    assert {"Fermer", "&Sauvegarder maintenant", "&Restaurer…"} <= {b.text() for b in dialog.findChildren(QAbstractButton)}
    _look(dialog, "sauvegardes-1366x768")


def _conflicts(count: int) -> list[ConflictView]:
    long_title = "Accompagnement renforcé des jeunes vers l'emploi et la formation qualifiante " * 2
    return [ConflictView(id=n, table="action", type_label="Action", label=f"2015-VM-{n:03d} {long_title}",
                         from_office="Bureau Nord de l'agglomération", local_updated_at="2015-03-01",
                         incoming_updated_at="2015-03-02",
                         differences=tuple(Difference(f, f"{long_title} ici", f"{long_title} là-bas")
                                           for f in ("title", "description", "objectives")))
            for n in range(count)]


def test_at_1366x768_the_exchange_dialogs_fit_with_their_buttons(empty_db, qtbot, tmp_path: Path) -> None:
    laptop = LAPTOP
    summary = SummaryDialog("Résumé de la fusion", [f"ligne {n} " + "x" * 200 for n in range(300)],
                            accept_text="Fusionner")
    sheet = tmp_path / "assos.csv"
    sheet.write_text("N° SIRET;Nom;Couleur\n" + "".join(f"{n};Association {n};bleu\n" for n in range(400)),
                     encoding="utf-8")
    preview = SheetPreviewDialog(preview_sheet(sheet, "associations"))
    conflicts = ConflictsDialog(_conflicts(40))
    for name, dialog in (("resume", summary), ("apercu-tableur", preview), ("conflits", conflicts)):
        qtbot.addWidget(dialog)
        _show_on(dialog, laptop, qtbot)
        assert _on_screen(dialog, laptop) == []
        assert _hidden_buttons(dialog, [b for b in dialog.findChildren(QAbstractButton) if b.text()]) == []
        _look(dialog, f"{name}-1366x768")
    # The version to keep is chosen without a sideways scroll, and both versions of a field show side by side.
    combo = conflicts.choices[0]
    assert combo.visibleRegion() == QRegion(combo.rect())
    details = conflicts.details
    assert details.horizontalScrollBar().maximum() == 0
    assert details.columnViewportPosition(2) + details.columnWidth(2) <= details.viewport().width()


def test_at_1366x768_the_opening_messages_fit_with_their_buttons(qtbot, tmp_path: Path) -> None:
    laptop = LAPTOP
    path = tmp_path / ("un dossier partagé au nom très long de la direction de la politique de la ville " * 3) / "bureau.db"
    held, other = held_box(f"La base {path} est déjà ouverte par un autre programme cvdesk (processus 4242).")
    refused, restore = refused_box(f"La base {path} est endommagée : " + "page 12 illisible ; " * 30,
                                   QDateTime.currentDateTime().toString("dd/MM/yyyy à HH:mm"))
    for name, box, button in (("base-tenue", held, other), ("base-endommagee", refused, restore)):
        qtbot.addWidget(box)
        _show_on(box, laptop, qtbot)
        assert _on_screen(box, laptop) == []
        assert _hidden_buttons(box, [button, *box.buttons()]) == []
        _look(box, f"{name}-1366x768")


def test_at_1366x768_the_unsaved_edits_question_fits_with_its_buttons(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    tab.go_to(tab.model.record_id(0))
    tab.mark_dirty()
    seen: list[list[str]] = []

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, look)
            return
        seen.append(_on_screen(box, LAPTOP) + _hidden_buttons(box, box.buttons()))
        _look(box, "question-modifications-1366x768")
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(0, look)
    assert not tab.maybe_keep_edits()
    assert seen == [[]]


@pytest.fixture(autouse=True)
def _no_pictures_left_open(qtbot):
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox):
            widget.close()


def test_a_window_size_remembered_on_the_monitor_still_fits_the_laptop(demo_db, db_path: Path, qtbot,
                                                                        monkeypatch) -> None:
    from PySide6.QtCore import QSettings, QSize

    from cvdesk.ui import main_window

    QSettings().setValue("window/size", QSize(1700, 1000))  # chosen last week on the 1920×1080 monitor
    monkeypatch.setattr(main_window, "_menu_installers", lambda: [])
    window = main_window.MainWindow(db_path)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    qtbot.waitUntil(lambda: tab.save_button.isVisible())
    assert window.screen().name() == LAPTOP
    assert _on_screen(window, LAPTOP) + _hidden_buttons(window, [tab.save_button]) == []
    for each in window.all_tabs():
        each._dirty = False


def test_at_1366x768_the_printing_choices_fit_with_their_buttons(demo_db, qtbot) -> None:
    from cvdesk.ui.report_actions import MeetingDialog, ProgrammeDialog

    for name, dialog in (("programme", ProgrammeDialog()), ("reunion", MeetingDialog())):
        qtbot.addWidget(dialog)
        _show_on(dialog, LAPTOP, qtbot)
        buttons = [b for b in dialog.findChildren(QAbstractButton) if b.text()]
        assert {"Aperçu", "&Annuler"} & {b.text() for b in buttons} and len(buttons) >= 2
        assert _on_screen(dialog, LAPTOP) + _hidden_buttons(dialog, buttons) == []
        _look(dialog, f"{name}-1366x768")
