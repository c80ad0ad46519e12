"""Every schema step, run one opening at a time on SQLite and on PostgreSQL: a base climbs from step 1 to the last,
the records already there are found by the search (accents ignored) and carry version 1 after step 8; step 9 takes
the unread indexes away (tests/store/test_unread_indexes.py tells which)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from cvdesk.store.database import close_database, open_database
from cvdesk.store.errors import StoreError
from cvdesk.store.migrations import MIGRATIONS, latest_version

pytestmark = pytest.mark.both_engines

Rows = Callable[..., list[tuple]]

# The tables of models.Record's subclasses, listed by hand (not read from the models under test).
RECORD_TABLES = ("contract", "signatory", "orientation", "commune", "quartier", "quartier_commune",
                 "quartier_indicator", "association", "action", "action_quartier", "funder", "funding", "envelope",
                 "meeting", "meeting_item", "history")
NOW = "2026-11-30T16:00:00.000000Z"


def _has_table(sql_rows: Rows, engine: str, name: str) -> bool:
    if engine == "sqlite":
        return bool(sql_rows("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)))
    return sql_rows("SELECT to_regclass(?)", (name,))[0][0] is not None


def _has_index(sql_rows: Rows, engine: str, name: str) -> bool:
    if engine == "sqlite":
        return bool(sql_rows("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)))
    return bool(sql_rows("SELECT 1 FROM pg_indexes WHERE indexname = ?", (name,)))


def _columns(sql_rows: Rows, engine: str, table: str) -> set[str]:
    if engine == "sqlite":
        return {row[1] for row in sql_rows(f'PRAGMA table_info("{table}")')}
    return {row[0] for row in sql_rows("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                       (table,))}


def _open_at(target: Path | str, version: int) -> None:
    open_database(target, migrations=MIGRATIONS[:version])
    close_database()


def _porteur_and_action_by_plain_sql(sql_rows: Rows) -> None:
    """What a base of schema 2 could hold: a porteur with an accented name and its action, written by plain SQL."""
    sql_rows("INSERT INTO association (uuid, created_at, updated_at, office, deleted, name, acronym, siret, siren, "
             "rna, legal_form, address, postcode, city, phone, email, website, president, contact_name, notes, active) "
             "VALUES ('a-1', ?, ?, '', 0, 'Maison de la Santé du Faubourg', 'MSF', '', '', '', '', '', '', '', '', '', "
             "'', '', '', '', 1)", (NOW, NOW))
    sql_rows("INSERT INTO \"action\" (uuid, created_at, updated_at, office, deleted, reference, title, year, "
             "porteur_id, description, objectives, public, axes, total_cost, indicators, status, requested_total, "
             "granted_total, paid_total) SELECT 'b-1', ?, ?, '', 0, '2015-VM-007', 'Prévention bucco-dentaire', 2015, "
             "id, 'Séances à l''école élémentaire', '', '', '', 1200000, '', 'déposée', 0, 0, 0 FROM association",
             (NOW, NOW))


def test_a_base_climbs_every_step_one_opening_at_a_time_and_keeps_its_records(engine: str, db_target: Path | str,
                                                                            sql_rows: Rows) -> None:
    _open_at(db_target, 1)
    assert _has_table(sql_rows, engine, "action")
    assert not _has_table(sql_rows, engine, "exchange_peer")
    _open_at(db_target, 2)
    assert _has_table(sql_rows, engine, "exchange_peer")
    _porteur_and_action_by_plain_sql(sql_rows)
    for version in range(3, latest_version() + 1):
        _open_at(db_target, version)
        if version == 4:
            assert _has_table(sql_rows, engine, "association_search")
        if version == 7:
            assert sql_rows("SELECT id FROM figure_generation") == [(1,)]
        if version == 9:
            assert not _has_index(sql_rows, engine, "funding_updated_at")
            assert _has_index(sql_rows, engine, "association_deleted")
    assert latest_version() == 9
    # The records written at schema 2 are in both search indexes, their text folded (the SQL of step 4's view).
    assert sql_rows("SELECT text FROM association_search") == [("Maison de la Sante du Faubourg\nMSF\n\n",)]
    assert sql_rows("SELECT text FROM action_search") == [
        ("2015-VM-007\nPrevention bucco-dentaire\nMaison de la Sante du Faubourg\nSeances a l'ecole elementaire\n",)]
    # Step 8: every record table has its version, 1 for the rows already there.
    for table in RECORD_TABLES:
        assert "version" in _columns(sql_rows, engine, table), table
    assert sql_rows('SELECT version FROM "action"') == [(1,)]
    assert sql_rows("SELECT version FROM association") == [(1,)]


def test_a_record_created_now_starts_at_version_1(empty_db: Any, sql_rows: Rows) -> None:
    from cvdesk.services.reference import save_commune

    save_commune({"name": "Anzin", "postcode": "59410"})
    assert sql_rows("SELECT name, version FROM commune") == [("Anzin", 1)]
    assert sql_rows("SELECT version FROM history WHERE record_type = 'Commune'") == [(1,)]


def test_a_role_that_may_not_add_the_trigram_extension_is_told_so_in_french_and_the_base_stays_empty(
        pg_server: Any, pg_url: str) -> None:
    """Headquarters' administrator gave cvdesk a role that may create tables but not extensions in the base (a
    PostgreSQL matter: SQLite's search needs no extension)."""
    name = pg_url.split("?")[0].rsplit("/", 1)[1]
    admin = pg_server.connect(name)
    admin.execute("DROP ROLE IF EXISTS saisie_siege")
    admin.execute("CREATE ROLE saisie_siege LOGIN")
    admin.execute("GRANT CREATE ON SCHEMA public TO saisie_siege")
    try:
        url = pg_url.replace("postgresql://cvdesk@", "postgresql://saisie_siege@")
        with pytest.raises(StoreError, match="^Le rôle PostgreSQL ne peut pas ajouter l'extension pg_trgm à cette "
                                             "base : demandez à son propriétaire d'y lancer « CREATE EXTENSION "
                                             "pg_trgm », puis ouvrez-la à nouveau.$"):
            open_database(url)
        close_database()
        tables = admin.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        assert tables == 0  # step 1 and 2, run in the same transaction, went back with it
    finally:
        admin.execute("DROP OWNED BY saisie_siege")
        admin.execute("DROP ROLE saisie_siege")
        admin.close()
