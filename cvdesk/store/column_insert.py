"""Bulk inserts given column by column, whose values SQLite's Python driver binds by its fast path (no None, no bool)."""
from __future__ import annotations

from functools import lru_cache
from itertools import chain
from typing import Any, Collection, NamedTuple, Sequence

from cvdesk.store.bulk_write import insert_rows
from cvdesk.store.engine import is_postgres, raw

# What a NULL of a column that mixes NULLs with values is bound as, then turned back into NULL by NULLIF(): a real
# number, which no column of cvdesk holds (a column that holds one binds its NULLs as they are).
NULL_MARK = 0.5
_NONE = type(None)
_INTEGRAL = frozenset({bool, int})
# insert_lot's rows per INSERT statement, and the most values one statement binds (SQLite's limit before 3.32).
ROWS_PER_INSERT = 100
MOST_BOUND = 999


class Same(NamedTuple):
    """A column that holds this one value in every row (insert_lot binds it once for each statement of many rows)."""
    value: Any


def insert_columns(table: str, names: Sequence[str], columns: Sequence[Sequence[Any]],
                   plain: Collection[int] = ()) -> None:
    """Insert the rows whose values are given a column at a time (columns[k][r]: column k of row r) into the table;
    the stored rows are the very ones executemany() of the plain rows would store, in the same order.

    Why: Python's sqlite3 binds an int, a float or a str at once, but passes every other value, None and bool (a
    subclass of int) included, through its adapter registry first (a tuple built, a dict looked up, two attributes
    looked for): about 0.9 µs a value against 0.05. The national package carries 1.56 million of them: 1.4 s of
    the merge's processor. So a column that is NULL throughout the rows is written as the literal NULL, a bool as
    the integer SQLite stores for it anyway, and a column mixing NULLs with values binds NULL_MARK for its NULLs,
    which NULLIF() turns back into NULL before the column's affinity applies. plain: the positions of the columns
    the caller knows to hold neither None nor bool (checked already), bound as they are without a look at their
    values (a wrong hint only costs the slow binding). On PostgreSQL the rows go by COPY as before
    (bulk_write.insert_rows)."""
    if not columns or not len(columns[0]):
        return
    if is_postgres():
        insert_rows(table, names, list(zip(*columns)))
        return
    slots: list[str] = []
    bound: list[Sequence[Any]] = []
    for position, column in enumerate(columns):
        slot, values = ("?", column) if position in plain else _bindable(column)
        slots.append(slot)
        if values is not None:
            bound.append(values)
    raw().executemany(_insert_sql(table, tuple(names), tuple(slots)), zip(*bound) if bound else [()] * len(columns[0]))


def _bindable(column: Sequence[Any]) -> tuple[str, Sequence[Any] | None]:
    """The column's slot in VALUES (?, NULL or NULLIF(?, mark)) and the values to bind there (None for NULL)."""
    kinds = set(map(type, column))
    if _NONE not in kinds:
        if bool in kinds and kinds <= _INTEGRAL:
            return "?", list(map(int, column))
        return "?", column
    if len(kinds) == 1:
        return "NULL", None
    if float in kinds:
        return "?", column
    if bool in kinds and kinds <= _INTEGRAL | {_NONE}:
        return f"NULLIF(?, {NULL_MARK})", [NULL_MARK if v is None else int(v) for v in column]
    return f"NULLIF(?, {NULL_MARK})", [NULL_MARK if v is None else v for v in column]


@lru_cache(maxsize=256)
def _insert_sql(table: str, names: tuple[str, ...], slots: tuple[str, ...]) -> str:
    quoted = ", ".join(f'"{name}"' for name in names)
    return f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join(slots)})'


