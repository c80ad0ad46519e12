"""Headquarters opens a PostgreSQL database by its URL: the schema is built in an empty base, our SQL with SQLite's
? placeholders runs there, another program's base and a password on the command line are refused in French, a
read-only role reads without writing, and libpq's own parameters (sslmode…) pass through."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from cvdesk.cli import main
from cvdesk.store.database import close_database, is_read_only, open_database, opened_database, read_only_notice
from cvdesk.store.engine import after_explicit_ids, is_postgres, raw
from cvdesk.store.errors import StoreError
from cvdesk.store.migrations import APPLICATION_ID, latest_version
from cvdesk.store.target import PostgresTarget, SqliteTarget, parse_target

pytestmark = pytest.mark.postgresql


def _database(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _as_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, f"{user}@{parts.hostname or ''}", parts.path, parts.query, ""))


def _plain(pg_server: Any, url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows read by psycopg directly (not through cvdesk), to check what the opening left in the base."""
    conn = pg_server.connect(_database(url))
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_an_empty_postgresql_base_gets_every_table_and_is_marked_as_ours(pg_server: Any, pg_url: str) -> None:
    with opened_database(pg_url):
        assert is_postgres()
    tables = {name for name, in _plain(pg_server, pg_url, "SELECT tablename FROM pg_tables WHERE schemaname = "
                                                          "'public'")}
    assert {"contract", "action", "funding", "history", "setting", "exchange_conflict", "exchange_peer",
            "cvdesk_schema"} <= tables
    marks = dict(_plain(pg_server, pg_url, "SELECT key, value FROM cvdesk_schema"))
    assert marks == {"application_id": str(APPLICATION_ID), "user_version": str(latest_version())}
    # Step 5's and 6's columns are there, with their defaults.
    columns = {name for name, in _plain(pg_server, pg_url, "SELECT column_name FROM information_schema.columns "
                                                           "WHERE table_name = 'meeting_item'")}
    assert {"outcome", "amounts", "applied"} <= columns


def test_a_coordinator_saves_an_action_and_our_raw_sql_reads_it_back_on_postgresql(pg_server: Any,
                                                                                     pg_url: str) -> None:
    from cvdesk.store.models import Action, Contract, db

    with opened_database(pg_url):
        contract = Contract.create(name="Contrat de ville de Niort", start_year=2024, end_year=2030)
        Action.create(reference="2025-001", title="Atelier 100 % santé", year=2025, total_cost=1_250_000)
        Action.create(reference="2025-002", title="Jardins partagés", year=2025, total_cost=300_000, deleted=True)
        # ? placeholders, a literal % in a LIKE, a flag compared to 0: the SQL the services write for SQLite.
        found = raw().execute("SELECT reference FROM \"action\" WHERE title LIKE '%100 %%' AND deleted = ? "
                              "AND year = ?", (0, 2025)).fetchall()
        total = db.execute_sql("SELECT sum(total_cost) FROM \"action\" WHERE deleted = 0").fetchone()[0]
        stored = Contract.get_by_id(contract.id)
        assert stored.deleted is False and stored.is_demo is False
    assert found == [("2025-001",)]
    assert total == 1_250_000 and isinstance(total, int)
    # The tombstone is 1 in the base, as on SQLite (raw SQL everywhere says deleted = 0).
    assert _plain(pg_server, pg_url, 'SELECT reference, deleted FROM "action" ORDER BY reference') == [
        ("2025-001", 0), ("2025-002", 1)]


def test_a_national_envelope_beyond_two_billion_cents_is_kept_to_the_cent(pg_url: str) -> None:
    from cvdesk.store.models import Envelope, Funder

    with opened_database(pg_url) as db:
        funder = Funder.create(name="État")
        Envelope.create(funder=funder, year=2025, amount=19_914_400_000)
        Envelope.create(funder=funder, year=2026, amount=19_914_400_000)
        total = db.execute_sql("SELECT sum(amount) FROM envelope").fetchone()[0]
    assert total == 39_828_800_000 and isinstance(total, int)


