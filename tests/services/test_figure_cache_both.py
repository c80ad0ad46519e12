"""The dashboard's kept sums on both engines, and what several people writing one PostgreSQL base at once add to it:
a line committed late below the largest id (and not held back by the other's open transaction), sums kept by a
transaction that changes the data after, a read-only role. Each time the stamp must move (or the sums not be kept), else the next start paints stale figures."""
from __future__ import annotations

from typing import Any, Callable

import pg_plain
import pytest

from cvdesk.services import figure_cache
from cvdesk.services.dashboard import kept_year_totals, read_year_totals
from cvdesk.store.database import opened_database
from cvdesk.store.models import db

pytestmark = pytest.mark.both_engines

Rows = Callable[..., list[tuple]]
NOW = "2026-11-30T16:00:00.000000Z"


def _year(sql_rows: Rows) -> int:
    return sql_rows('SELECT max(year) FROM "action" WHERE deleted = 0')[0][0]


def _funder_sums_by_sql(sql_rows: Rows, year: int) -> dict[int, tuple[int, int]]:
    """(granted, paid) per funder over the year's live lines of live actions, by the plainest SQL."""
    return {fid: (granted, paid) for fid, granted, paid in sql_rows(
        """SELECT f.funder_id, COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0) FROM funding f
           JOIN "action" a ON a.id = f.action_id WHERE f.deleted = 0 AND a.deleted = 0 AND a.year = ?
           GROUP BY f.funder_id""", (year,))}


def _painted_funder_sums(year: int) -> dict[int, tuple[int, int]] | None:
    """What the next start paints at once for the yearly envelopes (None: read again in the background)."""
    kept = kept_year_totals(year)
    if kept is None:
        return None
    return {bar.use.funder_id: (bar.use.granted, bar.use.paid) for bar in kept.envelopes
            if bar.use.orientation_id is None}


def _new_line_sql(year: int, granted: int) -> tuple[str, tuple[Any, ...]]:
    """A plan line of 'granted' cents for the year's first action, by another coordinator's program."""
    return ("""INSERT INTO funding (uuid, created_at, updated_at, office, deleted, action_id, funder_id, requested,
               granted, notes) SELECT ?, ?, ?, 'Siège', 0, (SELECT min(id) FROM "action" WHERE year = ? AND deleted = 0),
               (SELECT min(id) FROM funder WHERE deleted = 0), ?, ?, ''""",
            (f"ligne-{granted}", NOW, NOW, year, granted, granted))


def test_kept_sums_equal_sql_and_a_line_added_by_another_program_makes_them_stale(demo_db: Any,
                                                                                  sql_rows: Rows) -> None:
    year = _year(sql_rows)
    _totals, kept = read_year_totals(year)
    assert figure_cache.keep_rows(kept)
    painted = _painted_funder_sums(year)
    expected = _funder_sums_by_sql(sql_rows, year)
    assert painted and painted == {fid: expected.get(fid, (0, 0)) for fid in painted}
    stamp = figure_cache.stamp()

    sql_rows(*_new_line_sql(year, 250_000))

    assert figure_cache.stamp() != stamp
    assert _painted_funder_sums(year) is None  # read again in the background


def test_a_line_committed_late_below_the_largest_id_still_makes_the_sums_stale(pg_demo_url: str) -> None:
    """Two coordinators at headquarters add a line each: the first one's transaction takes its id first but commits
    last. Sums kept between the two commits would miss the first line if the stamp only watched the largest id."""
    with opened_database(pg_demo_url):
        year = db.execute_sql('SELECT max(year) FROM "action" WHERE deleted = 0').fetchone()[0]
        first = pg_plain.connect(pg_demo_url)  # a transaction, left open
        second = pg_plain.connect(pg_demo_url, autocommit=True)
        try:
            second.execute("SET lock_timeout = '5s'")  # waiting on the first would be a failure, not a hang
            sql, params = _new_line_sql(year, 300_000)
            first.execute(sql.replace("?", "%s"), params)
            sql, params = _new_line_sql(year, 400_000)
            second.execute(sql.replace("?", "%s"), params)  # not held back by the first's open transaction
            _totals, kept = read_year_totals(year)  # read between the two commits
            assert figure_cache.keep_rows(kept)
            first.commit()
            painted = _painted_funder_sums(year)
            assert painted is None  # the late line moved the stamp
            ids = [row[0] for row in db.execute_sql("SELECT id FROM funding WHERE office = 'Siège' ORDER BY uuid")]
            assert ids[0] < ids[1]  # ligne-300000 (committed last) has the smaller id
        finally:
            first.close()
            second.close()


