"""Copying a whole cvdesk base between SQLite and PostgreSQL into an empty target, ids kept, then comparing the
two bases table by table (rows and money totals) before the copy is committed.

One side is always the base opened by opened_database() (the one place that opens a base), reached through
engine.raw(); the other is a SQLite file reached by a plain sqlite3 connection, as the backup reads a live base:
SQLite -> PostgreSQL opens the PostgreSQL target and reads the file in one read transaction; PostgreSQL -> SQLite
creates the file's schema through opened_database(), then opens the PostgreSQL source and writes the file in one
transaction; PostgreSQL -> PostgreSQL goes through a private temporary SQLite file. A copy that fails or whose
figures differ leaves nothing: the target's transaction is rolled back, a file it created is removed."""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence

from cvdesk.domain.numbers import grouped
from cvdesk.store.errors import StoreError, describe_os_error, read_only_uri

# Rows read and written at a time: bounded memory on the national base (433,000 history rows).
BATCH = 5000

# Tables a copy never writes: their content follows from the copied rows (filled by triggers while the rows go in,
# or rebuilt at first use), or they describe the engine's own schema.
DERIVED_TABLES = frozenset({"action_search", "association_search", "figure_generation", "year_figure_cache",
                            "figure_change", "cvdesk_schema"})
# SQLite's full-text tables keep their content in shadow tables named after them.
DERIVED_PREFIXES = ("action_search_", "association_search_", "sqlite_")

# The money columns (integer cents) whose totals are compared per table, with the words a report names them by.
MONEY_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "action": (("total_cost", "coût total"), ("requested_total", "demandé"), ("granted_total", "accordé"),
               ("paid_total", "versé")),
    "funding": (("requested", "demandé"), ("granted", "accordé"), ("paid", "versé")),
    "envelope": (("amount", "montant"),),
}
# A column pointing at a row of its own table, which may come later in id order (a renewal whose previous year
# arrived after it by a merge): written empty first, set once the whole table is in.
SELF_REFERENCES = {"action": "previous_id"}

# PostgreSQL's integer types and their bounds (SQLite keeps any 64-bit integer whatever the declared type).
INTEGER_BOUNDS = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}

Progress = Callable[[str, int, int], None]  # table, rows written, rows to write


class Connection(Protocol):
    """What the copy needs of a connection: sqlite3's, or engine.raw() of the open base."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any: ...


@dataclass(frozen=True)
class TableFigures:
    """What is compared of one table on each side: its row count and the total of each money column."""

    table: str
    rows: int
    totals: tuple[int, ...] = ()


@dataclass
class CopyReport:
    source: str
    target: str
    tables: list[TableFigures] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def lines(self) -> list[str]:
        from cvdesk.domain.money import format_money

        out = [f"Copie de {self.source} vers {self.target} : {len(self.tables)} tables, "
               f"{grouped(self.rows)} ligne(s)."]
        for figures in self.tables:
            money = "".join(f" ; {label} {format_money(total)}"
                            for (_column, label), total in zip(MONEY_COLUMNS.get(figures.table, ()), figures.totals))
            out.append(f"  {figures.table} : {grouped(figures.rows)} ligne(s){money}")
        out.append("Vérification : les deux bases ont, table par table, le même nombre de lignes et les mêmes "
                   "totaux en argent.")
        return out


def copied_tables() -> tuple[str, ...]:
    """Every table a copy writes, a table after those it references: the settings, the records, the exchanges."""
    from cvdesk.store.exchange_models import EXCHANGE_MODELS
    from cvdesk.store.models import ALL_MODELS

    return tuple(model._meta.table_name for model in (*ALL_MODELS, *EXCHANGE_MODELS))


def is_derived(table: str) -> bool:
    return table in DERIVED_TABLES or table.startswith(DERIVED_PREFIXES)


# ---- reading and comparing one side ---------------------------------------------------------------------------

def _tables(conn: Connection, postgres: bool) -> set[str]:
    if postgres:
        rows = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                            " AND table_type = 'BASE TABLE'").fetchall()
    else:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {row[0] for row in rows}


def _columns(conn: Connection, table: str) -> list[str]:
    cursor = conn.execute(f'SELECT * FROM "{table}" WHERE 1 = 0')
    names = [d[0] for d in cursor.description]
    cursor.fetchall()
    return names


def figures(conn: Connection, table: str) -> TableFigures:
    """The table's row count and money totals, by SQL on that side alone."""
    money = MONEY_COLUMNS.get(table, ())
    sums = "".join(f', COALESCE(SUM("{column}"), 0)' for column, _label in money)
    row = conn.execute(f'SELECT count(*){sums} FROM "{table}"').fetchone()
    return TableFigures(table, int(row[0]), tuple(int(v) for v in row[1:]))


