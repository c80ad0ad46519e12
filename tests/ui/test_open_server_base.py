"""A coordinator at headquarters opens the team's PostgreSQL base from the window: Fichier > « Ouvrir une base
PostgreSQL… », the address typed in a small dialog. A file's path or an address holding a password is refused in one
French sentence and nothing is opened; the password is taken out of the field and kept nowhere (not in Qt's
settings); the right address opens the base in the same window."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QSettings, Qt

from cvdesk.store.models import db

pytestmark = pytest.mark.postgresql


def settings_text() -> str:
    """Every value Qt keeps for the program, as text."""
    settings = QSettings()
    settings.sync()
    return " ".join(str(settings.value(key)) for key in settings.allKeys())


def test_a_postgresql_base_is_opened_by_its_typed_address_never_with_its_password(
        window, pg_server, pg_demo_url, qtbot, type_text, tmp_path) -> None:
    sqlite_base = window.db_path
    window.open_server_action.trigger()  # Fichier > « Ouvrir une base PostgreSQL… »
    dialog = window.server_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "Ouvrir une base PostgreSQL"
    qtbot.waitUntil(dialog.isActiveWindow)
    edit = dialog.address_edit

    # A file's path: not an address, said so; the window stays on its base.
    edit.clear()
    type_text(edit, str(tmp_path / "bureau.db"))
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.error_label.text().startswith("Adresse de la base : « ")
    assert "n'est pas une adresse PostgreSQL, qui commence par postgresql://" in dialog.error_label.text()

    # The address with a password typed in: refused, the password taken out of the field and stored nowhere.
    parts = urlsplit(pg_demo_url)
    with_password = pg_demo_url.replace(f"{parts.username}@", f"{parts.username}:Secr3t-siege@", 1)
    edit.clear()
    type_text(edit, with_password)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "elle contient un mot de passe" in dialog.error_label.text()
    assert "Secr3t-siege" not in edit.text() and edit.text() == pg_demo_url
    assert window.db_path == sqlite_base
    assert "Secr3t-siege" not in settings_text()

    # The address as it now reads: the window opens the team's base.
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert str(window.db_path) == pg_demo_url
    assert window.windowTitle().startswith(f"{urlsplit(pg_demo_url).path.lstrip('/')} (PostgreSQL)")
    (backend,) = db.execute_sql("SELECT current_database()").fetchone()
    assert backend == urlsplit(pg_demo_url).path.lstrip("/")
    # The Actions tab lists the PostgreSQL base's actions, counted by hand in SQL there.
    from cvdesk.store.engine import is_postgres

    assert is_postgres()
    (actions,) = db.execute_sql('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()
    tab = window.tab_for("action")
    assert tab.model.matching_count() == actions
    assert "Secr3t-siege" not in settings_text()

    # The last file stays remembered for the next start: the server's address is no file (it was once folded into
    # a path by Path.resolve() at close).
    window.save_settings()
    from cvdesk.ui.main_window import remembered_database

    assert remembered_database() == sqlite_base.resolve()

    # Offered again next time (without any password).
    window.open_server_action.trigger()
    assert window.server_dialog.address_edit.text() == pg_demo_url
    window.server_dialog.reject()

    # And back to the office's file: the server's session is closed.
    assert window.switch_database(sqlite_base, create=False)
    assert not is_postgres() and window.db_path == sqlite_base
