"""The package's JSON Lines of a PostgreSQL base, written on our side from the tables' plain columns.

The server only reads: each table in id order, its own columns, a flag as a boolean and a date as ISO text. Writing
the JSON itself (row_to_json) cost it some 2.4 s of processor over the national base, and the joins from foreign keys
to UUIDs 0.85 s more (three hash tables over the whole action table); here orjson writes the objects, one call per
batch, and the UUIDs are looked up in memory. orjson writes what SQLite's json_object writes (keys in the columns'
order, no spaces, UTF-8 as is, the same escapes, lowercase \\u00xx): a package does not tell which engine wrote it
(tests/exchange/test_export_same_bytes.py).
"""
from __future__ import annotations

from collections import deque
from itertools import repeat
from operator import itemgetter, setitem
from typing import Iterator

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


def json_lines_pg(spec: TableSpec, uuids: UuidsById) -> Iterator[tuple[bytes, int]]:
    """The table's rows as the package's JSON Lines, a batch at a time: (the lines' bytes, how many lines)."""
    keys = spec.keys
    foreign = [(column.key, n, uuids[column.target].get) for n, column in enumerate(spec.columns)
               if column.kind == "fk"]
    # orjson writes a batch as one array, some 5 times faster than object by object. Its objects are then cut apart
    # where one ends and the next begins, « },{"uuid": » (the first key): these bytes occur nowhere else. Their
    # quote follows « { », so it is no escaped quote (\") inside a text; nor does it close a text, which « uuid »
    # could not follow; it opens a key, so « { » opens an object, and objects stand only in the batch's array.
    blank = dict.fromkeys(keys)
    first = keys[0].encode()
    between, cut = b'},{"' + first + b'":', b'}\n{"' + first + b'":'
    cursor = streamed(plain_sql(spec), binary=True)
    try:
        while rows := cursor.fetchmany(BATCH):
            # Copies of one dict holding every key, then filled: less processor than dict(zip(keys, row)), which
            # grows each dict key by key (keeping the same dicts from batch to batch gave nothing measurable more).
            objects = list(map(dict.copy, repeat(blank, len(rows))))
            deque(map(dict.update, objects, map(zip, repeat(keys), rows)), maxlen=0)
            for key, n, uuid_of in foreign:
                # Each record's key replaced by its UUID, the loop run by map() and deque() rather than Python.
                deque(map(setitem, objects, repeat(key), map(uuid_of, map(itemgetter(n), rows))), maxlen=0)
            lines = orjson.dumps(objects).replace(between, cut)
            yield b"".join((memoryview(lines)[1:-1], b"\n")), len(rows)  # without the array's brackets: one copy
    finally:
        cursor.close()
