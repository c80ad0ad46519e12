"""Shared fixtures: a fresh database per test, and the demo contract copied from one build per session.

A test module marked `pytestmark = pytest.mark.both_engines` runs each of its tests that opens a base (empty_db,
demo_db, db_target, sql_rows, engine) twice, as test[sqlite] and test[postgresql]: the PostgreSQL base is a fresh
database of a throwaway cluster started once per session (tests/postgres_cluster.py). Expected figures come from
sql_rows, plain SQL on the test's base through sqlite3 or psycopg2, independent of cvdesk's code."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from cvdesk.store.database import close_database, open_database  # noqa: E402

ENGINES = ("sqlite", "postgresql")


def _every_module_on_both_engines() -> bool:
    """CVDESK_TRY_POSTGRES=1 runs every test that opens a base on both engines, marked or not: how one finds which
    suites already pass on PostgreSQL (with -m postgresql, only their PostgreSQL runs)."""
    return os.environ.get("CVDESK_TRY_POSTGRES", "") not in ("", "0")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a both_engines test once per engine when it opens a base (its fixtures ask for `engine`)."""
    wanted = metafunc.definition.get_closest_marker("both_engines") or _every_module_on_both_engines()
    only = metafunc.definition.get_closest_marker("engines")  # a test of such a module about one engine alone
    if "engine" in metafunc.fixturenames and wanted:
        metafunc.parametrize("engine", only.args if only else ENGINES, indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the PostgreSQL cluster `postgresql` (`-m "not postgresql"` leaves them out)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("engine") == "postgresql"
        if on_postgres or "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgresql)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A throwaway PostgreSQL cluster for the session; skipped where none can start, but a failure in CI."""
    from postgres_cluster import started_for_tests

    cluster = started_for_tests()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_server: Any) -> Iterator[str]:
    """The URL of a fresh empty database of the session's cluster, dropped after the test."""
    name = pg_server.new_database_name("vide")
    url = pg_server.create_database(name)
    yield url
    pg_server.drop_database(name)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine of the test's base: "sqlite", or each of ENGINES in turn in a both_engines module."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bureau.db"


@pytest.fixture
def db_target(engine: str, request: pytest.FixtureRequest) -> Path | str:
    """What the test opens (--db, CVDESK_DB, opened_database): the file db_path, or on PostgreSQL the URL of the
    test's own database (a copy of the demo contract when the test uses demo_db, else empty)."""
    if engine == "sqlite":
        return request.getfixturevalue("db_path")
    if "demo_db" in request.fixturenames:
        return request.getfixturevalue("pg_demo_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def empty_db(db_target: Path | str):
    database = open_database(db_target)
    yield database
    close_database()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cvdesk.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    open_database(path)
    build_demo()
    close_database()
    # One self-contained file: fold the WAL into it so a plain copy is complete.
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture(scope="session")
def pg_demo_template(pg_server: Any) -> str:
    """The name of a PostgreSQL database holding the demo contract, built once per session by the demo command's
    code; tests get copies of it (CREATE DATABASE … TEMPLATE, a tenth of a second)."""
    from cvdesk.services.demo import build_demo

    name = "demo_template"
    url = pg_server.create_database(name)
    open_database(url)
    try:
        build_demo()
    finally:
        close_database()  # a template must have no connection left for CREATE DATABASE to copy it
    return name


@pytest.fixture
def pg_demo_url(pg_server: Any, pg_demo_template: str) -> Iterator[str]:
    """The URL of a fresh copy of the demo contract on the session's cluster, dropped after the test."""
    name = pg_server.new_database_name("demo")
    url = pg_server.create_database(name, template=pg_demo_template)
    yield url
    pg_server.drop_database(name)


@pytest.fixture
def demo_db(engine: str, request: pytest.FixtureRequest, db_target: Path | str):
    if engine == "sqlite":
        shutil.copyfile(request.getfixturevalue("demo_template"), db_target)
    database = open_database(db_target)
    yield database
    close_database()


@pytest.fixture
def sql_rows(engine: str, db_target: Path | str) -> Iterator[Callable[..., list[tuple]]]:
    """sql_rows(sql, params=()) -> rows: plain SQL on the test's base through its own sqlite3 or psycopg2 connection
    (autocommit), written once for both engines with ? placeholders. Values come back alike from both: integral
    numerics as int (PostgreSQL's sum() of a bigint is a Decimal), dates and times as SQLite's text."""
    from sql_oracle import SqlOracle

    oracle = SqlOracle(engine, db_target)
    yield oracle.rows
    oracle.close()


@pytest.fixture
def read_only_folder(tmp_path: Path):
    """A copy of a database on a read-only medium (a tmpfs remounted read-only): call it with the file to copy."""
    import subprocess

    folder = tmp_path / "cle"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("monter un support en lecture seule demande les droits d'administration")

    def put(source: Path) -> Path:
        target = folder / "bureau.db"
        shutil.copyfile(source, target)
        result = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return target

    try:
        yield put
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
