"""Qt's own texts in French: standard buttons, file, print and colour dialogs, the text fields' context menus."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

TRANSLATOR_NAME = "cvdesk-qtbase-fr"


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
    return app.installTranslator(translator)
