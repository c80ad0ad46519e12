"""The first start, when the user's base does not exist yet: discover the demo, set up one's own contract, or open
an existing base or a package from headquarters; nothing is created before the user has chosen."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from cvdesk.services.contract_setup import ContractPlan

DEMO, OWN, OPEN = "demo", "own", "open"
DEMO_TEXT = "Découvrir avec le contrat de démonstration (Valenciennes Métropole 2015)"
OWN_TEXT = "Créer mon propre contrat"
OPEN_TEXT = "Ouvrir une base existante ou un paquet du siège"
QUIT_TEXT = "Quitter"
NEW_BASE_FILTER = "Bases cvdesk (*.db *.sqlite)"
OPEN_FILTER = "Bases cvdesk et paquets du siège (*.db *.sqlite *.zip);;Tous les fichiers (*)"


class FirstStartDialog(QDialog):
    """Three choices as large buttons, and Quitter (or Échap)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bienvenue dans cvdesk")
        self.choice: str | None = None
        intro = QLabel("<p><b>Bienvenue dans cvdesk</b>, le bureau du contrat de ville.</p>"
                       "<p>Aucune base n'existe encore sur cet ordinateur. Comment voulez-vous commencer ?</p>")
        intro.setWordWrap(True)
        self.demo_button = QCommandLinkButton(
            DEMO_TEXT, "Une base remplie d'exemples : 14 quartiers, 12 communes, 40 actions. Idéal pour essayer ; "
                       "elle est marquée « données de démonstration ».")
        self.own_button = QCommandLinkButton(
            OWN_TEXT, "Choisissez votre EPCI dans le référentiel officiel : ses communes, avec leurs codes INSEE et "
                      "leurs populations, sont reprises ; puis la période, les signataires, les orientations et les "
                      "financeurs.")
        self.open_button = QCommandLinkButton(
            OPEN_TEXT, "Une base cvdesk déjà remplie (.db), ou le paquet d'échange (.zip) envoyé par le siège ou un "
                       "autre bureau : une nouvelle base est créée et le paquet y est fusionné.")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        for button, choice in ((self.demo_button, DEMO), (self.own_button, OWN), (self.open_button, OPEN)):
            button.setAccessibleName(button.text())
            button.clicked.connect(lambda _checked=False, c=choice: self.choose(c))
            layout.addWidget(button)
        self.buttons = QDialogButtonBox()
        self.quit_button = self.buttons.addButton(QUIT_TEXT, QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.own_button.setDefault(True)
        self.own_button.setFocus()
        self.resize(640, self.sizeHint().height())

    def choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def reject(self) -> None:
        self.choice = None
        super().reject()


@dataclass
class FirstStart:
    """What the first start decided: the base to open (created or not), and what follows its opening."""

    path: Path
    create: bool
    demo: bool = False
    plan: ContractPlan | None = None
    package: Path | None = None
    merged: bool = False  # the package was merged into the new base (after_show)
    backups_existed: bool = False  # the base's backups folder was there before the base was made

    def after_open(self, parent: QWidget | None = None) -> None:
        """Fill the new base: the demo, or the contract the assistant planned (the base is open)."""
        if self.demo:
            from cvdesk.ui.app import fill_if_new

            fill_if_new(is_new=True, demo_if_new=True)
        elif self.plan is not None:
            from cvdesk.ui.contract_assistant import create_planned_contract

            create_planned_contract(parent, self.plan)

    def made_meanwhile(self, path: Path) -> None:
        """The base was made by another cvdesk while this one asked (two started at once): it is opened as it is,
        and whatever was to fill it is said to be left out, not dropped without a word."""
        if not self.create or path != self.path:
            return
        if self.plan is not None:
            left = f"le contrat « {self.plan.name} » n'y a pas été créé (Fichier > Nouvelle base pour le créer)"
        elif self.package is not None:
            left = f"le paquet {self.package.name} n'y a pas été fusionné (Fichier > Importer un paquet)"
        else:
            return  # the demo: the base is opened as the other program made it
        QMessageBox.information(None, "Base déjà créée", f"La base {path} a été créée entre-temps par un autre "
                                                         f"programme cvdesk : elle est ouverte telle quelle ; {left}.")

    def after_show(self, window: QWidget) -> None:
        """Merge the package into the new base, with the window's usual import (summary, confirmation, progress)."""
        if self.package is not None:
            from cvdesk.ui.exchange_actions import import_package_file

            self.merged = import_package_file(window, self.package)

    def left_unused(self, path: Path) -> bool:
        """The base made for a package whose merge was cancelled or refused, still empty: made for nothing."""
        if self.package is None or self.merged or path != self.path:
            return False
        from cvdesk.services.demo import database_is_empty

        return database_is_empty()

    def remove_unused_base(self) -> None:
        """Remove that base (closed) with its lock and, when this start made it, its backups folder: the next start
        asks again instead of opening an empty base. A base another program has opened since is left alone."""
        import shutil

        from cvdesk.store.backups import Backups
        from cvdesk.store.errors import StoreError
        from cvdesk.store.lock import acquire, lock_path

        try:
            lock = acquire(self.path)
        except StoreError:
            return
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            folder = Backups(self.path).folder
            if not self.backups_existed and folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
        finally:
            lock.release()
        lock_path(self.path).unlink(missing_ok=True)
        from cvdesk.ui.main_window import forget_database

        forget_database(self.path)


def _new_base_path(suggested: Path, parent: QWidget | None, title: str) -> Path | None:
    """A file for the new base, the usual data folder proposed; None when the user gives up. An existing file is
    refused (it would be opened, not created)."""
    # The folder is made so that the file dialog opens there, where the base belongs; ask_first_start removes it
    # again if the user quits.
    suggested.parent.mkdir(parents=True, exist_ok=True)
    while True:
        name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), NEW_BASE_FILTER)
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() not in (".db", ".sqlite"):
            path = path.with_name(path.name + ".db")
        if not path.exists():
            return path
        QMessageBox.warning(parent, title, f"Le fichier {path} existe déjà : choisissez un autre nom, ou "
                                           f"ouvrez-le avec « {OPEN_TEXT} ».")


