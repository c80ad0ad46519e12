"""The models' peewee database: in the thread that opened the base, it takes the connection opened there."""
from __future__ import annotations

import sqlite3

from peewee import SqliteDatabase

from cvdesk.store import connection
from cvdesk.store.search_index import FOLDED_FIELDS, folded_fields


class SharedSqliteDatabase(SqliteDatabase):
    """peewee's SqliteDatabase whose first connection, in the thread that opened the base, is the one
    cvdesk.store.database opened (the window read its first list on it before peewee was loaded); every other
    connection peewee opens itself. The one instance is the models' database (cvdesk.store.models.db)."""

    def __init__(self, database: str | None, **kwargs: object) -> None:
        super().__init__(database, **kwargs)
        # The lists' fold function, in the queries of every connection (peewee adds it to each new one).
        self.register_function(folded_fields, FOLDED_FIELDS, -1, deterministic=True)
        connection.register_models_database(self)

    def _connect(self) -> sqlite3.Connection:
        first = connection.take_first_connection()
        if first is None:
            return super()._connect()
        self._add_conn_hooks(first)  # what peewee does to its own connections: the pragmas again, its functions
        return first
