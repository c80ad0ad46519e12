"""Schema versions in PRAGMA user_version and the ordered migration runner (a backup first, one transaction).

calibre's SchemaUpgrade is the model: the schema is a list of numbered steps written as plain SQL, never derived
from today's models, and every database, fresh or old, climbs the same steps in one exclusive transaction. A new
column is a new step at the end (ALTER TABLE … ADD COLUMN), plus the field on the peewee model."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from cvdesk.store.errors import StoreError
from cvdesk.store.frozen_schema import (
    BASE_SCHEMA,
    EXCHANGE_SCHEMA,
    FIGURE_CACHE_V7,
    MEETING_COLUMNS_V6,
    REFERENCE_COLUMNS_V5,
    SEARCH_SCHEMA_V3,
    SEARCH_SCHEMA_V4,
)

if TYPE_CHECKING:
    from peewee import SqliteDatabase
    from playhouse.migrate import SqliteMigrator

# 'cvds': marks the file as ours, so another program's SQLite database is recognised and refused.
APPLICATION_ID = 0x63766473


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[SqliteDatabase, SqliteMigrator], None]


def run_sql(*statements: str) -> Callable[[SqliteDatabase, SqliteMigrator], None]:
    """A step made of plain SQL statements, run in order."""
    def apply(database: SqliteDatabase, migrator: SqliteMigrator) -> None:
        for statement in statements:
            database.execute_sql(statement)
    return apply


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "schéma initial", run_sql(*BASE_SCHEMA)),
    Migration(2, "mémoire des échanges avec les autres bureaux", run_sql(*EXCHANGE_SCHEMA)),
    Migration(3, "index de recherche des actions", run_sql(*SEARCH_SCHEMA_V3)),
    Migration(4, "recherche sans accents, descriptions et objectifs compris", run_sql(*SEARCH_SCHEMA_V4)),
    Migration(5, "référentiel officiel : communes (département, SIREN, population), SIREN/SIRET des financeurs",
              run_sql(*REFERENCE_COLUMNS_V5)),
    Migration(6, "réunions : intitulé, ouverte ou close, décisions par point, montants par financeur, ce que la "
                 "clôture a changé", run_sql(*MEETING_COLUMNS_V6)),
    Migration(7, "totaux en argent du tableau de bord gardés avec la marque des données lues (démarrage)",
              run_sql(*FIGURE_CACHE_V7)),
)


def schema_version(database: SqliteDatabase) -> int:
    return int(database.pragma("user_version"))


def latest_version(steps: Sequence[Migration] = MIGRATIONS) -> int:
    return steps[-1].version if steps else 0


def migrate(database: SqliteDatabase, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to the last step; back up a non-empty database first. Returns the new version."""
    versions = [s.version for s in steps]
    if versions != sorted(set(versions)):
        raise ValueError("Les migrations doivent être numérotées dans l'ordre, sans doublon.")
    current = schema_version(database)
    target = latest_version(steps)
    if current > target:
        raise StoreError(
            f"La base {database.database} a été créée par une version plus récente de cvdesk "
            f"(schéma {current}, ce programme connaît le schéma {target}) : mettez cvdesk à jour."
        )
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
        if current > 0 and database.execute_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'").fetchone():
            database.execute_sql("ANALYZE")
    return target