def insert_lot(table: str, names: Sequence[str], columns: Sequence[Sequence[Any] | Same]) -> None:
    """Insert rows given a column at a time, each column the rows' values or Same(value) for a value every row
    holds; the stored rows are the very ones executemany() of the plain rows would store, in the same order.

    Why: a lot of new records shares its time, office, deleted flag, user and the defaults of the columns a sheet
    leaves out (7 of a history row's 11 values), and Python's sqlite3 copies each bound text into SQLite at each
    row and passes each None and bool through its adapter registry (insert_columns). So on SQLite a column of one
    value and one type (1, 1.0 and True are equal in Python, not in a text column) is bound once for each
    statement (a numbered parameter every row names), NULL written as such; the other columns are bound as
    insert_columns binds them (a NULL among values by NULL_MARK). The rows go ROWS_PER_INSERT to a statement
    (_insert_many), whose text does not hold the values, so that the next lot runs the statement already
    compiled. Given by columns, the rows are never built only to be taken apart again. On PostgreSQL the rows go
    by COPY as they are (bulk_write.insert_rows)."""
    count = next((len(column) for column in columns if not isinstance(column, Same)), 0)
    if not count:
        return
    if is_postgres():
        insert_rows(table, names, list(zip(*([column.value] * count if isinstance(column, Same) else column
                                               for column in columns))))
        return
    shared: list[Any] = []  # the values every row holds, bound once per statement
    slots: list[str | int] = []  # each column's: a shared value's place, or an SQL text (? for the row's value)
    bound: list[Sequence[Any]] = []
    for column in columns:
        if isinstance(column, Same):
            value = column.value
        elif column.count(column[0]) == count and len(set(map(type, column))) == 1:
            value = column[0]
        else:
            slot, values = _bindable(column)
            slots.append(slot)
            if values is not None:
                bound.append(values)
            continue
        if value is None:
            slots.append("NULL")
        else:
            slots.append(len(shared))
            shared.append(value)
    _insert_many(table, names, slots, shared, bound, count)


def _insert_many(table: str, names: Sequence[str], slots: list[str | int], shared: list[Any],
                 bound: list[Sequence[Any]], count: int) -> None:
    """count rows of these slots (a shared value's place, or an SQL text whose ? takes the row's value of the next
    bound column), by INSERTs of up to ROWS_PER_INSERT rows each (VALUES (…), (…)), every parameter numbered: the
    shared values first, then each row's. The rows are stored in the same order with the same values as by one
    INSERT per row, and the driver's work for each statement run (step, reset, its Python loop) is paid once for
    many rows. Measured alone (sqlite3, the 433,000 history rows of a national import): 0.84 – 0.93 s one row a
    statement, 0.59 – 0.65 s so."""
    width = len(bound)
    per = max(1, min(ROWS_PER_INSERT, (MOST_BOUND - len(shared)) // max(width, 1), count))
    made = (table, tuple(names), tuple(slots), len(shared), width)
    conn = raw()
    whole, rest = divmod(count, per)
    flat = list(chain.from_iterable(zip(*bound))) if bound else []
    step = per * width
    conn.executemany(_many_sql(*made, per), (shared + flat[start:start + step]
                                             for start in range(0, whole * step, step)) if bound else [shared] * whole)
    if rest:
        conn.execute(_many_sql(*made, rest), shared + flat[whole * step:])


@lru_cache(maxsize=64)
def _many_sql(table: str, names: tuple[str, ...], slots: tuple[str | int, ...], shared: int, width: int,
              rows: int) -> str:
    """The INSERT of these many rows (_insert_many's), made once for each table's lots rather than at each lot:
    shared, the values bound once; width, each row's bound values."""
    quoted = ", ".join(f'"{name}"' for name in names)
    made = []
    for row in range(rows):
        number = shared + row * width  # the parameter before this row's first
        texts = []
        for slot in slots:
            if isinstance(slot, int):
                texts.append(f"?{slot + 1}")
            elif "?" in slot:
                number += 1
                texts.append(slot.replace("?", f"?{number}"))
            else:
                texts.append(slot)
        made.append(f"({', '.join(texts)})")
    return f'INSERT INTO "{table}" ({quoted}) VALUES ' + ", ".join(made)
