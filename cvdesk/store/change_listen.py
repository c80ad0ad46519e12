"""Others' commits on a shared PostgreSQL base heard at once: every save's history row is written with a NOTIFY on
CHANNEL (delivered at its commit, never for a rollback), and a window listens on a connection of its own."""
from __future__ import annotations

from typing import Any

# The channel our saves notify on; the payload is empty (the listener reads the base's stamp itself).
CHANNEL = "cvdesk_changes"


class ChangeListener:
    """A LISTEN on its own autocommit connection (the models' connection is busy with transactions); fileno() is its
    socket, for the window's event loop to watch, and heard() reads what arrived without waiting."""

    def __init__(self, conn: Any, url: str) -> None:
        self._conn = conn
        self.url = url

    @classmethod
    def open(cls, database: Any) -> ChangeListener | None:
        """Listen on the base the models' database is connected to; None on SQLite (a file has no server to tell)
        or when the server cannot be reached for it (the caller's timer is then enough)."""
        from cvdesk.store.engine import is_postgres

        if not is_postgres():
            return None
        from cvdesk.store import pg_driver

        try:
            # The models' database's own address and parameters (the password typed this run, if one was).
            conn = pg_driver.listening(str(database.database), dict(database.connect_params), CHANNEL)
        except pg_driver.Error:
            return None
        return cls(conn, str(database.database))

    def fileno(self) -> int:
        return self._conn.fileno()

    def heard(self) -> bool:
        """Whether a notification arrived since the last call (all of them read); False once the connection is
        lost, which closes it (closed then says so)."""
        from cvdesk.store import pg_driver

        try:
            return pg_driver.heard(self._conn)
        except pg_driver.Error:
            self.close()
            return False

    @property
    def closed(self) -> bool:
        return bool(self._conn.closed)

    def close(self) -> None:
        self._conn.close()
