"""The main window: it composes the tabs, the menus, the toolbar and the status bar, and holds no business rule."""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QSettings, QSize, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QTabWidget, QToolBar, QWidget

import cvdesk
from cvdesk.domain.numbers import grouped
from cvdesk.services.lists import count
from cvdesk.store.errors import StoreError
from cvdesk.store.settings import is_demo
from cvdesk.store.target import DatabaseUrl, as_target
from cvdesk.ui.qt_numbers import TOOL_BUTTON_TEXT_ONLY
from cvdesk.ui.screen_fit import fit_to_screen
from cvdesk.ui import server_trouble

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QPaintEvent

    from cvdesk.ui.actions_tab import ActionsTab
    from cvdesk.ui.associations_tab import AssociationsTab
    from cvdesk.ui.quartiers_tab import QuartiersTab
    from cvdesk.ui.record_tab import RecordTab

DB_FILTER = "Bases cvdesk (*.db *.sqlite);;Tous les fichiers (*)"
# The tabs in their order, with their titles (the & gives Alt+T, Alt+Q, Alt+A, Alt+S, Alt+C, Alt+U) and their names in
# the timings. The dashboard comes first: it is what the window opens on.
TABS = (("dashboard", "&Tableau de bord", "Tableau de bord"),
        ("quartier", "&Quartiers", "Quartiers"), ("action", "&Actions", "Actions"),
        ("association", "A&ssociations", "Associations"), ("contract", "&Contrat", "Contrat"),
        ("meeting", "Ré&unions", "Réunions"))
FIRST_RUN_SIZE = QSize(1280, 820)  # cut down to the screen's free area: a 1366×768 laptop is only 768 high


def _menu_installers() -> list[Callable[["MainWindow"], None]]:
    """The printing, exchange and backup entries, each installed by its own module into the menus."""
    from cvdesk.ui.backups_dialog import install_backup_actions
    from cvdesk.ui.exchange_actions import install_exchange_actions
    from cvdesk.ui.report_actions import install_report_actions

    return [install_report_actions, install_exchange_actions, install_backup_actions]


def _tab_class(kind: str) -> type[RecordTab]:
    """A tab's class, imported when the tab is first built: the hidden tabs cost nothing at start-up."""
    if kind == "dashboard":
        from cvdesk.ui.dashboard_tab import DashboardTab

        return DashboardTab  # type: ignore[return-value]  (answers the window as a RecordTab does)
    if kind == "quartier":
        from cvdesk.ui.quartiers_tab import QuartiersTab

        return QuartiersTab
    if kind == "action":
        from cvdesk.ui.actions_tab import ActionsTab

        return ActionsTab
    if kind == "association":
        from cvdesk.ui.associations_tab import AssociationsTab

        return AssociationsTab
    if kind == "contract":
        from cvdesk.ui.contract_tab import ContractTab

        return ContractTab  # type: ignore[return-value]  (answers the window as a RecordTab does)
    if kind == "meeting":
        from cvdesk.ui.meetings_tab import MeetingsTab

        return MeetingsTab
    raise KeyError(kind)


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000

LAST_DATABASE_KEY = "database/last"


def remember_database(path: Path) -> None:
    """The base this window shows, so that the next start without --db opens it again (a base kept elsewhere
    than the default folder is not asked for anew). A server base is no file: the last file stays remembered (the
    server's address is offered again by Fichier > « Ouvrir une base PostgreSQL… »)."""
    if isinstance(path, DatabaseUrl):
        return
    QSettings().setValue(LAST_DATABASE_KEY, str(Path(path).resolve()))


def forget_database(path: Path) -> None:
    """The base is no more (removed by the first start): the next start does not look for it."""
    settings = QSettings()
    if settings.value(LAST_DATABASE_KEY) == str(Path(path).resolve()):
        settings.remove(LAST_DATABASE_KEY)


def remembered_database() -> Path | None:
    """The base the window showed last, when it still exists."""
    value = QSettings().value(LAST_DATABASE_KEY)
    if not isinstance(value, str) or not value:
        return None
    path = Path(value)
    return path if path.is_file() else None


