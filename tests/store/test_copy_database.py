"""Moving up and back: an office's base copied whole into an empty PostgreSQL database and out again (`cvdesk copy`),
ids kept, figures compared and printed; the copies a user may get wrong refused in French, with nothing written.

Expected figures come from plain SQL (sqlite3 on the files, psycopg on the server), never from the copy's own
report."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cvdesk.domain.money import format_money

# What a copy leaves out, and why: the dashboard's cache is rebuilt at first use (its stamp counts the changes of the
# base it was read from); SQLite's full-text tables keep their content in shadow tables, compared through the index.
NOT_COPIED = {"year_figure_cache", "figure_generation"}
SEARCH_INDEXES = ("action_search", "association_search")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cvdesk", *args], capture_output=True, text=True, timeout=300)


def every_table(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the file, rows in primary-key order; the search indexes by their row ids."""
    conn = sqlite3.connect(path)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        tables = {}
        for name in names:
            if name.startswith(("sqlite_", "action_search_", "association_search_")) or name in NOT_COPIED:
                continue
            key = "rowid, *" if name in SEARCH_INDEXES else "*"
            tables[name] = conn.execute(f'SELECT {key} FROM "{name}" ORDER BY 1').fetchall()
        return tables
    finally:
        conn.close()


def file_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def server_rows(pg_server: Any, database: str, sql: str) -> list[tuple[Any, ...]]:
    with pg_server.connect(database) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


@pytest.fixture(autouse=True)
def drop_named_databases(request: pytest.FixtureRequest):
    """The server databases a test creates by name are dropped after it, as pg_url's are (a later test counts them)."""
    if "pg_server" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("pg_server")
    listed = "SELECT datname FROM pg_database"
    with server.connect() as conn:
        before = {row[0] for row in conn.execute(listed)}
    yield
    with server.connect() as conn:
        after = {row[0] for row in conn.execute(listed)}
    for name in sorted(after - before):
        if name.startswith("siege_"):
            server.drop_database(name)


@pytest.fixture
def office(demo_template: Path, tmp_path: Path) -> Path:
    """An office's base: the demo contract, with a renewal whose previous year has a larger id (it arrived later by a
    merge) and a national envelope beyond 2^31 cents (21 474 836,47 €)."""
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute('UPDATE "action" SET previous_id = (SELECT max(id) FROM "action") '
                     'WHERE id = (SELECT min(id) FROM "action")')
        conn.execute("UPDATE envelope SET amount = 3500000000 WHERE id = (SELECT min(id) FROM envelope)")
    conn.close()
    return path


def test_an_office_base_goes_to_postgresql_and_back_unchanged(office: Path, pg_server: Any, tmp_path: Path) -> None:
    url = pg_server.create_database("siege_aller_retour")
    up = run("copy", "--from", str(office), "--to", url)
    assert up.returncode == 0, up.stderr
    # On the server, every action with its id, and the next action created gets a free id.
    actions, top = file_rows(office, 'SELECT count(*), max(id) FROM "action"')[0]
    assert server_rows(pg_server, "siege_aller_retour", 'SELECT count(*), max(id) FROM "action"') == [(actions, top)]
    next_id = server_rows(pg_server, "siege_aller_retour",
                          """SELECT nextval(pg_get_serial_sequence('"action"', 'id'))""")[0][0]
    assert next_id > top
    back = tmp_path / "retour.db"
    down = run("copy", "--from", url, "--to", str(back))
    assert down.returncode == 0, down.stderr
    before, after = every_table(office), every_table(back)
    assert before.keys() == after.keys()
    for table in before:
        assert after[table] == before[table], table
    assert before["action_search"], "the search index is compared, not empty"


def test_the_copy_prints_each_table_s_count_and_money_as_both_bases_hold_them(office: Path, pg_server: Any) -> None:
    url = pg_server.create_database("siege_bilan")
    result = run("copy", "--from", str(office), "--to", url)
    assert result.returncode == 0, result.stderr
    count, granted = file_rows(office, 'SELECT count(*), sum(granted_total) FROM "action"')[0]
    line = next(line for line in result.stdout.splitlines() if line.startswith("  action :"))
    assert f"{count} ligne(s)" in line
    assert f"accordé {format_money(granted)}" in line
    (amount,) = server_rows(pg_server, "siege_bilan", "SELECT sum(amount) FROM envelope")[0]
    assert f"montant {format_money(int(amount))}" in result.stdout
    assert "le même nombre de lignes et les mêmes totaux" in result.stdout
    assert "… history :" in result.stderr  # progress, table by table, on stderr


def test_a_base_that_already_holds_data_is_refused_and_left_as_it_was(office: Path, pg_server: Any) -> None:
    url = pg_server.create_database("siege_plein")
    assert run("copy", "--from", str(office), "--to", url).returncode == 0
    before = server_rows(pg_server, "siege_plein", 'SELECT count(*), max(updated_at) FROM "action"')
    again = run("copy", "--from", str(office), "--to", url)
    assert again.returncode == 2
    assert "n'est pas vide (table setting" in again.stderr or "n'est pas vide (table contract" in again.stderr
    assert "rien n'a été écrit" in again.stderr
    assert server_rows(pg_server, "siege_plein", 'SELECT count(*), max(updated_at) FROM "action"') == before


def test_an_existing_file_is_never_overwritten(pg_server: Any, office: Path, tmp_path: Path) -> None:
    url = pg_server.create_database("siege_source")
    assert run("copy", "--from", str(office), "--to", url).returncode == 0
    taken = tmp_path / "deja.db"
    taken.write_bytes(b"les notes de quelqu'un")
    result = run("copy", "--from", url, "--to", str(taken))
    assert result.returncode == 2
    assert f"Le fichier {taken} existe déjà" in result.stderr
    assert taken.read_bytes() == b"les notes de quelqu'un"


