"""Qt's own texts speak French, and the Historique panel shows statuses and dates as the rest of the window."""
from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QLineEdit, QMessageBox

from cvdesk.ui.app import make_application


def _qt_french(context: str, text: str) -> str:
    """Qt's own French for text, read from the shipped qtbase_fr.qm (not from the program under test)."""
    translator = QTranslator()
    assert translator.load(QLocale(QLocale.Language.French), "qtbase", "_",
                           QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    return translator.translate(context, text)


def test_standard_buttons_of_a_question_are_french(qtbot) -> None:
    make_application()
    box = QMessageBox()
    qtbot.addWidget(box)
    box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                           | QMessageBox.StandardButton.Cancel)
    shown = {box.button(b).text() for b in (QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Discard,
                                             QMessageBox.StandardButton.Cancel)}
    assert shown == {"Enregistrer", _qt_french("QPlatformTheme", "Discard"), "Annuler"}
    assert not shown & {"Save", "Discard", "Cancel"}
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    labels = [box.button(b).text().replace("&", "") for b in (QMessageBox.StandardButton.Yes,
                                                              QMessageBox.StandardButton.No)]
    assert labels == ["Oui", "Non"]


def test_a_text_fields_context_menu_has_no_english_entry(qtbot) -> None:
    make_application()
    field = QLineEdit("Centre social")
    qtbot.addWidget(field)
    menu = field.createStandardContextMenu()
    texts = [a.text().split("\t")[0].replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert "Tout sélectionner" in texts and "Coller" in texts
    english = {"Undo", "Redo", "Cut", "Copy", "Paste", "Delete", "Select All"}
    assert not english & set(texts)


def test_history_shows_a_status_by_its_label_and_dates_as_dd_mm_yyyy(qtbot, demo_db, db_path) -> None:
    from cvdesk.services.actions import save_action
    from cvdesk.store.models import Action
    from cvdesk.ui.history_panel import HistoryPanel

    action = Action.select().where(Action.status == "brouillon").first()
    saved = save_action({"status": "deposee", "start_date": date(2016, 3, 1), "end_date": date(2016, 12, 31)},
                        action.id)
    assert saved.ok, saved.errors
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    panel.show_record(Action, action.uuid)
    newest = panel.rows()[0]
    # The label the status list shows, read from the domain table by hand: « Déposée ».
    assert "Statut : « " in newest[4] and "→ « Déposée »" in newest[4]
    assert "« Brouillon » → « Déposée »" in newest[4] and "deposee" not in newest[4]
    assert "Début : " in newest[4] and "→ « 01/03/2016 »" in newest[4]
    assert "2016-03-01" not in newest[4]
    # The moment column: the History row's UTC time, in local time, as dd/mm/yyyy hh:mm.
    conn = sqlite3.connect(db_path)
    stored = conn.execute("SELECT created_at FROM history WHERE record_uuid = ? ORDER BY id DESC LIMIT 1",
                          (action.uuid,)).fetchone()[0]
    conn.close()
    local = datetime.fromisoformat(stored[:19]).replace(tzinfo=timezone.utc).astimezone()
    assert newest[0] == f"{local.day:02d}/{local.month:02d}/{local.year} {local.hour:02d}:{local.minute:02d}"
