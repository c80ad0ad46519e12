"""Review of the dashboard's kept money sums (services/figure_cache.py): sums read from one state of the base are never
painted as the figures of another, even when they arrive late, after the base was put back to an earlier state."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cvdesk.services import figure_cache
from cvdesk.services.actions import FundingInput, save_action
from cvdesk.services.dashboard import kept_year_totals, read_year_totals
from cvdesk.store.backups import Backups
from cvdesk.store.database import close_database, open_database
from cvdesk.store.guarded_restore import restore_holding_the_lock
from cvdesk.store.models import Action, Funding, db


def _year() -> int:
    return db.execute_sql('SELECT max(year) FROM "action" WHERE deleted = 0').fetchone()[0]


def _first_action(year: int) -> Action:
    """The year's first action that has a plan line."""
    return Action.select().where(Action.year == year, Action.deleted == False,  # noqa: E712
                                 Action.id.in_(Funding.select(Funding.action).where(Funding.deleted == False))  # noqa: E712
                                 ).order_by(Action.id).first()


def _save_first_line(year: int, granted: int = 0, paid: int = 0) -> None:
    """The Actions tab's Enregistrer after the first line's granted or paid amount was raised."""
    action = _first_action(year)
    lines = [FundingInput(line.funder_id, line.requested, line.granted, line.paid, line.decision_date, line.notes)
             for line in Funding.select().where(Funding.action == action.id, Funding.deleted == False)  # noqa: E712
             .order_by(Funding.id)]
    lines[0] = replace(lines[0], granted=(lines[0].granted or 0) + granted, paid=(lines[0].paid or 0) + paid)
    values = {"reference": action.reference, "title": action.title, "year": action.year,
              "orientation": action.orientation_id, "porteur": action.porteur_id, "status": action.status,
              "total_cost": action.total_cost}
    result = save_action(values, action.id, fundings=lines)
    assert result.ok, result.errors


def _funder_sums_by_sql(year: int) -> dict[int, tuple[int, int]]:
    """(granted, paid) per funder over the year's live lines of live actions, by the plainest SQL."""
    return {fid: (granted, paid) for fid, granted, paid in db.execute_sql(
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


def test_sums_read_before_a_backup_was_restored_are_never_painted_as_the_restored_base_s(demo_db, db_path: Path) -> None:
    """The dashboard reads its sums in the background; meanwhile the user restores the morning's backup (the
    Sauvegardes dialog does not wait for that reading), and the reading delivers its sums after. Once the restored
    base has had as many changes as the abandoned state had, the sums of that abandoned state must not come back
    as the restored base's figures."""
    year = _year()
    morning = Backups(db_path).take("ouverture")
    _save_first_line(year, granted=100_000)  # 1 000 € more granted: the change the user will undo by the restore
    _totals, late = read_year_totals(year)  # the dashboard's background reading, not yet delivered

    close_database()
    restore_holding_the_lock(db_path, morning)
    open_database(db_path)
    figure_cache.keep_rows(late)  # delivered now, in the window's thread
    _save_first_line(year, paid=50_000)  # the restored base's own change: a payment of 500 €

    painted = _painted_funder_sums(year)
    expected = _funder_sums_by_sql(year)
    assert painted is None or painted == {fid: expected.get(fid, (0, 0)) for fid in painted}


def test_a_base_with_data_brought_to_schema_7_keeps_sums_that_its_next_change_makes_stale(db_path: Path) -> None:
    """An office's base of schema 6 with its year of actions: the update adds the kept sums' triggers to tables that
    already hold rows; the sums kept after it equal SQL, and a payment saved after that makes them stale."""
    from cvdesk.services.demo import build_demo
    from cvdesk.store.migrations import MIGRATIONS

    from cvdesk.store.frozen_schema import VERSION_COLUMNS_V8

    open_database(db_path, migrations=MIGRATIONS[:6])
    assert db.execute_sql("PRAGMA user_version").fetchone()[0] == 6
    for statement in VERSION_COLUMNS_V8:  # today's saves check each record's version (step 8): given beforehand
        db.execute_sql(statement)
    build_demo()
    close_database()
    open_database(db_path, migrations=MIGRATIONS[:7])  # climbs step 7 over the data
    try:
        year = _year()
        _totals, kept = read_year_totals(year)
        assert figure_cache.keep_rows(kept)
        expected = _funder_sums_by_sql(year)
        painted = _painted_funder_sums(year)
        assert painted and painted == {fid: expected.get(fid, (0, 0)) for fid in painted}

        _save_first_line(year, paid=50_000)

        assert _painted_funder_sums(year) is None  # read again, in the background
    finally:
        close_database()
