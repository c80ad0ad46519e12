"""A record read from PostgreSQL is written into the package as SQLite's json_object writes the same values: the
same keys in the same order, the same escapes, whole integers, true/false, null for an empty value or a key leading
nowhere. Whatever the texts (hypothesis over every character a PostgreSQL text can hold)."""
from __future__ import annotations

import sqlite3

from hypothesis import given, settings, strategies as st

from cvdesk.exchange.package_format import TableSpec, table_specs
from cvdesk.exchange.pg_json_lines import UuidsById, new_encoder, record_maker

TEXTS = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
FIGURES = st.integers(-(2**63), 2**63 - 1)
TARGET_ID, NOWHERE_ID = 7, 8


def _funding() -> TableSpec:
    return next(spec for spec in table_specs() if spec.table == "funding")  # texts, figures, a flag, a date, keys


def _sqlite_line(spec: TableSpec, values: list[object]) -> bytes:
    """What the SQLite export writes for these values (its json_lines_sql, on plain parameters)."""
    parts, params = [], []
    for column, value in zip(spec.columns, values):
        if column.kind == "bool":
            parts.append(f"'{column.key}', CASE WHEN ? IS NULL THEN NULL WHEN ? THEN json('true') ELSE json('false') END")
            params += [value, value]
        else:
            parts.append(f"'{column.key}', ?")
            params.append(value)
    connection = sqlite3.connect(":memory:")
    try:
        line = connection.execute(f"SELECT CAST(json_object({', '.join(parts)}) AS BLOB)", params).fetchone()[0]
    finally:
        connection.close()
    return line + b"\n"


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, figure=FIGURES, empty=st.booleans(), flag=st.booleans(), target=TEXTS, leads_nowhere=st.booleans())
def test_a_funding_line_reads_as_sqlite_writes_it(text: str, figure: int, empty: bool, flag: bool, target: str,
                                                  leads_nowhere: bool) -> None:
    spec = _funding()
    uuids = UuidsById()
    for column in spec.columns:
        if column.kind == "fk":
            uuids[column.target] = {TARGET_ID: target}
    row, expected = [], []
    for column in spec.columns:
        if column.kind == "fk":
            key = NOWHERE_ID if leads_nowhere else TARGET_ID
            row.append(key)
            expected.append(None if leads_nowhere else target)
            continue
        value: object = {"bool": flag, "int": figure}.get(column.kind, text)
        if empty and column.null:
            value = None
        row.append(value)
        expected.append(value)
    written = new_encoder().encode_lines([record_maker(spec, uuids)(tuple(row))])
    assert written == _sqlite_line(spec, expected)
