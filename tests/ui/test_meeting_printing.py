"""The Réunions tab's printing: the meeting pack and the record of decisions open in the preview."""
from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from cvdesk.services.report_data import find_meeting
from cvdesk.store.models import db
from cvdesk.ui.report_actions import print_decisions, print_meeting_pack


def test_the_meeting_pack_opens_in_the_preview_with_all_its_pages(qtbot, demo_db) -> None:
    parent = QMainWindow()
    qtbot.addWidget(parent)
    meeting = find_meeting("12/03/2015")
    items = db.execute_sql("SELECT count(*) FROM meeting_item WHERE meeting_id = ? AND deleted = 0",
                           (meeting.id,)).fetchone()[0]
    runner = print_meeting_pack(parent, meeting.id)
    qtbot.waitUntil(lambda: runner.preview is not None, timeout=30000)
    assert runner.wait()
    assert runner.preview.windowTitle() == "Aperçu – Dossier de séance du 12/03/2015"
    # Cover, agenda, synthesis, then at least a page per item.
    qtbot.waitUntil(lambda: runner.preview.page_count() >= 3 + items)
    runner.preview.close()


def test_the_record_of_decisions_opens_in_the_preview(qtbot, demo_db) -> None:
    parent = QMainWindow()
    qtbot.addWidget(parent)
    meeting = find_meeting("16/04/2015")
    runner = print_decisions(parent, meeting.id)
    qtbot.waitUntil(lambda: runner.preview is not None, timeout=30000)
    assert runner.wait()
    assert runner.preview.windowTitle() == "Aperçu – Relevé de décisions du 16/04/2015"
    assert runner.preview.page_count() >= 1
    runner.preview.close()


def test_no_meeting_chosen_says_so_in_the_status_bar(qtbot, demo_db) -> None:
    parent = QMainWindow()
    qtbot.addWidget(parent)
    assert print_meeting_pack(parent, None) is None
    assert parent.statusBar().currentMessage() == "Choisissez d'abord une réunion enregistrée dans l'onglet Réunions."
    assert print_decisions(parent, 999) is None


def test_the_file_menu_meeting_dialog_offers_the_pack_and_the_record(qtbot, demo_db, monkeypatch) -> None:
    from PySide6.QtWidgets import QDialog

    from cvdesk.ui import report_actions

    parent = QMainWindow()
    qtbot.addWidget(parent)
    chosen = find_meeting("16/04/2015")

    def accept(dialog: QDialog) -> QDialog.DialogCode:
        dialog.meeting_box.setCurrentIndex(dialog.meeting_box.findData(chosen.id))
        dialog.document_box.setCurrentIndex(dialog.document_box.findText("Dossier de séance"))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(report_actions.MeetingDialog, "exec", accept)
    runner = report_actions.print_meeting(parent)
    qtbot.waitUntil(lambda: runner.preview is not None, timeout=30000)
    assert runner.wait()
    assert runner.preview.windowTitle() == "Aperçu – Dossier de séance du 16/04/2015"
    runner.preview.close()
