"""Headquarters starting from an empty base: the package is checked and written in one pass, and still all or nothing.

Into a base with no record, each batch is written as soon as it has passed the checks. A record refused at the end
of the package, or « Annuler » pressed halfway, must still leave the base as empty as it was, with its indexes and
search triggers in place.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import cvdesk.exchange.merge_write as merge_write
import cvdesk.exchange.package_reader as package_reader
from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.exchange.merge import import_package
from cvdesk.exchange.package_format import table_specs
from cvdesk.store.database import close_database, open_database
from cvdesk.store.models import db
from tests.exchange.forging import edited, members, rows, write
from tests.exchange.helpers import tables_picture

SCHEMA = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of five records and the bulk path for any table of more than ten, so that much is written before
    the end of the package."""
    monkeypatch.setattr(package_reader, "BATCH_LINES", 5)
    monkeypatch.setattr(merge_write, "BULK_ROWS", 10)


def _record_counts() -> dict[str, int]:
    return {spec.table: db.execute_sql(f'SELECT count(*) FROM "{spec.table}"').fetchone()[0] for spec in table_specs()}


def test_a_refusal_at_the_last_funding_line_leaves_the_empty_base_empty(good_package: Path, tmp_path: Path,
                                                                       small_batches: None) -> None:
    files = members(good_package)
    fundings = rows(files, "funding.jsonl")
    assert len(fundings) > 10  # several batches of actions and fundings are written before the refusal
    last = fundings[-1]["uuid"]

    def negative_last(records: list[dict]) -> None:
        records[-1]["requested"] = -500

    forged = write(tmp_path / "faux.zip", edited(files, "funding.jsonl", negative_last))
    open_database(tmp_path / "vide.db")
    schema = list(db.execute_sql(SCHEMA))
    with pytest.raises(ExchangeError) as refused:
        import_package(forged)
    message = str(refused.value)
    assert "funding.jsonl" in message and f"ligne {len(fundings)}" in message and last in message
    assert "« requested »" in message and "\n" not in message
    assert set(_record_counts().values()) == {0}
    assert db.execute_sql("SELECT count(*) FROM action_search").fetchone()[0] == 0
    assert list(db.execute_sql(SCHEMA)) == schema  # the indexes and the search trigger set aside came back
    close_database()


def test_cancelling_halfway_into_an_empty_base_writes_nothing(good_package: Path, tmp_path: Path,
                                                             small_batches: None) -> None:
    calls: list[tuple[int, int]] = []
    total = sum(len(rows(members(good_package), spec.file)) for spec in table_specs())

    def progress(done: int, of: int) -> None:
        calls.append((done, of))

    def cancelled() -> bool:
        return bool(calls) and calls[-1][0] > total // 2  # the user presses « Annuler » halfway

    open_database(tmp_path / "vide.db")
    with pytest.raises(Cancelled):
        import_package(good_package, progress=progress, cancelled=cancelled)
    assert calls[-1][1] == total  # one pass: the bar runs once from 0 to every record of the package
    assert set(_record_counts().values()) == {0}
    close_database()


def test_the_same_package_merged_again_into_the_empty_base_after_a_refusal_gives_the_sender_s_tables(
        demo_template: Path, good_package: Path, tmp_path: Path, small_batches: None) -> None:
    open_database(demo_template)
    expected = tables_picture()
    close_database()
    open_database(tmp_path / "vide.db")
    damaged = tmp_path / "abime.zip"
    damaged.write_bytes(good_package.read_bytes()[:-200])
    with pytest.raises(ExchangeError):
        import_package(damaged)
    summary = import_package(good_package)
    picture = tables_picture()
    picture["history"] = [row for row in picture["history"] if row[7] != "merge"]  # the merge's own row
    assert picture == expected
    assert summary.total().added == sum(len(rows) for rows in expected.values())
    assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    # The search index, filled once at the end, holds what its view (the schema's frozen fold) gives each action.
    indexed = list(db.execute_sql("SELECT rowid, text FROM action_search ORDER BY rowid"))
    assert indexed == list(db.execute_sql("SELECT id, text FROM action_search_source ORDER BY id"))
    assert len(indexed) == len(expected["action"]) and any("é" in title for title in _titles())
    assert not any("é" in text for _, text in indexed)
    close_database()


def _titles() -> list[str]:
    return [title for (title,) in db.execute_sql('SELECT title FROM "action"')]


def test_a_base_whose_writes_break_a_reference_refuses_the_merge_whole(good_package: Path, tmp_path: Path) -> None:
    """Into an empty base the references are checked once before the commit: a funding line left without its action
    (here a trigger of the base deletes each action as soon as it is written) refuses the package, nothing stays."""
    open_database(tmp_path / "vide.db")
    db.execute_sql('CREATE TRIGGER lose_actions AFTER INSERT ON "action" BEGIN '
                   'DELETE FROM "action" WHERE id = new.id; END')
    with pytest.raises(ExchangeError) as refused:
        import_package(good_package)
    message = str(refused.value)
    assert "ne mènent à aucun enregistrement" in message and "rien n'a été importé" in message
    assert "\n" not in message
    assert set(_record_counts().values()) == {0}
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1  # on again after the merge
    close_database()
