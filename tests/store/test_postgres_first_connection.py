"""A PostgreSQL base opened as the window opens it (without the models): the tab's plain SQL runs on the opening's own
session; a session the administrator ends is said once, and the next statement connects again."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from cvdesk.store.connection import execute_sql
from cvdesk.store.database import opened_database

pytestmark = pytest.mark.postgresql


def test_a_session_ended_by_the_administrator_before_the_models_load_is_said_once_then_replaced(
        pg_server: Any, pg_demo_url: str) -> None:
    from cvdesk.store.server_lost import lost_server_sentence

    with opened_database(pg_demo_url, models=False):
        first = execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        admin = pg_server.connect()
        try:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))  # the administrator ends the session
        finally:
            admin.close()
        with pytest.raises(Exception) as lost:
            execute_sql('SELECT count(*) FROM "action"')
        assert (lost_server_sentence(lost.value) or "").startswith("La connexion au serveur PostgreSQL a été "
                                                                   "interrompue (")
        again = execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        counted = execute_sql('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0]
    assert again != first
    conn = pg_server.connect(urlsplit(pg_demo_url).path.lstrip("/"))
    try:  # the same count as SQL read apart, on a session of its own
        assert counted == conn.execute('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0]
    finally:
        conn.close()


def test_the_opening_session_waits_five_seconds_at_most_for_a_lock(pg_demo_url: str) -> None:
    """The lock_timeout goes with the connection (a server option, no statement of its own before the paint)."""
    with opened_database(pg_demo_url, models=False):
        assert execute_sql("SELECT current_setting('lock_timeout')").fetchone()[0] == "5s"
