"""The package's JSON Lines of a PostgreSQL base, written on our side from the tables' plain columns.

The server only reads: each table in id order, its own columns, a flag as a boolean and a date as ISO text. Writing
the JSON itself (row_to_json) cost it some 2.4 s of processor over the national base, and the joins from foreign keys
to UUIDs 0.85 s more (three hash tables over the whole action table); here orjson writes the objects, one call per
batch, and the UUIDs are looked up in memory. orjson writes what SQLite's json_object writes (keys in the columns'
order, no spaces, UTF-8 as is, the same escapes, lowercase \\u00xx): a package does not tell which engine wrote it
(tests/exchange/test_export_same_bytes.py).
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

import orjson

from cvdesk.exchange.package_format import TableSpec
from cvdesk.store.bulk_write import streamed
from cvdesk.store.engine import raw

BATCH = 5000  # rows per round trip of the server-side cursor (a few MB of JSON)


class UuidsById(dict[str, dict[int, str]]):
    """Per referenced table, its rows' UUIDs by id: read once, when a foreign key first needs them, in the export's
    transaction (the same picture as the rows that point to them). A key leading nowhere gives null, as the LEFT
    JOIN of SQLite's export does."""

    def __missing__(self, table: str) -> dict[int, str]:
        found = dict(raw().execute(f'SELECT id, uuid FROM "{table}"').fetchall())
        self[table] = found
        return found


def plain_sql(spec: TableSpec) -> str:
    """The table's columns as the JSON takes them, in id order: a flag (stored 0/1) as a boolean, a date as its text
    (ISO: the export's transaction sets DateStyle), a foreign key as the id it holds."""
    exprs = []
    for column in spec.columns:
        if column.kind == "bool":
            exprs.append(f't."{column.sql}" <> 0')
        elif column.kind == "date":
            exprs.append(f't."{column.sql}"::text')
        else:
            exprs.append(f't."{column.sql}"')
    return f'SELECT {", ".join(exprs)} FROM "{spec.table}" t ORDER BY t.id'


def object_maker(spec: TableSpec, uuids: UuidsById) -> Callable[[tuple[Any, ...]], dict[str, Any]]:
    """A function turning one row of plain_sql into the record's dict (keys in the columns' order, a foreign key's id
    replaced by its UUID), written for the table's columns: CPython then builds each dict in one step from constant
    keys (BUILD_CONST_KEY_MAP, presized, their hashes known) with the UUIDs looked up on the way, where copies of a
    blank dict filled by dict.update (then set again for each foreign key) cost a fifth of the export's processor.
    The source holds only the spec's own keys (repr) and numbered names, never a value read from the base."""
    names = [f"v{n}" for n in range(len(spec.columns))]
    lookups = {n: f"uuid_of_{n}" for n, column in enumerate(spec.columns) if column.kind == "fk"}
    items = ", ".join(f"{column.key!r}: {lookups[n]}({names[n]})" if n in lookups else f"{column.key!r}: {names[n]}"
                      for n, column in enumerate(spec.columns))
    defaults = "".join(f", {name}={name}" for name in lookups.values())
    source = f"def make(row{defaults}):\n    {', '.join(names)}, = row\n    return {{{items}}}\n"
    namespace: dict[str, Any] = {name: uuids[spec.columns[n].target].get for n, name in lookups.items()}
    exec(source, namespace)  # noqa: S102 (our own generated source, see above)
    return namespace["make"]


def json_lines_pg(spec: TableSpec, uuids: UuidsById) -> Iterator[tuple[bytes, int]]:
    """The table's rows as the package's JSON Lines, a batch at a time: (the lines' bytes, how many lines)."""
    make = object_maker(spec, uuids)
    # orjson writes a batch as one array, some 5 times faster than object by object. Its objects are then cut apart
    # where one ends and the next begins, « },{"uuid": » (the first key): these bytes occur nowhere else. Their
    # quote follows « { », so it is no escaped quote (\") inside a text; nor does it close a text, which « uuid »
    # could not follow; it opens a key, so « { » opens an object, and objects stand only in the batch's array.
    first = spec.keys[0].encode()
    between, cut = b'},{"' + first + b'":', b'}\n{"' + first + b'":'
    cursor = streamed(plain_sql(spec), binary=True)
    try:
        while rows := cursor.fetchmany(BATCH):
            lines = orjson.dumps(list(map(make, rows))).replace(between, cut)
            yield b"".join((memoryview(lines)[1:-1], b"\n")), len(rows)  # without the array's brackets: one copy
    finally:
        cursor.close()
