"""The package's JSON Lines of a PostgreSQL base, written on our side from the tables' plain columns.

The server only reads: each table in id order, its own columns, a flag as a boolean and a date as ISO text. Writing
the JSON itself (row_to_json) cost it some 2.4 s of processor over the national base, and the joins from foreign keys
to UUIDs 0.85 s more (three hash tables over the whole action table); here each row becomes a msgspec Struct of its
table (the UUIDs looked up in memory on the way) and msgspec writes a batch's lines in one call. msgspec writes what
SQLite's json_object writes (keys in the columns' order, no spaces, UTF-8 as is, the same escapes, lowercase
\\u00xx, integers whole): a package does not tell which engine wrote it (tests/exchange/test_export_same_bytes.py).
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

import msgspec

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


def record_maker(spec: TableSpec, uuids: UuidsById) -> Callable[[tuple[Any, ...]], msgspec.Struct]:
    """A function turning one row of plain_sql into the record as a Struct whose fields are the package's keys in
    the columns' order (a foreign key's id replaced by its UUID on the way), written for the table's columns.

    Against dicts encoded by orjson (copies of a blank dict filled by dict.update, then set again per foreign key),
    this halves our processor for the national base: a Struct is made in one call from positional values and
    msgspec writes its keys pre-encoded, a batch's lines at once (no array to cut into lines). Made without the
    cycle collector's bookkeeping (gc=False: a record holds only texts, numbers and None). The generated source
    holds only numbered names and the Struct's name, never a key or a value read from the base."""
    record = msgspec.defstruct(f"{spec.table}_record", [(key, Any) for key in spec.keys], gc=False)
    names = [f"v{n}" for n in range(len(spec.columns))]
    lookups = {n: f"uuid_of_{n}" for n, column in enumerate(spec.columns) if column.kind == "fk"}
    values = ", ".join(f"{lookups[n]}({name})" if n in lookups else name for n, name in enumerate(names))
    defaults = "".join(f", {name}={name}" for name in lookups.values())
    source = f"def make(row{defaults}):\n    {', '.join(names)}, = row\n    return record({values})\n"
    namespace: dict[str, Any] = {name: uuids[spec.columns[n].target].get for n, name in lookups.items()}
    namespace["record"] = record
    exec(source, namespace)  # noqa: S102 (our own generated source, see above)
    return namespace["make"]


def new_encoder() -> msgspec.json.Encoder:
    """msgspec's JSON encoder as the export uses it (its defaults: no spaces, UTF-8 as is): one per table read, so
    that two exports in two threads never share one."""
    return msgspec.json.Encoder()


def json_lines_pg(spec: TableSpec, uuids: UuidsById) -> Iterator[tuple[bytes, int]]:
    """The table's rows as the package's JSON Lines, a batch at a time: (the lines' bytes, how many lines)."""
    make, encode_lines = record_maker(spec, uuids), new_encoder().encode_lines
    cursor = streamed(plain_sql(spec))
    try:
        while rows := cursor.fetchmany(BATCH):
            yield encode_lines(list(map(make, rows))), len(rows)
    finally:
        cursor.close()