def test_rows_inserted_with_their_ids_leave_the_next_record_a_free_id(pg_url: str) -> None:
    from cvdesk.store.models import Commune

    with opened_database(pg_url):
        raw().execute("INSERT INTO commune (id, uuid, created_at, updated_at, office, deleted, name, insee_code, "
                      "postcode) VALUES (?, ?, '', '', '', 0, 'Niort', '79191', '79000')", (40, "u-40"))
        after_explicit_ids("commune")
        created = Commune.create(name="Chauray")
    assert created.id == 41


def test_a_database_of_another_program_is_refused_and_left_untouched(pg_server: Any, pg_url: str) -> None:
    conn = pg_server.connect(_database(pg_url))
    conn.execute("CREATE TABLE clients (id integer)")
    conn.close()
    with pytest.raises(StoreError, match="contient déjà des tables d'un autre programme"):
        open_database(pg_url)
    close_database()
    assert _plain(pg_server, pg_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'") == [("clients",)]


def test_an_empty_base_is_not_read_as_a_cvdesk_base_by_a_reading_command(pg_server: Any, pg_url: str,
                                                                         capsys) -> None:
    code = main(["--db", pg_url, "check"])
    err = capsys.readouterr().err
    assert code != 0
    assert f"La base PostgreSQL {pg_url} est vide : ce n'est pas encore une base cvdesk" in err
    assert _plain(pg_server, pg_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_a_password_in_the_url_is_refused_in_french_and_nothing_is_opened(capsys) -> None:
    code = main(["--db", "postgresql://siege:secret@db.example.org/cvdesk", "check"])
    err = capsys.readouterr().err
    assert code == 2
    assert "contient un mot de passe" in err and "~/.pgpass" in err and "secret" not in err


def test_a_server_that_cannot_be_reached_is_named_in_one_french_sentence(tmp_path) -> None:
    url = f"postgresql://cvdesk@/absente?host={tmp_path}"
    with pytest.raises(StoreError, match=r"^Impossible de se connecter à la base PostgreSQL postgresql://cvdesk@"):
        open_database(url)
    close_database()


def test_a_read_only_role_sees_everything_and_the_notice_says_it_can_change_nothing(pg_server: Any,
                                                                                      pg_url: str) -> None:
    from cvdesk.store.models import Contract

    with opened_database(pg_url):
        Contract.create(name="Contrat de ville de Niort", start_year=2024, end_year=2030)
    conn = pg_server.connect(_database(pg_url))
    conn.execute("DROP ROLE IF EXISTS lecteur_siege")
    conn.execute("CREATE ROLE lecteur_siege LOGIN")
    conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO lecteur_siege")
    conn.close()
    try:
        reader = _as_user(pg_url, "lecteur_siege")
        with opened_database(reader):
            assert is_read_only()
            assert "permet de la lire mais pas de la modifier" in read_only_notice(reader)
            assert [c.name for c in Contract.select()] == ["Contrat de ville de Niort"]
            with pytest.raises(Exception, match="permission denied"):
                Contract.create(name="Autre", start_year=2024, end_year=2030)
    finally:
        conn = pg_server.connect(_database(pg_url))
        conn.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM lecteur_siege")
        conn.execute("DROP ROLE lecteur_siege")
        conn.close()


def test_libpq_parameters_of_the_url_such_as_sslmode_reach_the_connection(pg_url: str) -> None:
    from cvdesk.store.models import db

    url = pg_url + "&sslmode=disable&application_name=cvdesk-siege"
    with opened_database(url):
        name = db.execute_sql("SELECT current_setting('application_name')").fetchone()[0]
        used = db.connection().info.dsn_parameters  # what libpq connected with
    assert name == "cvdesk-siege"
    assert used["sslmode"] == "disable"
    assert used["connect_timeout"] == "10"  # a server that does not answer is said after 10 s, not minutes
    with opened_database(url + "&connect_timeout=3"):
        assert db.connection().info.dsn_parameters["connect_timeout"] == "3"  # the URL's choice wins


def test_an_unknown_sslmode_is_refused_by_libpq_in_a_french_sentence(pg_url: str) -> None:
    with pytest.raises(StoreError, match=r"^Impossible de se connecter à la base PostgreSQL .*sslmode"):
        open_database(pg_url + "&sslmode=toujours")
    close_database()


def test_a_path_stays_a_sqlite_file_and_a_url_a_postgresql_base() -> None:
    assert isinstance(parse_target("bureau.db"), SqliteTarget)
    target = parse_target("postgres://siege@serveur:5433/cvdesk?sslmode=require")
    assert isinstance(target, PostgresTarget)
    assert target.url == "postgresql://siege@serveur:5433/cvdesk?sslmode=require"


def test_a_base_marked_by_a_newer_cvdesk_is_refused_unchanged(pg_server: Any, pg_url: str) -> None:
    with opened_database(pg_url):
        pass
    conn = pg_server.connect(_database(pg_url))
    conn.execute("UPDATE cvdesk_schema SET value = '99' WHERE key = 'user_version'")
    conn.close()
    with pytest.raises(StoreError, match=r"créée par une version plus récente de cvdesk \(schéma 99"):
        open_database(pg_url)
    close_database()
    assert _plain(pg_server, pg_url, "SELECT value FROM cvdesk_schema WHERE key = 'user_version'") == [("99",)]


def test_a_schema_table_of_another_program_is_refused(pg_server: Any, pg_url: str) -> None:
    conn = pg_server.connect(_database(pg_url))
    conn.execute("CREATE TABLE cvdesk_schema (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO cvdesk_schema VALUES ('application_id', '42')")
    conn.close()
    with pytest.raises(StoreError, match="n'est pas celle de cvdesk"):
        open_database(pg_url)
    close_database()


def test_two_programs_opening_a_new_base_at_once_build_it_once(pg_server: Any, pg_url: str) -> None:
    import subprocess
    import sys

    script = ("import sys\nfrom cvdesk.store.database import opened_database\n"
              "with opened_database(sys.argv[1]):\n    pass\n")
    runs = [subprocess.Popen([sys.executable, "-c", script, pg_url], stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert _plain(pg_server, pg_url, "SELECT value FROM cvdesk_schema WHERE key = 'user_version'") == [
        (str(latest_version()),)]


def test_a_role_that_may_not_create_tables_is_told_so_about_an_empty_base(pg_server: Any, pg_url: str) -> None:
    conn = pg_server.connect(_database(pg_url))
    conn.execute("DROP ROLE IF EXISTS invite_siege")
    conn.execute("CREATE ROLE invite_siege LOGIN")
    conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")  # PostgreSQL 15's default, said for older servers
    try:
        guest = _as_user(pg_url, "invite_siege")
        with pytest.raises(StoreError, match=r"^Ce rôle n'a pas les droits nécessaires sur la base PostgreSQL .*"
                                             r"\(permission denied for schema public\)\.$"):
            open_database(guest)
        close_database()
    finally:
        conn.execute("DROP ROLE invite_siege")
        conn.close()
    assert _plain(pg_server, pg_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_a_server_lost_during_a_command_is_said_in_one_french_sentence(pg_server: Any, pg_url: str) -> None:
    from cvdesk.store.server_lost import lost_server_sentence

    with opened_database(pg_url) as db:
        pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        admin = pg_server.connect()
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))  # the administrator ends the session
        admin.close()
        with pytest.raises(Exception) as lost:
            db.execute_sql('SELECT count(*) FROM "action"')
    sentence = lost_server_sentence(lost.value)
    assert sentence is not None
    assert sentence.startswith("La connexion au serveur PostgreSQL a été interrompue (")
    assert lost_server_sentence(ValueError("autre chose")) is None
