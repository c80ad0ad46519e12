"""Schema versions (PRAGMA user_version, or the cvdesk_schema table on PostgreSQL) and the ordered migration runner.

calibre's SchemaUpgrade is the model: the schema is a list of numbered steps written as plain SQL, never derived
from today's models, and every database, fresh or old, climbs the same steps in one exclusive transaction. A new
column is a new step at the end (ALTER TABLE … ADD COLUMN), plus the field on the peewee model. Each step is
written twice, in SQLite's SQL (frozen_schema.py) and in PostgreSQL's (frozen_schema_pg.py), numbered together."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from cvdesk.store.errors import StoreError
from cvdesk.store.frozen_schema_pg import (
    BASE_SCHEMA_PG,
    EXCHANGE_SCHEMA_PG,
    MEETING_COLUMNS_V6_PG,
    REFERENCE_COLUMNS_V5_PG,
)
from cvdesk.store.frozen_schema import (
    BASE_SCHEMA,
    EXCHANGE_SCHEMA,
    FIGURE_CACHE_V7,
    MEETING_COLUMNS_V6,
    REFERENCE_COLUMNS_V5,
    SEARCH_SCHEMA_V3,
    SEARCH_SCHEMA_V4,
    UNREAD_INDEXES_V9,
    VERSION_COLUMNS_V8,
)
# APPLICATION_ID ('cvds') marks the file as ours, so another program's database is recognised and refused: one number,
# kept with the last step's in schema_latest (the window reads both before it imports these steps).
from cvdesk.store.schema_latest import APPLICATION_ID
from cvdesk.store.search_schema_pg import FIGURE_CACHE_PG_V7, SEARCH_SCHEMA_PG_V4, create_trigram_extension

if TYPE_CHECKING:
    from peewee import Database
    from playhouse.migrate import SchemaMigrator


Step = Callable[["Database", "SchemaMigrator"], None]


def run_sql(*statements: str) -> Step:
    """A step made of plain SQL statements, run in order."""
    def apply(database: Database, migrator: SchemaMigrator) -> None:
        for statement in statements:
            database.execute_sql(statement)
    return apply


def _not_on_postgres(database: Database, migrator: SchemaMigrator) -> None:
    """A step whose PostgreSQL SQL is not written yet: nothing to do (a step of SQLite only, or one in progress)."""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Step
    apply_postgres: Step = _not_on_postgres
    # Whether the planner needs fresh statistics after the step (an index or rows added). A step that only drops
    # indexes leaves the others' statistics as they were (DROP INDEX takes its own rows out of sqlite_stat1, and
    # PostgreSQL's statistics are the columns'): no ANALYZE after it (0.4 s of the first opening of a national base).
    analyse: bool = True


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "schéma initial", run_sql(*BASE_SCHEMA), run_sql(*BASE_SCHEMA_PG)),
    Migration(2, "mémoire des échanges avec les autres bureaux", run_sql(*EXCHANGE_SCHEMA),
              run_sql(*EXCHANGE_SCHEMA_PG)),
    Migration(3, "index de recherche des actions", run_sql(*SEARCH_SCHEMA_V3), create_trigram_extension),
    Migration(4, "recherche sans accents, descriptions et objectifs compris", run_sql(*SEARCH_SCHEMA_V4),
              run_sql(*SEARCH_SCHEMA_PG_V4)),
    Migration(5, "référentiel officiel : communes (département, SIREN, population), SIREN/SIRET des financeurs",
              run_sql(*REFERENCE_COLUMNS_V5), run_sql(*REFERENCE_COLUMNS_V5_PG)),
    Migration(6, "réunions : intitulé, ouverte ou close, décisions par point, montants par financeur, ce que la "
                 "clôture a changé", run_sql(*MEETING_COLUMNS_V6), run_sql(*MEETING_COLUMNS_V6_PG)),
    Migration(7, "totaux en argent du tableau de bord gardés avec la marque des données lues (démarrage)",
              run_sql(*FIGURE_CACHE_V7), run_sql(*FIGURE_CACHE_PG_V7)),
    Migration(8, "version de chaque fiche (plusieurs personnes à la fois : une fiche modifiée entre-temps n'est pas "
                 "écrasée)", run_sql(*VERSION_COLUMNS_V8), run_sql(*VERSION_COLUMNS_V8)),
    Migration(9, "index que personne ne lit retirés (dates de modification, marques de suppression seules, débuts "
                 "d'autres index) : fusions et imports plus rapides", run_sql(*UNREAD_INDEXES_V9),
              run_sql(*UNREAD_INDEXES_V9), analyse=False),
)


SCHEMA_TABLE = "cvdesk_schema"


def _is_postgres(database: Database) -> bool:
    from peewee import PostgresqlDatabase

    return isinstance(getattr(database, "obj", database), PostgresqlDatabase)


def schema_version(database: Database) -> int:
    """The last step applied: PRAGMA user_version on SQLite, the cvdesk_schema table on PostgreSQL (0 without it)."""
    if not _is_postgres(database):
        return int(database.pragma("user_version"))
    if database.execute_sql("SELECT to_regclass(?)", (SCHEMA_TABLE,)).fetchone()[0] is None:
        return 0
    row = database.execute_sql(f"SELECT value FROM {SCHEMA_TABLE} WHERE key = 'user_version'").fetchone()
    return int(row[0]) if row else 0


def latest_version(steps: Sequence[Migration] = MIGRATIONS) -> int:
    return steps[-1].version if steps else 0


def _check_order(steps: Sequence[Migration]) -> None:
    versions = [s.version for s in steps]
    if versions != sorted(set(versions)):
        raise ValueError("Les migrations doivent être numérotées dans l'ordre, sans doublon.")


def _refuse_newer(name: str, current: int, target: int) -> None:
    if current > target:
        raise StoreError(
            f"La base {name} a été créée par une version plus récente de cvdesk "
            f"(schéma {current}, ce programme connaît le schéma {target}) : mettez cvdesk à jour."
        )


def migrate(database: Database, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to the last step; back up a non-empty database first. Returns the new version."""
    _check_order(steps)
    if _is_postgres(database):
        return _migrate_postgres(database, steps)
    current = schema_version(database)
    target = latest_version(steps)
    _refuse_newer(database.database, current, target)
    pending = [s for s in steps if s.version > current]
    if not pending:
        return current
    # Only a pending step needs these (about 12 to 18 ms at every start otherwise, the window's included).
    from playhouse.migrate import SqliteMigrator

    from cvdesk.store.backups import Backups

    path = Path(database.database)
    if current > 0 and path.exists():
        Backups(path).take("migration")
    migrator = SqliteMigrator(database)
    # Foreign keys off (a table rebuild must not cascade), then one exclusive transaction for every step: a step
    # that fails leaves the database exactly at its old version, and no other program reads a half-built schema.
    with migrator.migration_context(atomic=False), database.atomic("EXCLUSIVE"):
        for step in pending:
            step.apply(database, migrator)
        broken = database.execute_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise StoreError(f"La mise à jour du schéma de la base {database.database} casserait "
                             f"{len(broken)} référence(s) (table {broken[0][0]}) : elle est annulée.")
        database.pragma("user_version", target)
        if current == 0:
            database.pragma("application_id", APPLICATION_ID)
        # A base analysed before has statistics for its old indexes only, and SQLite's planner then trusts an index
        # a step added blindly: on the national base the year's actions were read through the whole table (the
        # dashboard's counts 30 times slower). Statistics for every index, old and new, keep the plans sound.
        if current > 0 and any(step.analyse for step in pending) and database.execute_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'").fetchone():
            database.execute_sql("ANALYZE")
    return target