def ask_first_start(default_path: Path, parent: QWidget | None = None) -> FirstStart | None:
    """Ask how to begin; None when the user quits, leaving nothing behind. Giving up a later step (a file dialog,
    the assistant) comes back to the three choices."""
    folder = default_path.parent
    folder_existed = folder.exists()
    start = _ask(default_path, parent)
    if not folder_existed and (start is None or start.path.parent != folder):
        try:
            folder.rmdir()  # made for a file dialog, and left empty
        except OSError:
            pass
    return start


def _ask(default_path: Path, parent: QWidget | None) -> FirstStart | None:
    while True:
        dialog = FirstStartDialog(parent)
        dialog.exec()
        choice = dialog.choice
        dialog.deleteLater()
        if choice is None:
            return None
        if choice == DEMO:
            return FirstStart(default_path, create=True, demo=True)
        if choice == OWN:
            path = _new_base_path(default_path, parent, "Nouvelle base pour mon contrat")
            if path is None:
                continue
            from cvdesk.ui.contract_assistant import ask_contract_plan

            plan = ask_contract_plan(parent)
            if plan is not None:
                return FirstStart(path, create=True, plan=plan)
            continue
        name, _ = QFileDialog.getOpenFileName(parent, OPEN_TEXT, str(Path.home()), OPEN_FILTER)
        if not name:
            continue
        chosen = Path(name)
        if chosen.suffix.lower() != ".zip":
            return FirstStart(chosen, create=False)
        path = _new_base_path(default_path, parent, "Nouvelle base pour le paquet du siège")
        if path is not None:
            return FirstStart(path, create=True, package=chosen)
