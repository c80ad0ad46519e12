"""What an exchange package holds: the manifest's fields and, per record type, its JSON Lines columns."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from peewee import BooleanField, DateField, ForeignKeyField, IntegerField

from cvdesk.store.models import RECORD_MODELS, Record, UtcDateTimeField

FORMAT_NAME = "cvdesk-echange"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 1024 * 1024
# Sums the merge recomputes from the funding lines: never compared, never trusted.
DERIVED = {"action": frozenset({"requested_total", "granted_total", "paid_total"})}
# Who created a record and when never change once it exists here; updated_at alone is no change of content.
NOT_COMPARED = frozenset({"created_at", "updated_at", "office"})
KEPT_ON_UPDATE = frozenset({"uuid", "created_at", "office"})
# Columns of this base's own bookkeeping that never travel: the local id, and the version a save checks (step 8).
LOCAL_ONLY = frozenset({"id", "version"})
# Columns a later schema step added (step -> table -> key -> the default a new record takes). A package written
# before that step (its manifest's schema_version is lower) may lack them: such a column is not known, never empty.
# It is left out of the comparison and of an update (the value here stays); a record new here takes the default.
ADDED_COLUMNS: dict[int, dict[str, dict[str, object]]] = {
    5: {
        "commune": {"departement": "", "siren": "", "population": None},
        "funder": {"siren": "", "siret": ""},
        "contract": {"reference_source": ""},
    },
    6: {
        "meeting": {"title": "", "status": "open"},
        "meeting_item": {"outcome": "", "amounts": "", "applied": ""},
    },
}
# Reading caps, checked before any object is built. A record's line: the longest a form allows is a history
# row of an action whose every text is full (some 450,000 characters, JSON-escaped, in UTF-8) - under 4 MB.
# A batch: the lines parsed at a time, by count and by size, so that parsing never holds more than a few MB.
MAX_LINE_BYTES = 4 * 1024 * 1024
READ_CHUNK_BYTES = 1024 * 1024
BATCH_LINES = 2000
BATCH_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    key: str  # the name in the JSON object (a foreign key by its field name, holding a UUID)
    sql: str  # the column in the table
    kind: str  # text | int | bool | date | utc | uuid | fk
    null: bool
    target: str = ""  # for fk: the referenced table


@dataclass(frozen=True)
class TableSpec:
    model: type[Record]
    table: str
    file: str
    columns: tuple[Column, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def index(self, key: str) -> int:
        return self.keys.index(key)


def _kind(field: object) -> str:
    if isinstance(field, ForeignKeyField):
        return "fk"
    if isinstance(field, UtcDateTimeField):
        return "utc"
    if isinstance(field, BooleanField):
        return "bool"
    if isinstance(field, IntegerField):
        return "int"
    if isinstance(field, DateField):
        return "date"
    return "text"


def _spec(model: type[Record]) -> TableSpec:
    columns = []
    for field in model._meta.sorted_fields:
        if field.name in LOCAL_ONLY:
            continue
        kind = "uuid" if field.name == "uuid" else _kind(field)
        target = field.rel_model._meta.table_name if isinstance(field, ForeignKeyField) else ""
        columns.append(Column(field.name, field.column_name, kind, bool(field.null), target))
    table = model._meta.table_name
    return TableSpec(model, table, f"{table}.jsonl", tuple(columns))


@cache
def table_specs() -> tuple[TableSpec, ...]:
    """One spec per exchanged record type, in dependency order."""
    return tuple(_spec(model) for model in RECORD_MODELS)


def compared_columns(spec: TableSpec) -> tuple[int, ...]:
    """The positions of the columns whose difference is a change of the record's content."""
    derived = DERIVED.get(spec.table, frozenset())
    return tuple(n for n, c in enumerate(spec.columns) if c.key not in derived and c.key not in NOT_COMPARED)


def optional_columns(table: str, schema_version: int) -> dict[str, object]:
    """The columns of table that a package written at schema_version may lack (added by a later step), with the
    default a record new here takes; empty for a package of the current schema, which must carry every column."""
    out: dict[str, object] = {}
    for step, tables in ADDED_COLUMNS.items():
        if step > schema_version:
            out.update(tables.get(table, {}))
    return out


def spec_for_file(name: str) -> TableSpec | None:
    for spec in table_specs():
        if spec.file == name:
            return spec
    return None
