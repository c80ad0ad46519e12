"""The schema number the window reads before its first paint (store/schema_latest.py) is the steps' own."""
from __future__ import annotations

from cvdesk.store import migrations, schema_latest


def test_the_schema_number_read_before_the_first_paint_is_the_last_step_of_the_migrations() -> None:
    # A new schema step must raise LATEST_SCHEMA too, or the window would open an old base without climbing it.
    assert schema_latest.LATEST_SCHEMA == migrations.latest_version(migrations.MIGRATIONS)
    assert schema_latest.LATEST_SCHEMA == max(step.version for step in migrations.MIGRATIONS)
    assert schema_latest.APPLICATION_ID == migrations.APPLICATION_ID


def test_an_old_base_opened_with_the_programs_own_steps_climbs_to_the_last_one(tmp_path) -> None:
    from cvdesk.store.connection import execute_sql
    from cvdesk.store.database import close_database, open_database

    path = tmp_path / "ancienne.cvdesk"
    open_database(path, migrations=migrations.MIGRATIONS[:6], models=False)
    assert execute_sql("PRAGMA user_version").fetchone()[0] == 6
    close_database()
    open_database(path, models=False)  # no steps given: the program's own
    try:
        assert execute_sql("PRAGMA user_version").fetchone()[0] == max(s.version for s in migrations.MIGRATIONS)
    finally:
        close_database()
