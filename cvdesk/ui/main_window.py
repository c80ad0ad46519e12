"""The main window: it composes the tabs, the menus, the toolbar and the status bar, and holds no business rule."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMenu, QMessageBox, QTabWidget, QToolBar

import cvdesk
from cvdesk.services.lists import count
from cvdesk.store.errors import StoreError
from cvdesk.store.settings import is_demo
from cvdesk.ui.actions_tab import ActionsTab
from cvdesk.ui.associations_tab import AssociationsTab
from cvdesk.ui.quartiers_tab import QuartiersTab
from cvdesk.ui.record_tab import RecordTab

DB_FILTER = "Bases cvdesk (*.db *.sqlite);;Tous les fichiers (*)"


def _menu_installers() -> list[Callable[["MainWindow"], None]]:
    """The printing, exchange and backup entries, each installed by its own module into the menus."""
    from cvdesk.ui.backups_dialog import install_backup_actions
    from cvdesk.ui.exchange_actions import install_exchange_actions
    from cvdesk.ui.report_actions import install_report_actions

    return [install_report_actions, install_exchange_actions, install_backup_actions]


def _group(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


class MainWindow(QMainWindow):
    """Quartiers, Actions and Associations tabs over one database."""

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.quartiers_tab = QuartiersTab()
        self.actions_tab = ActionsTab()
        self.associations_tab = AssociationsTab()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for tab, title in ((self.quartiers_tab, "&Quartiers"), (self.actions_tab, "&Actions"),
                           (self.associations_tab, "A&ssociations")):
            self.tabs.addTab(tab, title)
            tab.open_record.connect(self.open_record)
            tab.changed.connect(self._records_changed)
            tab.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self._stale: set[str] = set()
        self.tabs.currentChanged.connect(self._tab_shown)
        self.setCentralWidget(self.tabs)
        self.counts_label = QLabel()
        self.path_label = QLabel()
        self.statusBar().addPermanentWidget(self.counts_label)
        self.statusBar().addPermanentWidget(self.path_label)
        self._build_menus()
        for installer in _menu_installers():
            installer(self)
        self.resize(1280, 820)
        self._show_database()
        self._load_settings()
        for tab in self.all_tabs():
            tab.refresh()

    # -- composition ---------------------------------------------------------------------------------------------
    def all_tabs(self) -> list[RecordTab]:
        return [self.quartiers_tab, self.actions_tab, self.associations_tab]

    def current_tab(self) -> RecordTab:
        return self.tabs.currentWidget()

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object], shortcut: QKeySequence | str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
        def run(_checked: bool = False) -> None:  # slots return nothing: a returned bool upsets PySide's refcounts
            slot()

        action.triggered.connect(run)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&Fichier")
        self.new_db_action = self._action(self.file_menu, "&Nouvelle base…", self.new_database)
        self.open_db_action = self._action(self.file_menu, "&Ouvrir une base…", self.open_database_file,
                                           QKeySequence.StandardKey.Open)
        self.save_copy_action = self._action(self.file_menu, "&Enregistrer une copie…", self.save_copy)
        self.file_menu.addSeparator()
        self.quit_action = self._action(self.file_menu, "&Quitter", self.close, "Ctrl+Q")

        self.edit_menu = bar.addMenu("É&dition")
        self.new_action = self._action(self.edit_menu, "&Nouveau", lambda: self.current_tab().new_record(), "Ctrl+N",
                                       "Nouvel enregistrement dans l'onglet courant")
        self.save_action = self._action(self.edit_menu, "&Enregistrer", lambda: self.current_tab().save(), "Ctrl+S")
        self.revert_action = self._action(self.edit_menu, "&Annuler les modifications",
                                          lambda: self.current_tab().revert(), "Esc",
                                          "Revenir à l'enregistrement tel qu'il est enregistré")
        self.delete_action = self._action(self.edit_menu, "&Supprimer…", lambda: self.current_tab().delete_current(),
                                          QKeySequence.StandardKey.Delete)
        self.edit_menu.addSeparator()
        self.find_action = self._action(self.edit_menu, "&Rechercher", self.focus_search, "Ctrl+F",
                                        "Placer le curseur dans la recherche de la liste")

        self.view_menu = bar.addMenu("&Affichage")
        for index, (text, key) in enumerate((("&Quartiers", "Ctrl+1"), ("&Actions", "Ctrl+2"),
                                             ("A&ssociations", "Ctrl+3"))):
            self._action(self.view_menu, text, lambda i=index: self.tabs.setCurrentIndex(i), key)
        self.view_menu.addSeparator()
        self.refresh_action = self._action(self.view_menu, "A&ctualiser les listes", self.refresh_all, "F5")

        self.help_menu = bar.addMenu("Ai&de")
        self.about_action = self._action(self.help_menu, "À &propos de cvdesk…", self.show_about)

        self.toolbar = QToolBar("Barre d'outils")
        self.toolbar.setObjectName("barre_outils")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.new_action, self.save_action, self.revert_action, self.delete_action):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.find_action)
        self.toolbar.addAction(self.refresh_action)
        self.addToolBar(self.toolbar)

    # -- the database ----------------------------------------------------------------------------------------------
    def _show_database(self) -> None:
        from cvdesk.store.database import is_read_only

        title = f"{self.db_path.name} — cvdesk"
        if is_demo():
            title += " (données de démonstration)"
        if is_read_only():
            title += " (lecture seule)"
        self.setWindowTitle(title)
        self.path_label.setText(("Lecture seule : " if is_read_only() else "") + str(self.db_path))
        self.path_label.setToolTip(str(self.db_path))
        self.update_counts()

    def update_counts(self) -> None:
        quartiers, actions, associations = count("quartiers"), count("actions"), count("associations")
        self.counts_label.setText(f"{_group(quartiers)} quartiers · {_group(actions)} actions · "
                                  f"{_group(associations)} associations")

    def _records_changed(self) -> None:
        self.update_counts()
        sender = self.sender()
        for tab in self.all_tabs():
            if tab is not sender:
                self._stale.add(tab.kind)  # refreshed when shown: a save stays one write and one small query

    def _tab_shown(self, _index: int) -> None:
        tab = self.current_tab()
        if tab is not None and tab.kind in self._stale:
            self._stale.discard(tab.kind)
            tab.refresh()
            if tab.record_id is not None and not tab.is_dirty():
                tab.show_record(tab.record_id)

    def refresh_all(self) -> None:
        """Reload every pick list and every list (after an import); the forms show the saved records again."""
        self._stale.clear()
        for tab in self.all_tabs():
            tab.reload_choices()
            tab.refresh()
            if tab.record_id is not None and not tab.is_dirty():
                tab.show_record(tab.record_id)
        self.update_counts()

    def _keep_all_edits(self) -> bool:
        for tab in self.all_tabs():
            if tab.is_dirty():
                self.tabs.setCurrentWidget(tab)
                if not tab.maybe_keep_edits():
                    return False
        return True

    def switch_database(self, path: Path, create: bool) -> bool:
        """Open another database in this window; the previous one stays open when the new one is refused."""
        from cvdesk.store.database import open_database

        if not self._keep_all_edits():
            return False
        previous = self.db_path
        try:
            open_database(path, create=create)
        except StoreError as exc:
            QMessageBox.critical(self, "Ouverture impossible", str(exc))
            open_database(previous)
            return False
        self.db_path = Path(path)
        for tab in self.all_tabs():
            tab.record_id = None
            tab.new_record()
        self.refresh_all()
        self._show_database()
        self.statusBar().showMessage(f"Base ouverte : {path}", 5000)
        return True

    def new_database(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Nouvelle base", str(self.db_path.parent / "nouvelle.db"),
                                              DB_FILTER)
        if not name:
            return
        path = Path(name)
        if path.exists():
            QMessageBox.warning(self, "Nouvelle base", f"Le fichier {path} existe déjà : choisissez un autre nom, "
                                                       "ou ouvrez-le avec « Ouvrir une base ».")
            return
        self.switch_database(path, create=True)

    def open_database_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Ouvrir une base", str(self.db_path.parent), DB_FILTER)
        if name:
            self.switch_database(Path(name), create=False)

    def save_copy(self) -> None:
        from cvdesk.store.backup import backup_to

        name, _ = QFileDialog.getSaveFileName(self, "Enregistrer une copie",
                                              str(self.db_path.with_name(self.db_path.stem + "-copie.db")), DB_FILTER)
        if not name:
            return
        try:
            backup_to(self.db_path, Path(name))
        except StoreError as exc:
            QMessageBox.critical(self, "Copie impossible", str(exc))
            return
        self.statusBar().showMessage(f"Copie enregistrée : {name}", 5000)

    def show_about(self) -> None:
        demo = "<p><b>Données de démonstration.</b></p>" if is_demo() else ""
        QMessageBox.about(self, "À propos de cvdesk",
                          f"<p><b>cvdesk</b> {cvdesk.__version__}</p>"
                          "<p>Le bureau des coordinateurs du contrat de ville, hors ligne.</p>"
                          f"<p>Base : {self.db_path}</p>{demo}")

    # -- navigation ----------------------------------------------------------------------------------------------------
    def tab_for(self, kind: str) -> RecordTab:
        return {tab.kind: tab for tab in self.all_tabs()}[kind]

    def open_record(self, kind: str, record_id: int) -> None:
        """Show a record of another tab (an action from a quartier's panel, the porteur of an action)."""
        tab = self.tab_for(kind)
        if tab.record_id != record_id and not tab.maybe_keep_edits():
            return
        self.tabs.setCurrentWidget(tab)
        tab.go_to(record_id)

    def focus_search(self) -> None:
        search = self.current_tab().search
        search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        search.selectAll()

    # -- remembered between sessions -----------------------------------------------------------------------------------
    def _load_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        size = settings.value("window/size")
        if isinstance(size, QSize) and size.isValid() and not self.isMaximized():
            self.resize(size)  # restoreGeometry clamps to the screen it guesses; the size the user chose wins
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        for tab in self.all_tabs():
            tab.load_settings(settings)
        index = settings.value("window/tab", 1)
        try:
            self.tabs.setCurrentIndex(int(index))
        except (TypeError, ValueError):
            self.tabs.setCurrentIndex(1)

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/size", self.size())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/tab", self.tabs.currentIndex())
        for tab in self.all_tabs():
            tab.save_settings(settings)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._keep_all_edits():
            event.ignore()
            return
        self.save_settings()
        # Background work (the opening checks, a print) ends before the window does: a thread destroyed while it
        # runs would abort the program.
        from cvdesk.ui.operations import finish_running

        finish_running(self)
        event.accept()
