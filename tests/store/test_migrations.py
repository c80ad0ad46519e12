"""The migration runner: ordered steps, one transaction, a backup first, child rows kept through a rebuild."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import IntegerField
from playhouse.migrate import migrate as run_ops

from cvdesk.services.quartiers import save_quartier
from cvdesk.services.reference import save_commune
from cvdesk.store.database import close_database, open_database
from cvdesk.store.migrations import MIGRATIONS, Migration, migrate, schema_version
from cvdesk.store.models import QuartierCommune


def _add_column(database, migrator) -> None:
    run_ops(migrator.add_column("quartier", "households", IntegerField(null=True)))


def _rebuild_quartier(database, migrator) -> None:
    # Changing a column's nullability makes SQLite rebuild the table: without migration_context, the
    # ON DELETE behaviour of the children could fire; the rows must all survive.
    run_ops(migrator.add_not_null("quartier", "notes"))


def _broken(database, migrator) -> None:
    run_ops(migrator.add_column("quartier", "broken", IntegerField(null=True)))
    raise RuntimeError("étape volontairement en échec")


def _columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def _seed_quartier_with_commune() -> None:
    commune = save_commune({"name": "Anzin", "postcode": "59410"}).record
    save_quartier({"code": "QP059002", "name": "Carpeaux", "population": 3100}, commune_ids=[commune.id])


def test_a_new_step_runs_after_a_backup_and_bumps_the_version(db_path: Path) -> None:
    database = open_database(db_path)
    _seed_quartier_with_commune()
    steps = (*MIGRATIONS, Migration(MIGRATIONS[-1].version + 1, "ménages", _add_column))
    assert migrate(database, steps) == steps[-1].version
    assert schema_version(database) == steps[-1].version
    close_database()
    assert "households" in _columns(db_path, "quartier")
    backups = list((db_path.parent / "bureau.sauvegardes").glob("*-migration.db"))
    assert len(backups) == 1
    assert "households" not in _columns(backups[0], "quartier")


def test_a_failing_step_leaves_the_database_as_it_was(db_path: Path) -> None:
    database = open_database(db_path)
    _seed_quartier_with_commune()
    version = schema_version(database)
    steps = (*MIGRATIONS, Migration(version + 1, "ménages", _add_column), Migration(version + 2, "cassée", _broken))
    with pytest.raises(RuntimeError):
        migrate(database, steps)
    assert schema_version(database) == version
    close_database()
    assert "households" not in _columns(db_path, "quartier")
    assert "broken" not in _columns(db_path, "quartier")


def test_a_table_rebuild_keeps_the_child_rows(db_path: Path) -> None:
    database = open_database(db_path)
    _seed_quartier_with_commune()
    steps = (*MIGRATIONS, Migration(MIGRATIONS[-1].version + 1, "reconstruction", _rebuild_quartier))
    migrate(database, steps)
    assert QuartierCommune.select().count() == 1
    assert list(database.execute_sql("PRAGMA foreign_key_check")) == []
    close_database()


def test_steps_out_of_order_are_refused(db_path: Path) -> None:
    database = open_database(db_path)
    steps = (Migration(2, "b", _add_column), Migration(1, "a", _add_column))
    with pytest.raises(ValueError):
        migrate(database, steps)
    close_database()


def test_an_analysed_base_has_statistics_for_the_indexes_a_step_adds(tmp_path: Path) -> None:
    from cvdesk.store.migrations import latest_version

    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "schema-v3.db"
    copy = tmp_path / "analysed-v3.db"
    copy.write_bytes(fixture.read_bytes())
    conn = sqlite3.connect(copy)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    database = open_database(copy)
    try:
        assert database.pragma("user_version") == latest_version()
    finally:
        close_database()
    conn = sqlite3.connect(copy)
    try:
        analysed = {name for (name,) in conn.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'action'")}
        indexes = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'action' AND sql IS NOT NULL")}
    finally:
        conn.close()
    assert "action_deleted_reference" in indexes  # added by step 4, after the fixture's schema
    assert indexes <= analysed
