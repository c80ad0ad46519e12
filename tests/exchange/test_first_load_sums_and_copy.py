"""A first load into an empty base: each action ends with the sums of its live funding lines, whatever it claimed;
on PostgreSQL the rows go by binary COPY, and the loaded tables move the figures' generation once, as any write
does."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cvdesk.exchange.merge_write as merge_write
import cvdesk.exchange.package_reader as package_reader
from cvdesk.exchange.merge import import_package
from cvdesk.store.bulk_write import insert_rows
from cvdesk.store.database import close_database, open_database
from cvdesk.store.engine import raw
from cvdesk.store.models import db
from tests.exchange.forging import edited, members, rows, write

pytestmark = pytest.mark.both_engines

SUMS = ('SELECT a.uuid, COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0) '
        'FROM "action" a LEFT JOIN funding f ON f.action_id = a.id AND f.deleted = 0 GROUP BY a.uuid ORDER BY a.uuid')
STORED = 'SELECT uuid, requested_total, granted_total, paid_total FROM "action" ORDER BY uuid'


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of five records and the bulk path for any table of more than ten rows (indexes set aside, and on
    PostgreSQL the table truncated and copied frozen)."""
    monkeypatch.setattr(package_reader, "BATCH_LINES", 5)
    monkeypatch.setattr(merge_write, "BULK_ROWS", 10)


def _forged(good_package: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The package where an office's base went wrong in three ways, each action keeping the totals it claimed: one
    action claims sums no line gives, a live line of another is deleted, a third's line lost its granted amount."""
    files = members(good_package)
    fundings = rows(files, "funding.jsonl")
    live = [f for f in fundings if not f["deleted"] and f["granted"]]
    assert len({f["action"] for f in live}) >= 3
    deleted_line = live[0]
    emptied_line = next(f for f in live if f["action"] != deleted_line["action"])
    claimed = next(a["uuid"] for a in rows(files, "action.jsonl")
                   if a["uuid"] not in (deleted_line["action"], emptied_line["action"]))

    def lines(records: list[dict[str, Any]]) -> None:
        for record in records:
            if record["uuid"] == deleted_line["uuid"]:
                record["deleted"] = True
            elif record["uuid"] == emptied_line["uuid"]:
                record["granted"], record["paid"] = None, None

    def actions(records: list[dict[str, Any]]) -> None:
        for record in records:
            if record["uuid"] == claimed:
                record["requested_total"], record["granted_total"], record["paid_total"] = 123_456, 7, 3

    files = edited(edited(files, "funding.jsonl", lines), "action.jsonl", actions)
    return write(tmp_path / "sommes.zip", files), {"changed": {deleted_line["action"], emptied_line["action"], claimed}}


def test_a_first_load_gives_each_action_the_sums_of_its_live_lines_not_those_it_claimed(
        good_package: Path, tmp_path: Path, db_target: Path | str, sql_rows: Callable[..., list[tuple]],
        small_batches: None) -> None:
    forged, facts = _forged(good_package, tmp_path)
    claimed = {a["uuid"]: (a["requested_total"], a["granted_total"], a["paid_total"])
               for a in rows(members(forged), "action.jsonl")}
    open_database(db_target)
    try:
        import_package(forged)
    finally:
        close_database()
    expected = [tuple(row) for row in sql_rows(SUMS)]
    stored = [tuple(row) for row in sql_rows(STORED)]
    assert len(stored) > 10 and stored == expected
    # The three actions whose claimed totals were wrong were corrected; the others kept what they carried.
    wrong = {uuid for uuid, *sums in stored if tuple(sums) != claimed[uuid]}
    assert wrong == facts["changed"]


@pytest.mark.engines("postgresql")
def test_a_first_load_moves_the_figures_generation_once(good_package: Path, db_target: Path | str, engine: str,
                                                         sql_rows: Callable[..., list[tuple]],
                                                         small_batches: None) -> None:
    """PostgreSQL: the dashboard's cached figures are known stale after the load, the change noted once, as when the
    rows were only inserted: the large tables are emptied by TRUNCATE (whose trigger notes the change) and copied."""
    open_database(db_target)
    try:
        before = sql_rows("SELECT generation FROM figure_generation")[0][0]
        import_package(good_package)
    finally:
        close_database()
    after = sql_rows("SELECT generation FROM figure_generation")[0][0]
    assert after == before + 1
    assert sql_rows("SELECT count(*) FROM figure_change") == [(0,)]
    assert sql_rows("SELECT count(*) FROM funding")[0][0] > 10


# Any text PostgreSQL can hold (no NUL, no lone surrogate), with COPY's own special characters made likely.
TEXTS = st.text(st.one_of(st.sampled_from("\\\t\n\r\b\f\v\"'é ,N"), st.characters(
    blacklist_categories=("Cs",), blacklist_characters="\x00")), max_size=12)


@pytest.mark.engines("postgresql")
def test_rows_sent_by_copy_come_back_as_they_were_written(db_target: Path | str, engine: str) -> None:
    """insert_rows() stores texts (backslashes, tabs, line breaks…), NULLs, booleans, integers and ISO days as they
    are, on PostgreSQL through a binary COPY (a day given as text becomes the date it names); read back by SQL."""
    open_database(db_target)
    try:
        raw().execute("CREATE TEMPORARY TABLE copied (id INTEGER, plain TEXT NOT NULL, maybe TEXT, flag INTEGER, "
                      "number BIGINT, day DATE)")

        @settings(max_examples=60, deadline=None)
        @given(st.lists(st.tuples(TEXTS, st.one_of(st.none(), TEXTS), st.booleans(), st.integers(-2**62, 2**62),
                                  st.one_of(st.none(), st.dates().map(date.isoformat))), min_size=1, max_size=6))
        def stored_as_given(values: list[tuple[str, str | None, bool, int, str | None]]) -> None:
            with db.atomic():
                raw().execute("DELETE FROM copied")
                insert_rows("copied", ("id", "plain", "maybe", "flag", "number", "day"),
                            [(n, *row) for n, row in enumerate(values)])
                back = raw().execute("SELECT plain, maybe, flag, number, CAST(day AS TEXT) FROM copied "
                                     "ORDER BY id").fetchall()
            assert back == [(plain, maybe, int(flag), number, day) for plain, maybe, flag, number, day in values]

        stored_as_given()
    finally:
        close_database()