def _batches(conn: Connection, table: str, columns: list[str]) -> Iterator[list[tuple[Any, ...]]]:
    """The table's rows in primary-key order, a batch at a time (by id ranges: no engine keeps a cursor open for
    us across batches the same way)."""
    selected = ", ".join(f'"{c}"' for c in columns)
    if "id" not in columns:  # the settings and the peers: a few rows
        rows = conn.execute(f'SELECT {selected} FROM "{table}" ORDER BY "{columns[0]}"').fetchall()
        if rows:
            yield [tuple(r) for r in rows]
        return
    at = columns.index("id")
    last: int | None = None
    while True:
        if last is None:
            rows = conn.execute(f'SELECT {selected} FROM "{table}" ORDER BY "id" LIMIT {BATCH}').fetchall()
        else:
            rows = conn.execute(f'SELECT {selected} FROM "{table}" WHERE "id" > ? ORDER BY "id" LIMIT {BATCH}',
                                (last,)).fetchall()
        if not rows:
            return
        yield [tuple(r) for r in rows]
        last = rows[-1][at]


# ---- what a PostgreSQL target accepts -------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnRule:
    """What PostgreSQL holds in a column, to name a SQLite value it would refuse before writing anything."""

    name: str
    data_type: str
    max_length: int | None


def _postgres_rules(conn: Connection, table: str) -> dict[str, ColumnRule]:
    rows = conn.execute("SELECT column_name, data_type, character_maximum_length FROM information_schema.columns"
                        " WHERE table_schema = current_schema() AND table_name = ?", (table,)).fetchall()
    return {name: ColumnRule(name, data_type, length) for name, data_type, length in rows}


def refusal(rule: ColumnRule, value: Any) -> str | None:
    """Why PostgreSQL would refuse value in this column (SQLite accepted it: it checks neither types nor lengths)."""
    if value is None:
        return None
    if rule.data_type in INTEGER_BOUNDS:
        if type(value) is not int:
            return f"« {str(value)[:40]} » n'est pas un nombre entier"
        bound = INTEGER_BOUNDS[rule.data_type]
        if not -bound <= value < bound:
            return f"{value} dépasse le plus grand entier que la colonne accepte ({bound - 1})"
        return None
    if rule.data_type == "date":
        if isinstance(value, dt.date):
            return None
        # Exactly AAAA-MM-JJ, as peewee writes a date: the server would also take « 20150301 » or « today », and
        # give back another text than the one copied.
        try:
            exact = isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value
        except ValueError:
            exact = False
        return None if exact else f"« {str(value)[:40]} » n'est pas une date AAAA-MM-JJ"
    if not isinstance(value, str):  # SQLite turns a number into text in a text column: a blob is left
        return "la valeur n'est pas du texte"
    text = value
    if "\x00" in text:
        return "le texte contient un caractère nul (0x00), que PostgreSQL refuse"
    if rule.max_length is not None and len(text) > rule.max_length:
        return f"le texte a {len(text)} caractères, la colonne en accepte {rule.max_length}"
    return None


def _check_for_postgres(table: str, columns: list[str], rows: list[tuple[Any, ...]],
                        rules: dict[str, ColumnRule], source: str) -> None:
    checked = [(n, rules[c]) for n, c in enumerate(columns) if c in rules]
    for row in rows:
        for n, rule in checked:
            reason = refusal(rule, row[n])
            if reason:
                raise StoreError(f"La base {source}, table {table}, {_row_name(columns, row)}, colonne {rule.name} : "
                                 f"{reason} ; corrigez cette valeur dans la base d'origine : rien n'a été copié.")


def _row_name(columns: list[str], row: tuple[Any, ...]) -> str:
    for key in ("uuid", "id", "key", "office"):
        if key in columns:
            return f"ligne {key} {row[columns.index(key)]}"
    return "une ligne"