class MainWindow(QMainWindow):
    """Quartiers, Actions and Associations tabs over one database."""

    first_painted = Signal()  # once, after the window's first paint: the opening checks wait for it

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = as_target(db_path)  # a PostgreSQL base's URL is no Path (cvdesk.store.target)
        server_trouble.install(self)  # a server lost or busy under a click: a French sentence, not a traceback
        # Where the construction's milliseconds went (benchmarks/start_window.py prints them).
        self.startup_times: list[tuple[str, float]] = []
        self._painted = False
        self._built: dict[str, RecordTab] = {}
        self._stale: set[str] = set()
        self._stale_choices: set[str] = set()  # tabs whose pick lists may lack a record saved in another tab
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # Every tab has its title (and its Alt shortcut) from the start, but only the shown one is built: the others
        # hold an empty page until they are first shown or asked for (tab_for, the *_tab properties).
        for _kind, title, _name in TABS:
            self.tabs.addTab(QWidget(), title)
        self.tabs.currentChanged.connect(self._tab_shown)
        self.setCentralWidget(self.tabs)
        self.counts_label = QLabel()
        self.path_label = QLabel()
        self.statusBar().addPermanentWidget(self.counts_label)
        self.statusBar().addPermanentWidget(self.path_label)
        start = time.perf_counter()
        self._build_menus()
        self.startup_times.append(("menus et barre d'outils", _ms(start)))
        # The shown tab's form comes right after the first paint (the list first), before anything else waiting
        # for it; then the printing, exchange and backup entries, and the status bar's counts (three COUNTs over
        # the base): their modules and queries are not on the way to the list.
        self.first_painted.connect(self._complete_forms)
        self._menus_completed = False
        self.first_painted.connect(self.complete_menus)
        self.file_menu.aboutToShow.connect(self.complete_menus)  # a window never painted (minimised) gets them too
        self.first_painted.connect(self.update_counts)
        # Written after the paint: saving Qt's settings file takes 15 to 30 ms (a whole file written and synced).
        self.first_painted.connect(self._remember_database)
        self.change_watch = None  # others' changes to a shared base, looked for from the first paint on
        self.first_painted.connect(self._watch_changes)
        fit_to_screen(self, FIRST_RUN_SIZE)
        start = time.perf_counter()
        self._show_database(counts=False, remember=False)
        self.startup_times.append(("titre de la fenêtre", _ms(start)))
        self._load_settings()
        self.tab_for(TABS[self.tabs.currentIndex()][0])  # the shown tab, when the settings left the index as it was

    # -- composition ---------------------------------------------------------------------------------------------
    @property
    def quartiers_tab(self) -> QuartiersTab:
        return self.tab_for("quartier")  # type: ignore[return-value]

    @property
    def actions_tab(self) -> ActionsTab:
        return self.tab_for("action")  # type: ignore[return-value]

    @property
    def associations_tab(self) -> AssociationsTab:
        return self.tab_for("association")  # type: ignore[return-value]

    def all_tabs(self) -> list[RecordTab]:
        """Every tab, the ones never shown built now (for whoever needs all three)."""
        return [self.tab_for(kind) for kind, _title, _name in TABS]

    def built_tabs(self) -> list[RecordTab]:
        """The tabs built so far: the others have no edits, no settings and no list to refresh yet."""
        return [self._built[kind] for kind, _title, _name in TABS if kind in self._built]

    def current_tab(self) -> RecordTab:
        return self.tabs.currentWidget()

    def tab_for(self, kind: str) -> RecordTab:
        tab = self._built.get(kind)
        return tab if tab is not None else self._build_tab(kind)

    def _build_tab(self, kind: str) -> RecordTab:
        """Build a tab in place of its empty page: its form, its settings and its list as they are now."""
        index = {k: i for i, (k, _title, _name) in enumerate(TABS)}[kind]  # KeyError for an unknown kind
        _kind, title, name = TABS[index]
        start = time.perf_counter()
        tab_class = _tab_class(kind)
        self.startup_times.append((f"onglet {name} : import de ses modules", _ms(start)))
        start = time.perf_counter()
        tab = tab_class(form_later=not self._painted)  # before the first paint: the list alone, the form after it
        self.startup_times.append((f"onglet {name} : construction des widgets et listes de choix", _ms(start)))
        tab.open_record.connect(self.open_record)
        tab.changed.connect(self._records_changed)
        tab.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        # The dashboard's figures open the Actions tab. Asked of the class: a tab's __getattr__ would build its form.
        if hasattr(type(tab), "open_selection"):
            tab.open_selection.connect(self.show_selection)
        tab.load_settings(QSettings())
        current = self.tabs.currentIndex()
        # Swapping the page is no change of tab for the window: the signal would build or refresh a second time.
        blocked = self.tabs.blockSignals(True)
        try:
            placeholder = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, tab, title)
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(blocked)
        placeholder.deleteLater()
        self._built[kind] = tab
        self._stale.discard(kind)
        start = time.perf_counter()
        tab.refresh()
        self.startup_times.append((f"onglet {name} : première requête de la liste", _ms(start)))
        return tab

    def _complete_forms(self) -> None:
        """Build the forms of the tabs built before the first paint (one, unless the settings asked for another).
        A tab holding other tabs (Contrat) says so through the same two names, or has nothing to build later."""
        for tab in self.built_tabs():
            ensure_form = getattr(tab, "ensure_form", None)
            if ensure_form is None:
                continue
            start = time.perf_counter()
            pending = bool(getattr(tab, "form_pending", False))
            ensure_form()
            if pending:
                name = next(n for k, _t, n in TABS if k == tab.kind)
                self.startup_times.append((f"après la peinture : formulaire de l'onglet {name}", _ms(start)))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # After this paint pass (the list included) is on screen; the window as context: no emit once it is gone.
            QTimer.singleShot(0, self, self.first_painted.emit)

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object], shortcut: QKeySequence | str | None = None,
                tip: str = "") -> QAction:
        action = QAction(self)  # (text, self) made PySide weigh QAction(QIcon, …) and build QIcon's 151 theme icons
        action.setText(text)
        if shortcut is not None:
            # As a list: setShortcut() weighs overloads that make PySide build the Qt namespace (cvdesk.ui.qt_numbers).
            action.setShortcuts([QKeySequence(shortcut)])
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
        self.open_server_action = self._action(self.file_menu, "Ouvrir une base &PostgreSQL…",
                                               self.open_server_database)
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

        self.view_menu = bar.addMenu("Affic&hage")
        positions = {kind: index for index, (kind, _title, _name) in enumerate(TABS)}
        for kind, text, key in (("dashboard", "&Tableau de bord", "Ctrl+0"), ("quartier", "&Quartiers", "Ctrl+1"),
                                ("action", "&Actions", "Ctrl+2"), ("association", "A&ssociations", "Ctrl+3"),
                                ("contract", "&Contrat", "Ctrl+4"), ("meeting", "Ré&unions", "Ctrl+5")):
            self._action(self.view_menu, text, lambda i=positions[kind]: self.tabs.setCurrentIndex(i), key)
        self.view_menu.addSeparator()
        self.refresh_action = self._action(self.view_menu, "A&ctualiser les listes", self.refresh_all, "F5")

        self.help_menu = bar.addMenu("A&ide")
        self.about_action = self._action(self.help_menu, "À &propos de cvdesk…", self.show_about)

        self.toolbar = QToolBar("Barre d'outils")
        self.toolbar.setObjectName("barre_outils")
        self.toolbar.setProperty("toolButtonStyle", TOOL_BUTTON_TEXT_ONLY)  # by its number: see qt_numbers
        for action in (self.new_action, self.save_action, self.revert_action, self.delete_action):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.find_action)
        self.toolbar.addAction(self.refresh_action)
        self.addToolBar(self.toolbar)

    # -- the database ----------------------------------------------------------------------------------------------
    def complete_menus(self) -> None:
        """Install the printing, exchange and backup entries (once): after the first paint, or when Fichier opens."""
        if self._menus_completed:
            return
        self._menus_completed = True
        for installer in _menu_installers():
            installer(self)

    def _remember_database(self) -> None:
        remember_database(self.db_path)

    def _show_database(self, counts: bool = True, remember: bool = True) -> None:
        from cvdesk.store.database import is_read_only

        if remember:
            remember_database(self.db_path)

        title = f"{self.db_path.name} — cvdesk"
        if is_demo():
            title += " (données de démonstration)"
        if is_read_only():
            title += " (lecture seule)"
        self.setWindowTitle(title)
        self.path_label.setText(("Lecture seule : " if is_read_only() else "") + str(self.db_path))
        self.path_label.setToolTip(str(self.db_path))
        if counts:
            self.update_counts()

    def update_counts(self) -> None:
        quartiers, actions, associations = count("quartiers"), count("actions"), count("associations")
        self.counts_label.setText(f"{grouped(quartiers)} quartiers · {grouped(actions)} actions · "
                                  f"{grouped(associations)} associations")

    def _watch_changes(self) -> None:
        from cvdesk.ui.refresh import ChangeWatch

        if self.change_watch is None:
            self.change_watch = ChangeWatch(self)
            self.change_watch.others_changed.connect(self.refresh_after_others)

    def refresh_after_others(self) -> None:
        """Someone else changed the base: the shown tab's list and record now (its selection and unsaved edits
        kept), the other tabs' lists and pick lists when they are next shown, the counts."""
        from cvdesk.ui.refresh import refresh_tab

        current = self.current_tab()
        for tab in self.built_tabs():
            self._stale_choices.add(tab.kind)
            if tab is not current:
                self._stale.add(tab.kind)
        refresh_tab(current)
        self.update_counts()

    def _records_changed(self) -> None:
        if self.change_watch is not None:
            self.change_watch.catch_up()  # the window's own save: its lists are refreshed below
        sender = self.sender()
        if getattr(sender, "counts_changed", True):  # not after a modification: 9 ms of counting on 100,000 actions
            self.update_counts()
        if getattr(sender, "kind", "") == "contract":
            for tab in self.built_tabs():  # a new funder, orientation or commune: offered at once in the forms
                if tab is not sender:
                    tab.reload_choices()
        for tab in self.built_tabs():
            if tab is not sender:
                self._stale.add(tab.kind)  # refreshed when shown: a save stays one write and one small query
                if getattr(sender, "kind", "") not in ("action", "contract"):  # the contract's: reloaded above
                    self._stale_choices.add(tab.kind)

    def _tab_shown(self, index: int) -> None:
        if not 0 <= index < len(TABS):
            return
        kind = TABS[index][0]
        if kind not in self._built:
            self._build_tab(kind)  # first shown: built with a fresh list, nothing stale
            return
        tab = self._built[kind]
        if tab.kind in self._stale_choices:
            # An association or a quartier saved in its tab is the porteur or the quartier of the next action
            # (« Aucune association ne s'appelle … » otherwise); 20,000 porteurs take about 0.15 s, so not after
            # a save of an action, which no pick list shows.
            self._stale_choices.discard(tab.kind)
            tab.reload_choices()
        if tab.kind in self._stale:
            self._stale.discard(tab.kind)
            tab.refresh()
            if tab.record_id is not None and not tab.is_dirty():
                tab.show_record(tab.record_id)

    def refresh_all(self) -> None:
        """Reload every pick list and every list (after an import); the forms show the saved records again."""
        self._stale.clear()
        self._stale_choices.clear()
        if self.change_watch is not None:
            self.change_watch.catch_up()
        for tab in self.built_tabs():
            tab.reload_choices()
            tab.refresh()
            if tab.record_id is not None and not tab.is_dirty():
                tab.show_record(tab.record_id)
            elif tab.is_dirty():
                from cvdesk.ui.refresh import KEPT, changed_under_form

                sentence = changed_under_form(tab)  # kept as typed; its save will compare
                if sentence:
                    self.statusBar().showMessage(f"{sentence} {KEPT}", 10000)
        self.update_counts()

    def _keep_all_edits(self) -> bool:
        for tab in self.built_tabs():
            if tab.is_dirty():
                self.tabs.setCurrentWidget(tab)
                if not tab.maybe_keep_edits():
                    return False
        return True

    def switch_database(self, path: Path, create: bool) -> bool:
        """Open another database in this window; the previous one stays open when the new one is refused."""
        from PySide6.QtWidgets import QMessageBox  # its class (and enums) are built on first use

        from cvdesk.store.database import open_database

        if not self._keep_all_edits():
            return False
        previous = self.db_path
        self._stop_opening_checks()
        try:
            open_database(path, create=create)
        except StoreError as exc:
            QMessageBox.critical(self, "Ouverture impossible", str(exc))
            try:
                open_database(previous, create=False)  # never an empty base created where the previous one was
            except StoreError as again:
                # Another program replaced or damaged it meanwhile: no base is open, so the window cannot go on.
                QMessageBox.critical(self, "Base précédente inaccessible",
                                     f"La base {previous} ne peut pas être rouverte : {again} La fenêtre se ferme ; "
                                     "relancez cvdesk pour choisir une base.")
                QTimer.singleShot(0, self, self.close)
            return False
        self.db_path = as_target(path)
        for tab in self.built_tabs():  # a tab not built yet will read the new base when it is
            tab.record_id = None
            tab.new_record()
        self.refresh_all()
        self._show_database()
        self.statusBar().showMessage(f"Base ouverte : {path}", 5000)
        return True

    def _stop_opening_checks(self) -> None:
        """Before the base is left: its background check stops and is waited for, so that a full check it could not
        finish stays owed by that base (not by the next one, which would also be closed as if checked), and its
        verdict, about a base no longer shown, opens no restore dialog on the next one."""
        checks = getattr(self, "opening_checks", None)
        if checks is not None and not checks.isFinished():
            checks.operation.quiet = True
            checks.operation.cancel()
            checks.wait()

    def new_database(self) -> None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox  # its class is built by PySide on first use: not at start-up

        name, _ = QFileDialog.getSaveFileName(self, "Nouvelle base", str(self.db_path.parent / "nouvelle.db"),
                                              DB_FILTER)
        if not name:
            return
        path = Path(name)
        if path.exists():
            QMessageBox.warning(self, "Nouvelle base", f"Le fichier {path} existe déjà : choisissez un autre nom, "
                                                       "ou ouvrez-le avec « Ouvrir une base ».")
            return
        if self.switch_database(path, create=True):
            from cvdesk.ui.contract_assistant import offer_contract_assistant

            offer_contract_assistant(self)  # the new base's contract; cancelled, the base stays empty

    def open_database_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # its class is built by PySide on first use: not at start-up

        name, _ = QFileDialog.getOpenFileName(self, "Ouvrir une base", str(self.db_path.parent), DB_FILTER)
        if name:
            self.switch_database(Path(name), create=False)

    def open_server_database(self) -> None:
        """Fichier > « Ouvrir une base PostgreSQL… »: its address typed in a small dialog (window-modal, not
        blocking: a test or a screen reader drives it as it is), then opened in this window as a file would be."""
        from cvdesk.ui.server_address_dialog import ServerAddressDialog

        self.server_dialog = dialog = ServerAddressDialog(self)
        dialog.accepted.connect(lambda: self.switch_database(as_target(dialog.url), create=False))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def save_copy(self) -> None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox

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
        from PySide6.QtWidgets import QMessageBox

        demo = "<p><b>Données de démonstration.</b></p>" if is_demo() else ""
        QMessageBox.about(self, "À propos de cvdesk",
                          f"<p><b>cvdesk</b> {cvdesk.__version__}</p>"
                          "<p>Le bureau des coordinateurs du contrat de ville, hors ligne.</p>"
                          f"<p>Base : {self.db_path}</p>{demo}")

    # -- navigation ----------------------------------------------------------------------------------------------------
    def open_record(self, kind: str, record_id: int) -> None:
        """Show a record of another tab (an action from a quartier's panel, the porteur of an action)."""
        tab = self.tab_for(kind)
        if tab.record_id != record_id and not tab.maybe_keep_edits():
            return
        self.tabs.setCurrentWidget(tab)
        tab.go_to(record_id)

    def show_selection(self, filters: dict, label: str) -> None:
        """Show the Actions tab listing these records (a dashboard's figure), its unsaved edits asked about first."""
        tab = self.actions_tab
        if not tab.maybe_keep_edits():
            return
        self.tabs.setCurrentWidget(tab)
        tab.show_selection(filters, label)

    def focus_search(self) -> None:
        from PySide6.QtCore import Qt  # not named before the first paint: cvdesk.ui.qt_numbers says why

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
            fit_to_screen(self, size)  # the size the user chose wins, cut to this screen (chosen on a larger one?)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        # Each tab reads its own settings when it is built. The window opens on its first tab, the dashboard,
        # whichever tab was shown when it closed.
        self.tabs.setCurrentIndex(0)

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/size", self.size())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/tab", self.tabs.currentIndex())
        remember_database(self.db_path)  # a window never painted, too
        for tab in self.built_tabs():  # the others' remembered widths stay as they were
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