def _migrate_postgres(database: Database, steps: Sequence[Migration]) -> int:
    """The same steps on PostgreSQL, in one transaction (PostgreSQL's DDL is transactional: a failed step leaves
    the base at its old version). A transaction-level advisory lock keeps two programs opening the same new base
    from building it twice; an empty base is adopted (marked ours), a base holding another program's tables refused.
    The server keeps its own backups (pg_dump, `cvdesk backup`): none is taken here."""
    from playhouse.migrate import PostgresqlMigrator

    target = latest_version(steps)
    name = _display_name(database)
    with database.atomic():
        database.execute_sql("SELECT pg_advisory_xact_lock(?)", (APPLICATION_ID,))
        if database.execute_sql("SELECT to_regclass(?)", (SCHEMA_TABLE,)).fetchone()[0] is None:
            others = database.execute_sql(
                "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p', 'f')").fetchone()[0]
            if others:
                raise StoreError(f"La base PostgreSQL {name} contient déjà des tables d'un autre programme : elle "
                                 "n'est pas adoptée (donnez à cvdesk une base vide, créée avec CREATE DATABASE).")
            database.execute_sql(f"CREATE TABLE {SCHEMA_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            database.execute_sql(f"INSERT INTO {SCHEMA_TABLE} (key, value) VALUES ('application_id', ?), "
                                 "('user_version', '0')", (str(APPLICATION_ID),))
        marks = dict(database.execute_sql(f"SELECT key, value FROM {SCHEMA_TABLE}").fetchall())
        if marks.get("application_id") != str(APPLICATION_ID):
            raise StoreError(f"La base PostgreSQL {name} a une table {SCHEMA_TABLE} qui n'est pas celle de cvdesk : "
                             "elle n'est pas adoptée.")
        current = int(marks.get("user_version", "0"))
        _refuse_newer(name, current, target)
        pending = [s for s in steps if s.version > current]
        if not pending:
            return current
        migrator = PostgresqlMigrator(database)
        for step in pending:
            step.apply_postgres(database, migrator)
        database.execute_sql(f"UPDATE {SCHEMA_TABLE} SET value = ? WHERE key = 'user_version'", (str(target),))
        # Fresh statistics for the planner after the steps, as on SQLite (cheap on a new base).
        if current > 0 and any(step.analyse for step in pending):
            database.execute_sql("ANALYZE")
    return target


def _display_name(database: Database) -> str:
    from cvdesk.store.target import parse_target

    return parse_target(str(database.database)).display