def _for_sqlite(value: Any) -> Any:
    """A PostgreSQL value as the SQLite base keeps it (dates as ISO text, as peewee writes them)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, memoryview):
        return bytes(value)
    return value


# ---- one copy between two open connections --------------------------------------------------------------------

@dataclass
class Side:
    conn: Connection
    postgres: bool
    display: str


def _refuse_unknown_tables(source: Side) -> None:
    known = set(copied_tables())
    unknown = sorted(t for t in _tables(source.conn, source.postgres) - known if not is_derived(t))
    if unknown:
        raise StoreError(f"La base {source.display} contient une table que ce programme ne sait pas copier "
                         f"({unknown[0]}) : mettez cvdesk à jour ; rien n'a été copié.")


def refuse_non_empty(target: Side) -> None:
    """An empty target only: the copy keeps the source's ids, and would meet a row already there."""
    for table in copied_tables():
        rows = figures(target.conn, table).rows
        if rows:
            raise StoreError(f"La base {target.display} n'est pas vide (table {table} : {grouped(rows)} ligne(s)) : "
                             "la copie ne s'écrit que dans une base vide ; rien n'a été écrit.")


def copy_tables(source: Side, target: Side, progress: Progress | None = None,
                after_explicit_ids: Callable[[str], None] | None = None) -> CopyReport:
    """Write every copied table of source into target (both in a transaction held by the caller), then compare.
    StoreError (one French sentence) when a value cannot go in or the figures differ."""
    _refuse_unknown_tables(source)
    refuse_non_empty(target)
    report = CopyReport(source.display, target.display)
    for table in copied_tables():
        expected = figures(source.conn, table)
        columns = _columns(target.conn, table)
        missing = [c for c in columns if c not in _columns(source.conn, table)]
        if missing:
            raise StoreError(f"La base {source.display} n'a pas la colonne {table}.{missing[0]} : ses schémas "
                             "diffèrent ; ouvrez-la une fois avec cette version de cvdesk, puis relancez la copie.")
        _copy_table(source, target, table, columns, expected.rows, progress)
        if after_explicit_ids is not None and "id" in columns:
            after_explicit_ids(table)
        written = figures(target.conn, table)
        if written != expected:
            raise StoreError(f"La copie de la table {table} ne correspond pas à l'original ({_describe(expected)} "
                             f"dans {source.display}, {_describe(written)} dans {target.display}) : elle est "
                             "annulée, rien n'a été écrit.")
        report.tables.append(written)
    return report


def analyze(conn: Connection) -> None:
    """Statistics for every index of the tables just filled: a fresh base's first queries (the window's first list
    on a national base) are planned from them, not from an empty table's guesses."""
    conn.execute("ANALYZE")


@contextmanager
def bulk_server_writes(conn: Connection) -> Iterator[None]:
    """An empty PostgreSQL base filled by a copy (inside its transaction, which no one else sees): its indexes
    dropped and built once at the end (the search index's trigram index included), save those behind a primary
    key or a constraint, which the foreign keys need."""
    indexes = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || "
        "quote_ident(i.indexname))::regclass)").fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in indexes:
        conn.execute(sql)


# The search indexes' insert triggers of a SQLite file, set aside while a copy writes it: each index is then filled
# from its view in one statement, which gives the very same rows as the triggers one by one.
SEARCH_FILLS = (("action_search_insert", "INSERT INTO action_search(rowid, text) SELECT id, text FROM "
                 "action_search_source"),
                ("association_search_insert", "INSERT INTO association_search(rowid, text) SELECT id, text FROM "
                 "association_search_source"))


@contextmanager
def bulk_file_writes(conn: sqlite3.Connection) -> Iterator[None]:
    """A new SQLite file written from scratch (inside the caller's transaction): its indexes dropped and built once
    from sorted keys at the end, its search indexes filled in one pass, instead of both kept up row by row."""
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    triggers = []
    for name, fill in SEARCH_FILLS:
        found = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()
        if found is not None:
            conn.execute(f'DROP TRIGGER "{name}"')
            triggers.append((found[0], fill))
    yield
    for _name, sql in indexes:
        conn.execute(sql)
    for sql, fill in triggers:
        conn.execute(fill)
        conn.execute(sql)


def _describe(figures: TableFigures) -> str:
    from cvdesk.domain.money import format_money

    money = "".join(f", {label} {format_money(total)}"
                    for (_c, label), total in zip(MONEY_COLUMNS.get(figures.table, ()), figures.totals))
    return f"{grouped(figures.rows)} ligne(s){money}"