@pytest.mark.parametrize(("change", "column", "reason"), [
    ("title = 'Atelier' || char(0) || 'cuisine'", "title", "caractère nul"),
    ("year = 'deux mille quinze'", "year", "n'est pas un nombre entier"),
    ("start_date = '2015-02-30'", "start_date", "n'est pas une date"),
], ids=["nul", "texte-dans-un-entier", "date-impossible"])
def test_a_value_postgresql_refuses_is_named_and_nothing_is_copied(office: Path, pg_server: Any, change: str,
                                                                    column: str, reason: str) -> None:
    """SQLite keeps what its declared types do not forbid (a bad import, another tool); the server would refuse it
    in the middle of the copy: the copy names the row and the column first."""
    conn = sqlite3.connect(office)
    with conn:
        uuid = conn.execute('SELECT uuid FROM "action" ORDER BY id LIMIT 1 OFFSET 7').fetchone()[0]
        conn.execute(f'UPDATE "action" SET {change} WHERE uuid = ?', (uuid,))
    conn.close()
    name = f"siege_refus_{column}"
    url = pg_server.create_database(name)
    result = run("copy", "--from", str(office), "--to", url)
    assert result.returncode == 2
    message = result.stderr.strip().splitlines()[-1]
    assert f"table action, ligne uuid {uuid}, colonne {column}" in message
    assert reason in message and "rien n'a été copié" in message
    assert server_rows(pg_server, name, 'SELECT count(*) FROM "action"') == [(0,)]
    assert server_rows(pg_server, name, "SELECT count(*) FROM setting") == [(0,)]


def test_the_same_base_on_both_sides_is_refused(office: Path) -> None:
    result = run("copy", "--from", str(office), "--to", str(office))
    assert result.returncode == 2
    assert "la même" in result.stderr


def test_a_file_that_is_not_a_cvdesk_base_is_refused_without_creating_anything(tmp_path: Path,
                                                                                 pg_server: Any) -> None:
    other = tmp_path / "autre.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    url = pg_server.create_database("siege_autre")
    result = run("copy", "--from", str(other), "--to", url)
    assert result.returncode == 2
    assert "d'un autre programme" in result.stderr
    assert server_rows(pg_server, "siege_autre",
                       "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()") == [(0,)]


def test_one_server_base_copied_into_another(office: Path, pg_server: Any) -> None:
    """Headquarters moving to a new server: URL to URL (through a private file, removed after)."""
    first = pg_server.create_database("siege_ancien")
    second = pg_server.create_database("siege_nouveau")
    assert run("copy", "--from", str(office), "--to", first).returncode == 0
    result = run("copy", "--from", first, "--to", second)
    assert result.returncode == 0, result.stderr
    assert f"Copie de {first} vers {second}" in result.stdout
    figures = 'SELECT count(*), sum(total_cost), sum(paid_total), max(id) FROM "action"'
    assert server_rows(pg_server, "siege_nouveau", figures) == server_rows(pg_server, "siege_ancien", figures)
    by_uuid = "SELECT uuid, requested, granted, paid FROM funding ORDER BY uuid"
    assert server_rows(pg_server, "siege_nouveau", by_uuid) == server_rows(pg_server, "siege_ancien", by_uuid)


def test_a_refusal_of_the_server_midway_leaves_the_target_empty(office: Path, pg_server: Any) -> None:
    """The server refuses a row after thousands went in (here a rule its administrator added on plan lines): the
    copy says it in French and keeps nothing, so that it can simply be run again."""
    url = pg_server.create_database("siege_regle")
    from cvdesk.store.database import close_database, open_database

    open_database(url)  # the schema, as an administrator might have prepared it
    close_database()
    with pg_server.connect("siege_regle") as conn:
        conn.execute("ALTER TABLE funding ADD CONSTRAINT plafond CHECK (requested < 5000000)")
    indexes = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1"
    prepared = server_rows(pg_server, "siege_regle", indexes)
    (over,) = file_rows(office, "SELECT count(*) FROM funding WHERE requested >= 5000000")[0]
    assert over, "the demo has plan lines above the rule"
    result = run("copy", "--from", str(office), "--to", url)
    assert result.returncode == 2
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith(f"La copie vers {url} a échoué (")
    assert "plafond" in message and message.endswith("rien n'a été écrit.")
    for table in ("setting", "action", "funding"):
        assert server_rows(pg_server, "siege_regle", f'SELECT count(*) FROM "{table}"') == [(0,)], table
    # The indexes the copy set aside while it wrote are all there again.
    assert server_rows(pg_server, "siege_regle", indexes) == prepared


def test_a_role_that_may_only_read_the_target_is_told_so(office: Path, pg_server: Any) -> None:
    url = pg_server.create_database("siege_lecture")
    from cvdesk.store.database import close_database, open_database

    open_database(url)
    close_database()
    with pg_server.connect("siege_lecture") as conn:
        conn.execute("DROP ROLE IF EXISTS lecteur_copie")
        conn.execute("CREATE ROLE lecteur_copie LOGIN")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO lecteur_copie")
    result = run("copy", "--from", str(office), "--to", url.replace("cvdesk@", "lecteur_copie@"))
    assert result.returncode == 2
    assert "peut lire la base" in result.stderr and "rien n'a été écrit" in result.stderr
    assert server_rows(pg_server, "siege_lecture", 'SELECT count(*) FROM "action"') == [(0,)]
