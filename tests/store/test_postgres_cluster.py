"""The tests' own PostgreSQL: a throwaway cluster per session, a fresh database per test, plain SQL on both engines."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pg_plain
import psycopg2
import pytest

from postgres_cluster import PostgresCluster
from sql_oracle import to_psycopg

pytestmark = pytest.mark.both_engines

TESTS = Path(__file__).resolve().parents[1]


def test_each_test_gets_an_empty_database_of_its_own(pg_server, pg_url):
    with pg_plain.connect(pg_url) as conn:
        tables = conn.execute("SELECT count(*) FROM information_schema.tables "
                              "WHERE table_schema = 'public'").fetchone()[0]
        conn.execute("CREATE TABLE note (id INTEGER)")
        name = conn.execute("SELECT current_database()").fetchone()[0]
    assert tables == 0
    assert name != "postgres" and name in pg_url


def test_the_database_of_a_previous_test_is_gone(pg_server):
    with pg_server.connect() as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    # Databases of the tests that ran before are dropped: only the cluster's own and the session's template remain.
    assert names - {"postgres", "template0", "template1", "demo_template"} == set()


def test_the_server_listens_on_its_folder_only(pg_server):
    with pg_server.connect() as conn:
        listen = conn.execute("SHOW listen_addresses").fetchone()[0]
        sockets = conn.execute("SHOW unix_socket_directories").fetchone()[0]
    assert listen == ""
    assert sockets == str(pg_server.folder)


def test_plain_sql_gives_the_same_rows_on_both_engines(engine, sql_rows):
    """The oracle of the both-engine tests: one SQL text with ? placeholders and a literal %, the same answer."""
    sql_rows("CREATE TABLE funding (label TEXT, amount_cents BIGINT, given_on DATE)")
    sql_rows("INSERT INTO funding VALUES (?, ?, ?), (?, ?, ?)",
             ("Ville 50 %", 150_000_00, "2015-03-02", "État", 2_999_999_99, "2016-01-31"))
    rows = sql_rows("SELECT label, amount_cents, given_on FROM funding WHERE label LIKE '%0 %' ORDER BY label")
    total = sql_rows("SELECT sum(amount_cents) FROM funding WHERE given_on >= ?", ("2015-01-01",))
    assert rows == [("Ville 50 %", 15_000_000, "2015-03-02")]
    # 150 000,00 € + 2 999 999,99 €, counted by hand: an int on both (PostgreSQL's sum of a bigint is a numeric).
    assert total == [(314_999_999,)]
    assert type(total[0][0]) is int


def test_placeholders_translate_outside_quotes_only():
    assert to_psycopg("SELECT '?', x FROM t WHERE a = ? AND b LIKE '50%' AND c = '' || ?") == \
        "SELECT '?', x FROM t WHERE a = %s AND b LIKE '50%%' AND c = '' || %s"
    assert to_psycopg("SELECT 100 % 7, 'it''s ?' WHERE a = ?") == "SELECT 100 %% 7, 'it''s ?' WHERE a = %s"


def test_a_cluster_stopped_leaves_no_folder_and_no_server():
    cluster = PostgresCluster.start()
    socket = cluster.folder / ".s.PGSQL.5432"
    assert socket.exists()
    cluster.stop()
    assert not cluster.folder.exists()
    with pytest.raises(psycopg2.OperationalError):
        pg_plain.connect(host=str(cluster.folder), dbname="postgres", user="cvdesk", connect_timeout=2)


def test_a_test_run_killed_outright_leaves_no_server_behind():
    """`timeout` or kill -9 on pytest: no finaliser runs, yet the cluster's watchdog stops it and removes its folder."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; sys.path.insert(0, sys.argv[1]); "
                               "from postgres_cluster import PostgresCluster; "
                               "print(PostgresCluster.start().folder, flush=True); time.sleep(600)", str(TESTS)],
        stdout=subprocess.PIPE, text=True)
    folder = Path(child.stdout.readline().strip())
    assert (folder / ".s.PGSQL.5432").exists()
    child.kill()
    child.wait()
    deadline = time.monotonic() + 30
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not folder.exists()
    with pytest.raises(psycopg2.OperationalError):
        pg_plain.connect(host=str(folder), dbname="postgres", user="cvdesk", connect_timeout=2)


def _run_without_a_server(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    """This module's first test in a new pytest whose initdb fails at once (a broken installation)."""
    broken = tmp_path / "bin"
    broken.mkdir(exist_ok=True)
    for program in ("initdb", "pg_ctl"):
        (broken / program).write_text("#!/bin/sh\necho 'initdb: paquet cassé' >&2\nexit 1\n")
        (broken / program).chmod(0o755)
    environment = {**os.environ, "CVDESK_PG_BINDIR": str(broken), "CI": ci}
    test = f"{Path(__file__).relative_to(TESTS.parent)}::test_each_test_gets_an_empty_database_of_its_own"
    return subprocess.run([sys.executable, "-m", "pytest", "-rs", test],
                          cwd=TESTS.parent, env=environment, capture_output=True, text=True, timeout=120)


def test_without_a_server_the_tests_fail_in_ci(tmp_path):
    run = _run_without_a_server(tmp_path, ci="true")
    assert run.returncode != 0, run.stdout
    assert "PostgreSQL est exigé en intégration continue : initdb a échoué" in run.stdout
    assert "1 error" in run.stdout and "skipped" not in run.stdout


def test_without_a_server_the_tests_are_skipped_elsewhere_with_the_reason(tmp_path):
    run = _run_without_a_server(tmp_path, ci="")
    assert run.returncode == 0, run.stdout
    assert "1 skipped" in run.stdout
    assert "PostgreSQL indisponible : initdb a échoué" in run.stdout
