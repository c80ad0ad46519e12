"""Qt's own texts in French: standard buttons, file, print and colour dialogs, the text fields' context menus."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

TRANSLATOR_NAME = "cvdesk-qtbase-fr"
MISSING_NAME = "cvdesk-qtbase-fr-missing"

# Qt 6.11's texts that qtbase_fr.qm does not hold (it was made from older sources: « Look in: » is there, the file
# dialog now asks for « &Look in: »): (context, source) -> French, in the words qtbase_fr uses elsewhere.
MISSING_FRENCH = {
    ("QFileDialog", "&Look in:"): "&Voir dans\u00a0:",
    ("QFileDialog", "Files of &type:"): "Fichiers de &type\u00a0:",
    ("QFileDialog", "&Directory:"): "&Dossier\u00a0:",
    ("QAbstractFileIconProvider", "Folder"): "Dossier",
    ("QAbstractFileIconProvider", "Drive"): "Lecteur",
    ("QAbstractFileIconProvider", "File"): "Fichier",
    ("QAbstractFileIconProvider", "%1 File"): "Fichier %1",
    ("QAbstractFileIconProvider", "Shortcut"): "Raccourci",
    ("QAbstractFileIconProvider", "Unknown"): "Inconnu",
}


class _MissingFrench(QTranslator):
    """The few texts above; asked only when qtbase_fr has none (Qt asks the last installed translator first)."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        return MISSING_FRENCH.get((context, source), "")

    def isEmpty(self) -> bool:
        return False


def install_qt_french(app: QCoreApplication) -> bool:
    """Load qtbase_fr.qm shipped with PySide6, once per application. False when the file is missing (Qt then
    stays in English rather than refusing to start)."""
    if app.findChild(QTranslator, TRANSLATOR_NAME) is not None:
        return True
    # Parented to the application so that it lives as long as it (a collected translator would be uninstalled).
    translator = QTranslator(app)
    translator.setObjectName(TRANSLATOR_NAME)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    # By its name: a QLocale would make PySide build QLocale's enums (hundreds of languages and countries) first.
    if not translator.load("qtbase_fr", folder):
        translator.deleteLater()
        return False
    missing = _MissingFrench(app)
    missing.setObjectName(MISSING_NAME)
    app.installTranslator(missing)  # first, so that qtbase_fr, installed after it, is asked before it
    return app.installTranslator(translator)
