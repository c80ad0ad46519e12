"""Every older schema kept under tests/fixtures upgrades to the current one with every record intact."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from typing import Callable

import pytest
from peewee import IntegerField

from cvdesk.services.check import run_check
from cvdesk.services.quartiers import save_quartier
from cvdesk.store.database import close_database, open_database, opened_database
from cvdesk.store.migrations import MIGRATIONS, Migration, latest_version, run_sql
from cvdesk.store.models import RECORD_MODELS, Quartier

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {model._meta.table_name: conn.execute(f'SELECT count(*) FROM "{model._meta.table_name}"').fetchone()[0]
                for model in RECORD_MODELS}
    finally:
        conn.close()


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("schema-v*.db")), ids=lambda p: p.stem)
def test_an_old_database_upgrades_with_every_record(fixture: Path, tmp_path: Path) -> None:
    copy = tmp_path / fixture.name
    shutil.copyfile(fixture, copy)
    before = _counts(copy)
    assert before["action"] > 0 and before["funding"] > 0 and before["quartier_commune"] > 0
    database = open_database(copy)
    try:
        assert database.pragma("user_version") == latest_version()
        assert list(database.execute_sql("PRAGMA foreign_key_check")) == []
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        for model in RECORD_MODELS:
            # History may gain rows from a migration; nothing may lose any.
            assert model.select().count() >= before[model._meta.table_name], model.__name__
    finally:
        close_database()


def _fresh(tmp_path: Path) -> Path:
    return tmp_path / "neuve.db"


def _old(fixture: Path) -> Callable[[Path], Path]:
    def copy(tmp_path: Path) -> Path:
        target = tmp_path / fixture.name
        shutil.copyfile(fixture, target)
        return target
    return copy


@pytest.mark.parametrize("make", [_fresh, *(_old(f) for f in sorted(FIXTURES.glob("schema-v*.db")))],
                         ids=["neuve", *(f.stem for f in sorted(FIXTURES.glob("schema-v*.db")))])
def test_a_new_column_step_opens_fresh_and_old_databases_alike(make, tmp_path: Path) -> None:
    """The next issue's first column: a field on the model and a numbered step. With a base schema derived from
    today's models, the fresh database would get the column from step 1 and fail on "duplicate column name"."""
    path = make(tmp_path)
    step = Migration(latest_version() + 1, "ménages par quartier",
                     run_sql('ALTER TABLE "quartier" ADD COLUMN "households" INTEGER'))
    Quartier._meta.add_field("households", IntegerField(null=True))
    try:
        with opened_database(path, migrations=(*MIGRATIONS, step)) as database:
            assert database.pragma("user_version") == step.version
            if not Quartier.select().exists():
                save_quartier({"code": "QP059002", "name": "Carpeaux", "population": 3100})
            first = Quartier.select().order_by(Quartier.id).first()
            Quartier.update(households=1200).where(Quartier.id == first.id).execute()
            report = run_check()
            assert report.ok, report.lines()
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("SELECT households FROM quartier WHERE id = ?", (first.id,)).fetchone() == (1200,)
        finally:
            conn.close()
    finally:
        Quartier._meta.remove_field("households")


def test_a_fresh_database_has_exactly_the_schema_of_an_upgraded_one(tmp_path: Path) -> None:
    """The frozen steps write the very statements the older programs wrote: fresh and upgraded files match."""
    def schema(path: Path) -> list[tuple[str, str, str]]:
        conn = sqlite3.connect(path)
        try:
            return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        finally:
            conn.close()

    with opened_database(tmp_path / "neuve.db"):
        pass
    for fixture in sorted(FIXTURES.glob("schema-v*.db")):
        old = tmp_path / fixture.name
        shutil.copyfile(fixture, old)
        with opened_database(old):
            pass
        assert schema(old) == schema(tmp_path / "neuve.db"), fixture.name