def test_sums_kept_by_a_transaction_that_changes_the_data_after_are_stale_at_its_commit(pg_demo_url: str) -> None:
    with opened_database(pg_demo_url):
        year = db.execute_sql('SELECT max(year) FROM "action" WHERE deleted = 0').fetchone()[0]
        with db.atomic():
            db.execute_sql("UPDATE funding SET paid = COALESCE(paid, 0) + 100 WHERE id = (SELECT min(id) FROM funding)")
            _totals, kept = read_year_totals(year)
            assert figure_cache.keep_rows(kept)
            db.execute_sql("UPDATE funding SET paid = paid + 100 WHERE id = (SELECT min(id) FROM funding)")
        assert _painted_funder_sums(year) is None


def test_thousands_of_lines_changed_in_one_transaction_bump_the_generation_once(pg_demo_url: str) -> None:
    """A merge or a meeting's closing changes many lines together: one bump at the commit, not one per row (each
    row's bump would rewrite the generation's single row again and again, slower and slower, and hold it locked
    against every other writer until the commit)."""
    with opened_database(pg_demo_url):
        before = db.execute_sql("SELECT generation FROM figure_generation").fetchone()[0]
        with db.atomic():
            changed = db.execute_sql("UPDATE funding SET requested = requested + 1").rowcount
            db.execute_sql('UPDATE "action" SET total_cost = total_cost + 1')
            db.execute_sql("INSERT INTO funding (uuid, created_at, updated_at, office, deleted, action_id, funder_id, "
                           "requested, notes) SELECT md5(uuid), created_at, updated_at, office, deleted, "
                           "action_id, funder_id, requested, notes FROM funding")
        after = db.execute_sql("SELECT generation FROM figure_generation").fetchone()[0]
        assert changed == db.execute_sql("SELECT count(*) FROM funding").fetchone()[0] // 2 > 100
        assert after == before + 1
        # Statements that write no row bump nothing.
        db.execute_sql("DELETE FROM funding WHERE requested < 0")
        db.execute_sql("INSERT INTO action_quartier SELECT * FROM action_quartier WHERE false")
        assert db.execute_sql("SELECT generation FROM figure_generation").fetchone()[0] == after


def test_a_read_only_role_keeps_no_sums_and_goes_on_reading(pg_server: Any, pg_demo_url: str) -> None:
    name = pg_demo_url.split("?")[0].rsplit("/", 1)[1]
    admin = pg_server.connect(name)
    admin.execute("DROP ROLE IF EXISTS lecteur_tableau")
    admin.execute("CREATE ROLE lecteur_tableau LOGIN")
    admin.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO lecteur_tableau")
    try:
        with opened_database(pg_demo_url.replace("postgresql://cvdesk@", "postgresql://lecteur_tableau@")):
            year = db.execute_sql('SELECT max(year) FROM "action" WHERE deleted = 0').fetchone()[0]
            with db.atomic():  # a refused statement would spoil the transaction: none is sent
                _totals, kept = read_year_totals(year)
                assert figure_cache.keep_rows(kept) is False
                assert kept_year_totals(year) is None
        assert admin.execute("SELECT count(*) FROM year_figure_cache").fetchone()[0] == 0
    finally:
        admin.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM lecteur_tableau")
        admin.execute("DROP ROLE lecteur_tableau")
        admin.close()