def _copy_table(source: Side, target: Side, table: str, columns: list[str], total: int,
                progress: Progress | None) -> None:
    rules = _postgres_rules(target.conn, table) if target.postgres else {}
    insert = (f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
              f'VALUES ({", ".join("?" for _ in columns)})')
    copy_in = f'COPY "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) FROM STDIN'
    self_ref = SELF_REFERENCES.get(table)
    at_ref = columns.index(self_ref) if self_ref in columns else None
    at_id = columns.index("id") if "id" in columns else None
    later: list[tuple[int, int]] = []  # (referenced id, row id) set once the table is in
    done = 0
    if progress is not None:
        progress(table, 0, total)
    for rows in _batches(source.conn, table, columns):
        if rules:
            _check_for_postgres(table, columns, rows, rules, source.display)
        elif not target.postgres and source.postgres:
            rows = [tuple(_for_sqlite(v) for v in row) for row in rows]
        if at_ref is not None and at_id is not None:
            rows = [_defer_forward(row, at_id, at_ref, later) for row in rows]
        _write(target, insert, copy_in, rows)
        done += len(rows)
        if progress is not None:
            progress(table, done, total)
    if later:
        target.conn.executemany(f'UPDATE "{table}" SET "{self_ref}" = ? WHERE "id" = ?', later)


def _write(target: Side, insert: str, copy_in: str, rows: list[tuple[Any, ...]]) -> None:
    """Rows into the target: PostgreSQL's COPY when the target is a driver's connection (one stream per batch
    instead of one statement per row), else executemany."""
    driver = getattr(target.conn, "connection", None) if target.postgres else None
    if driver is None or not hasattr(driver, "cursor"):
        target.conn.executemany(insert, rows)
        return
    from cvdesk.store import pg_driver

    pg_driver.copy_rows(driver, copy_in, rows)


def _defer_forward(row: tuple[Any, ...], at_id: int, at_ref: int, later: list[tuple[int, int]]) -> tuple[Any, ...]:
    ref = row[at_ref]
    if ref is None or ref < row[at_id]:
        return row
    later.append((ref, row[at_id]))
    return row[:at_ref] + (None,) + row[at_ref + 1:]


# ---- the command: choosing the sides ----------------------------------------------------------------------------

def copy_database(source_text: str, target_text: str, progress: Progress | None = None) -> CopyReport:
    """cvdesk copy --from SOURCE --to TARGET: a path (SQLite) or a postgresql:// URL on each side."""
    from cvdesk.store.target import is_postgres_url

    from_postgres, to_postgres = is_postgres_url(source_text), is_postgres_url(target_text)
    if not from_postgres:
        return _file_to_open_base(Path(source_text), target_text, progress)
    if not to_postgres:
        return _open_base_to_file(source_text, Path(target_text), progress)
    # Server to server: through a private SQLite file, removed after.
    folder = Path(tempfile.mkdtemp(prefix="cvdesk-copie-"))
    try:
        middle = folder / "copie.db"
        _open_base_to_file(source_text, middle, progress)
        report = _file_to_open_base(middle, target_text, progress)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report.source = _display(source_text)
    return report


def _display(text: str) -> str:
    from cvdesk.store.target import parse_target

    target = parse_target(text)
    return str(getattr(target, "display", text))


def _new_file(path: Path) -> None:
    """A SQLite target is a new file: the copy never writes into a base someone may be using."""
    if path.exists():
        raise StoreError(f"Le fichier {path} existe déjà : la copie écrit une nouvelle base, choisissez un autre "
                         "nom (argument --to).")
    if not path.parent.is_dir():
        raise StoreError(f"Le dossier {path.parent} n'existe pas (argument --to).")


def _checked_source_file(path: Path) -> None:
    """A sound cvdesk file at this program's schema (an older one is brought up to date by opening it once)."""
    from cvdesk.store.database import opened_database, refuse_foreign_file
    from cvdesk.store.migrations import latest_version

    if not path.is_file():
        raise StoreError(f"La base {path} n'existe pas (argument --from).")
    refuse_foreign_file(path)
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    if broken:
        raise StoreError(f"La base {path} a {len(broken)} référence(s) cassée(s) (table {broken[0][0]}) : lancez "
                         f"« cvdesk check --db {path} » ; rien n'a été copié.")
    if version != latest_version():
        with opened_database(path, create=False):
            pass


