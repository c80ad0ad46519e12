"""The headquarters' window when its PostgreSQL session is lost (the server restarted, the administrator ended the
session, the network cut): the next click says so in one French sentence, not a traceback or « défaut de cvdesk »;
the window keeps running, and the click after connects again and works."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from PySide6.QtCore import Qt

from cvdesk.store.models import db

pytestmark = pytest.mark.postgresql

LOST = "La connexion au serveur PostgreSQL a été interrompue ("


def end_the_windows_session(pg_server: Any) -> None:
    """The administrator ends the window's session from the server (as a restart does to every session)."""
    pid, = db.execute_sql("SELECT pg_backend_pid()").fetchone()
    admin = pg_server.connect()
    try:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    finally:
        admin.close()


def settled(qtbot) -> None:
    """The window's background work (the dashboard's figures) delivered before the base closes at the test's end."""
    from cvdesk.ui.operations import running

    qtbot.waitUntil(lambda: not running(), timeout=20_000)
    qtbot.wait(50)


# The window on a copy of the demo on the test cluster (the fixtures' PostgreSQL variant).
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_save_after_the_session_was_lost_is_told_in_french_and_the_next_one_goes_through(
        demo_db, open_window, pg_server: Any, sql_rows, warnings_shown, type_text, qtbot) -> None:
    window = open_window()  # built in the test itself: pytest-qt sets its own hook for each phase
    qtbot.waitUntil(lambda: window.change_watch is not None)
    window.change_watch.timer.stop()  # its look at the base is silent by design: this story is about the click
    window.tabs.setCurrentIndex(3)
    tab = window.associations_tab
    tab.view.selectRow(0)
    record_id = tab.current_record_id()
    (phone,), = sql_rows("SELECT phone FROM association WHERE id = ?", (record_id,))
    tab.phone_edit.selectAll()
    type_text(tab.phone_edit, "03 27 66 66 66")

    end_the_windows_session(pg_server)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)

    told = [text for _title, text in warnings_shown] + ([tab.error_label.text()] if tab.error_label.isVisible()
                                                        else [])
    assert len(told) == 1, told
    assert LOST in told[0] and "réessayez" in told[0], told
    assert "défaut" not in told[0].lower() and "Traceback" not in told[0]
    assert sql_rows("SELECT phone FROM association WHERE id = ?", (record_id,)) == [(phone,)]
    assert tab.is_dirty() and tab.phone_edit.text() == "03 27 66 66 66"  # the typing is kept for the next try

    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)  # the server answers: cvdesk connects again
    assert not tab.is_dirty()
    assert sql_rows("SELECT phone FROM association WHERE id = ?", (record_id,)) == [("03 27 66 66 66",)]
    settled(qtbot)


@pytest.fixture
def own_server() -> Iterator[Any]:
    """A cluster of this test's own, which it may stop (the session's cluster serves the other tests)."""
    from postgres_cluster import started_for_tests

    cluster = started_for_tests()
    yield cluster
    cluster.stop()


def test_refreshing_the_lists_with_the_server_stopped_is_told_in_french_and_the_window_closes_cleanly(
        own_server: Any, qtbot, warnings_shown, monkeypatch: pytest.MonkeyPatch) -> None:
    from cvdesk.store.database import close_database, open_database
    from cvdesk.ui import main_window

    monkeypatch.setattr(main_window, "_menu_installers", lambda: [])
    url = own_server.create_database("siege")
    open_database(url)
    try:
        window = main_window.MainWindow(url)
        window.show()
        qtbot.waitExposed(window)
        window.tabs.setCurrentIndex(3)  # the Associations list (the dashboard's figures are read in the background)
        settled(qtbot)
        own_server.stop()  # the server goes down (a restart, a machine stopped) while the window is open

        window.refresh_action.trigger()  # F5, « Actualiser les listes »
        assert len(warnings_shown) == 1, warnings_shown
        title, text = warnings_shown[0]
        assert text.startswith(LOST) and "réessayez quand le serveur répond" in text, text
        window.refresh_action.trigger()  # still down: said again, still no traceback
        assert len(warnings_shown) == 2 and warnings_shown[1][1].startswith(LOST)
        settled(qtbot)
        window.close()
        window.deleteLater()
    finally:
        close_database()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_what_the_window_says_of_the_servers_refusals_and_of_anything_else(demo_db, db_target, pg_server: Any,
                                                                           sql_rows) -> None:
    """The hook's sentences, from real errors of the server: a row held past the lock timeout, a write a
    consultation role may not make; any other error is left to the usual hook (None)."""
    from urllib.parse import urlsplit

    from cvdesk.store.database import close_database, open_database
    from cvdesk.ui.server_trouble import trouble_sentence

    (association_id,), = sql_rows("SELECT min(id) FROM association")
    dbname = urlsplit(db_target).path.lstrip("/")
    other = pg_server.connect(dbname)
    other.execute("BEGIN")
    other.execute("UPDATE association SET notes = notes WHERE id = %s", (association_id,))
    try:
        db.execute_sql("SET lock_timeout = 200")
        with pytest.raises(Exception) as held:
            db.execute_sql("UPDATE association SET notes = 'x' WHERE id = ?", (association_id,))
    finally:
        other.execute("ROLLBACK")
    assert trouble_sentence(held.value) == ("La base est occupée par un autre enregistrement en cours (un import, une "
                                            "fusion ou la saisie d'un collègue), réessayez dans un moment : rien n'a "
                                            "été modifié.")
    role = f"lecteur_{dbname}"
    other.execute(f"CREATE ROLE {role} LOGIN")
    other.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    close_database()
    try:
        open_database(db_target.replace("cvdesk@", f"{role}@"))
        with pytest.raises(Exception) as refused:
            db.execute_sql("UPDATE association SET notes = 'x' WHERE id = ?", (association_id,))
        close_database()
    finally:
        other.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        other.execute(f"DROP ROLE {role}")
        other.close()
    assert trouble_sentence(refused.value) == ("Enregistrement impossible : votre rôle PostgreSQL n'a pas le droit "
                                               "d'écrire dans cette base ; rien n'a été modifié.")
    assert trouble_sentence(ValueError("autre chose")) is None
