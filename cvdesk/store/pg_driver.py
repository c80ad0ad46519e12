"""The PostgreSQL driver, psycopg2 (its binary wheel, libpq inside), and the one module of ours that imports it.

psycopg2 rather than psycopg 3: a PostgreSQL base's window loads its driver before the first paint, and psycopg 3's
import took about 100 ms of processor (its ~180 modules, asyncio, importlib.metadata, ctypes.util, typing_extensions
among them) against about 30 ms for psycopg2's: the difference between 2.6 and 1.9 times the bare window's start
(benchmarks/results.md). psycopg2 binds parameters on the client, as our SQL (written for SQLite, with a parameter
anywhere) needs, and peewee's PostgresqlDatabase uses it.

Values go and come as SQLite's: a Python bool as the integer the schema stores (flags are INTEGER on both engines),
a DATE read back as its ISO text, a numeric (sum() of a BIGINT column: money in cents) as an int when it is whole."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Sequence

import psycopg2
import psycopg2.errors
import psycopg2.extensions as extensions
import psycopg2.extras

Error = psycopg2.Error
OperationalError = psycopg2.OperationalError
ForeignKeyViolation = psycopg2.errors.ForeignKeyViolation
InsufficientPrivilege = psycopg2.errors.InsufficientPrivilege
UndefinedColumn = psycopg2.errors.UndefinedColumn
UndefinedTable = psycopg2.errors.UndefinedTable


def _flag(value: bool) -> extensions.AsIs:
    return extensions.AsIs("1" if value else "0")


# Process-wide (psycopg2's adapters are): no connection of this program sends a boolean otherwise.
extensions.register_adapter(bool, _flag)


def _sqlite_number(value: str | None, _cursor: Any) -> int | Decimal | None:
    """A numeric as SQLite gives it: an int when whole, an exact Decimal otherwise (an average; no float near money)."""
    if value is None:
        return None
    return int(value) if value.lstrip("-").isdigit() else Decimal(value)


_DATE_AS_TEXT = extensions.new_type((1082,), "CVDESK_DATE", lambda value, _cursor: value)
_NUMERIC_AS_SQLITE = extensions.new_type((1700,), "CVDESK_NUMERIC", _sqlite_number)


def prepare_connection(conn: Any) -> None:
    """Make a connection read values as our SQLite code expects (dates as text, whole numerics as int)."""
    extensions.register_type(_DATE_AS_TEXT, conn)
    extensions.register_type(_NUMERIC_AS_SQLITE, conn)


def connect(url: str, **params: Any) -> Any:
    """A connection to the base at url (libpq's other parameters: connect_timeout, options, password…), prepared."""
    conn = psycopg2.connect(url, **params)
    prepare_connection(conn)
    return conn


def in_transaction(conn: Any) -> bool:
    """Whether the connection has a transaction open (or failed, or unknown): not idle."""
    return conn.info.transaction_status != extensions.TRANSACTION_STATUS_IDLE


def transaction_open(conn: Any) -> bool:
    """Whether the connection is inside a transaction that still works (a server-side cursor may live there)."""
    return conn.info.transaction_status == extensions.TRANSACTION_STATUS_INTRANS


def run(conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
    """The statement (in the driver's %s style) on the connection: the cursor, to fetch from."""
    cursor = conn.cursor()
    cursor.execute(sql, tuple(params))
    return cursor


def run_many(conn: Any, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
    """The statement for each row, a hundred to a round trip (psycopg2's executemany sends one at a time)."""
    cursor = conn.cursor()
    psycopg2.extras.execute_batch(cursor, sql, rows, page_size=100)
    return cursor


def server_cursor(conn: Any, name: str, rows_per_fetch: int) -> Any:
    """A server-side cursor (inside a transaction): the rows come as they are fetched, not all at once. WITH HOLD,
    which psycopg2 requires of a named cursor on an autocommit connection (ours: peewee's transactions are BEGIN
    statements); closed before the commit, as ours are, it is the same cursor."""
    cursor = conn.cursor(name=name, withhold=True)
    cursor.itersize = rows_per_fetch
    return cursor


def listening(url: str, params: dict[str, Any], channel: str) -> Any:
    """An autocommit connection listening on channel."""
    conn = connect(url, **params)
    conn.autocommit = True
    conn.cursor().execute(f"LISTEN {channel}")
    return conn


def heard(conn: Any) -> bool:
    """Whether a notification arrived on a listening connection since the last call (all of them read, no wait)."""
    conn.poll()
    arrived = bool(conn.notifies)
    conn.notifies.clear()
    return arrived


# ---- COPY … FROM STDIN in the text format ------------------------------------------------------------------------

_SPECIAL = re.compile(r"[\\\t\n\r]").search


def copy_text(value: Any) -> str:
    """A value as COPY's text format writes it: NULL as \\N, a text's backslash, tab and line breaks escaped."""
    kind = type(value)
    if kind is str:
        return _escaped(value) if _SPECIAL(value) else value
    if value is None:
        return "\\N"
    if kind is int:
        return str(value)
    if kind is bool:
        return "1" if value else "0"
    if kind in (bytes, bytearray, memoryview):
        return "\\\\x" + bytes(value).hex()  # bytea's hex input, its backslash escaped for COPY
    if kind in (float, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return copy_text(str(value))


_NONE = type(None)


def _escaped(text: str) -> str:
    """Text with COPY's special characters escaped (str.replace, faster than translate where few are found)."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _column_texts(column: Sequence[Any]) -> Sequence[str]:
    """A column's values as COPY's text, the common kinds a column at a time (a merge's columns hold one type, and
    NULLs): texts joined, escaped and split again when any needs it, integers made text by str() alone."""
    kinds = set(map(type, column))
    if kinds <= {str, _NONE}:
        nulls = _NONE in kinds
        values = [v if v is not None else "" for v in column] if nulls else column
        joined = "\x00".join(values)
        if _SPECIAL(joined) is None:
            texts = values
        elif joined.count("\x00") == len(values) - 1:  # no NUL of their own (the server refuses those anyway)
            texts = _escaped(joined).split("\x00")
        else:
            texts = [_escaped(v) for v in values]
        return ["\\N" if v is None else t for v, t in zip(column, texts)] if nulls else texts
    if kinds == {int}:
        return list(map(str, column))
    if kinds == {int, _NONE}:
        return ["\\N" if v is None else str(v) for v in column]
    return list(map(copy_text, column))


class _CopyStream:
    """Columns as COPY's text, a batch of lines at each read() psycopg2 makes."""

    __slots__ = ("columns", "at", "size")

    BATCH = 2000

    def __init__(self, columns: Sequence[Sequence[Any]]) -> None:
        self.columns = columns
        self.at = 0
        self.size = len(columns[0]) if columns else 0

    def read(self, _size: int = -1) -> str:
        if self.at >= self.size:
            return ""
        start, self.at = self.at, self.at + self.BATCH
        texts = [_column_texts(column[start:self.at]) for column in self.columns]
        return "\n".join(map("\t".join, zip(*texts))) + "\n"


def copy_columns(conn: Any, sql: str, columns: Sequence[Sequence[Any]]) -> None:
    """Rows given a column at a time (columns[k][r]) into the table by one COPY … FROM STDIN (sql, in the text
    format): one stream, not one statement a row."""
    with conn.cursor() as cursor:
        cursor.copy_expert(sql, _CopyStream(columns), size=65536)


def copy_rows(conn: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """The rows into the table by one COPY … FROM STDIN (sql, in the text format)."""
    columns = list(zip(*rows))
    if columns:
        copy_columns(conn, sql, columns)