@contextmanager
def _read_snapshot(path: Path) -> Iterator[sqlite3.Connection]:
    """The file read in one read transaction: one consistent state even while the window saves."""
    conn = sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        yield conn
        conn.execute("COMMIT")
    finally:
        conn.close()


def _file_to_open_base(source: Path, target_text: str, progress: Progress | None) -> CopyReport:
    from cvdesk.store import engine
    from cvdesk.store.database import is_read_only, opened_database
    from cvdesk.store.models import db

    _checked_source_file(source)
    to_postgres = _is_url(target_text)
    target_path = None if to_postgres else Path(target_text)
    if target_path is not None:
        _new_file(target_path)
    try:
        with opened_database(target_text if to_postgres else target_path, create=True), _read_snapshot(source) as read:
            target = Side(engine.raw(), engine.is_postgres(), _display(target_text))
            if is_read_only():
                raise StoreError(f"Ce rôle peut lire la base {target.display} mais pas y écrire : la copie demande un "
                                 "rôle qui puisse y créer des lignes ; rien n'a été écrit.")
            with _said_in_french(target.display), db.atomic():
                with bulk_server_writes(target.conn) if target.postgres else nullcontext():
                    report = copy_tables(Side(read, False, str(source)), target, progress, engine.after_explicit_ids)
                analyze(target.conn)
    except BaseException:
        if target_path is not None:
            _remove_file(target_path)
        raise
    return report


def _is_url(text: str) -> bool:
    from cvdesk.store.target import is_postgres_url

    return is_postgres_url(text)


def _open_base_to_file(source_text: str, target: Path, progress: Progress | None) -> CopyReport:
    from cvdesk.store import engine
    from cvdesk.store.database import opened_database
    from cvdesk.store.models import db
    from cvdesk.store.search_index import FOLDED_FIELDS, folded_fields

    _new_file(target)
    try:
        with opened_database(target, create=True):  # the file's schema, by the same steps as any new base
            pass
        with opened_database(source_text, create=False):
            write = sqlite3.connect(target, isolation_level=None)
            try:
                write.create_function(FOLDED_FIELDS, -1, folded_fields, deterministic=True)
                write.execute("PRAGMA foreign_keys = ON")
                write.execute("PRAGMA synchronous = FULL")
                write.execute("BEGIN IMMEDIATE")
                with _said_in_french(str(target)), db.atomic():
                    _repeatable_read()
                    with bulk_file_writes(write):
                        report = copy_tables(Side(engine.raw(), engine.is_postgres(), _display(source_text)),
                                             Side(write, False, str(target)), progress)
                    analyze(write)
                write.execute("COMMIT")
            finally:
                if write.in_transaction:
                    write.execute("ROLLBACK")
                write.close()
    except OSError as exc:
        _remove_file(target)
        raise StoreError(f"La copie n'a pas pu être écrite dans {target} : {describe_os_error(exc)} ; rien n'a été "
                         "gardé.") from exc
    except BaseException:
        _remove_file(target)
        raise
    return report


def _repeatable_read() -> None:
    """On PostgreSQL, the source read as one snapshot (the first statement of its transaction), so that rows others
    commit during the copy are in neither the copy nor its comparison; SQLite's read transaction is one already."""
    from cvdesk.store import engine

    if engine.is_postgres():
        engine.raw().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


@contextmanager
def _said_in_french(target: str) -> Iterator[None]:
    """A refusal of either engine in the middle of the copy (a full disk, a server gone, a right missing) as one
    French sentence; the transactions around roll everything back."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = lines[0].rstrip(".") if lines else type(exc).__name__
        raise StoreError(f"La copie vers {target} a échoué ({reason}) : elle est annulée, rien n'a été "
                         "écrit.") from exc


def _is_database_error(exc: BaseException) -> bool:
    import peewee

    if isinstance(exc, (sqlite3.Error, peewee.DatabaseError)):
        return True
    from cvdesk.store.server_lost import loaded_driver

    driver = loaded_driver()
    return driver is not None and isinstance(exc, driver.Error)


def _remove_file(path: Path) -> None:
    """Remove a base this copy created (nothing of the user's: the target had to be a new file)."""
    for suffix in ("", "-wal", "-shm", ".verrou"):
        Path(str(path) + suffix).unlink(missing_ok=True)
