"""Schema versions in PRAGMA user_version and the ordered migration runner (a backup first, one transaction)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from peewee import SqliteDatabase
from playhouse.migrate import SqliteMigrator

from cvdesk.store.backups import Backups
from cvdesk.store.errors import StoreError
from cvdesk.store.exchange_models import EXCHANGE_MODELS
from cvdesk.store.models import ALL_MODELS
from cvdesk.store.search_index import create_action_search

# 'cvds': marks the file as ours, so another program's SQLite database is recognised and refused.
APPLICATION_ID = 0x63766473


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[SqliteDatabase, SqliteMigrator], None]


def _initial_schema(database: SqliteDatabase, migrator: SqliteMigrator) -> None:
    database.create_tables(ALL_MODELS, safe=True)


def _exchange_memory(database: SqliteDatabase, migrator: SqliteMigrator) -> None:
    database.create_tables(EXCHANGE_MODELS, safe=True)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "schéma initial", _initial_schema),
    Migration(2, "mémoire des échanges avec les autres bureaux", _exchange_memory),
    Migration(3, "index de recherche des actions", lambda database, migrator: create_action_search(database)),
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
    path = Path(database.database)
    if current > 0 and path.exists():
        Backups(path).take("migration")
    migrator = SqliteMigrator(database)
    # migration_context() turns foreign keys off (so a table rebuild cannot cascade) and runs one transaction.
    with migrator.migration_context():
        for step in pending:
            step.apply(database, migrator)
        database.pragma("user_version", target)
        if current == 0:
            database.pragma("application_id", APPLICATION_ID)
    return target
