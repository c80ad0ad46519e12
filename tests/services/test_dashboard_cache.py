"""The dashboard's money sums kept in the base (services/figure_cache.py) are used only while the data they were read
from is unchanged: a change by any path (a save, a new action, a deletion, a meeting's closing, a merge, a
spreadsheet import, an outside tool on SQLite or PostgreSQL) makes them stale, and the sums read again equal plain SQL."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import pytest

from cvdesk.domain.decisions import GRANTED
from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.exchange.sheet_import import import_sheet
from cvdesk.services import figure_cache
from cvdesk.services.actions import FundingInput, delete_action, save_action
from cvdesk.services.dashboard import kept_quartier_totals, kept_year_totals, read_year_totals
from cvdesk.services.meetings import add_items, agenda, close_meeting, record_decision, save_meeting
from cvdesk.store.database import close_database, database_target, opened_database
from cvdesk.store.models import Action, Funding, db
from sql_oracle import SqlOracle

pytestmark = pytest.mark.both_engines

Figures = dict[str, dict[Any, tuple[int, ...]]]


def _year() -> int:
    return db.execute_sql('SELECT max(year) FROM "action" WHERE deleted = 0').fetchone()[0]


def _sql_figures(year: int) -> Figures:
    """By the plainest SQL: per orientation (actions, cost, requested, granted, paid), per quartier the same, per
    funder (requested, granted, paid) over the year's live actions and live lines."""
    live = 'a.year = ? AND a.deleted = 0'
    orientations: dict[Any, tuple[int, ...]] = {}
    for oid, n, cost in db.execute_sql(f'SELECT a.orientation_id, count(*), SUM(a.total_cost) FROM "action" a '
                                       f'WHERE {live} GROUP BY 1', (year,)):
        req, gra, paid = db.execute_sql(
            f"""SELECT COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0)
                FROM funding f JOIN "action" a ON a.id = f.action_id WHERE f.deleted = 0 AND {live}
                AND a.orientation_id IS NOT DISTINCT FROM ?""", (year, oid)).fetchone()
        orientations[oid] = (n, cost, req, gra, paid)
    quartiers: dict[Any, tuple[int, ...]] = {}
    for qid, n, cost in db.execute_sql(
            f"""SELECT q.id, count(DISTINCT a.id), SUM(a.total_cost) FROM "action" a
                JOIN action_quartier aq ON aq.action_id = a.id AND aq.deleted = 0
                JOIN quartier q ON q.id = aq.quartier_id AND q.deleted = 0 WHERE {live} GROUP BY 1""", (year,)):
        req, gra, paid = db.execute_sql(
            f"""SELECT COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0)
                FROM funding f WHERE f.deleted = 0 AND f.action_id IN (SELECT a.id FROM "action" a
                JOIN action_quartier aq ON aq.action_id = a.id AND aq.deleted = 0 WHERE {live}
                AND aq.quartier_id = ?)""", (year, qid)).fetchone()
        quartiers[qid] = (n, cost, req, gra, paid)
    funders = {fid: (req, gra, paid) for fid, req, gra, paid in db.execute_sql(
        f"""SELECT f.funder_id, SUM(f.requested), COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0)
            FROM funding f JOIN "action" a ON a.id = f.action_id WHERE f.deleted = 0 AND {live} GROUP BY 1""",
        (year,))}
    return {"orientations": orientations, "quartiers": quartiers, "funders": funders}


def _kept_figures(year: int) -> Figures | None:
    """What the dashboard paints from the kept sums (None when they are stale), in the same shape."""
    areas, quartiers = kept_year_totals(year), kept_quartier_totals(year)
    if areas is None or quartiers is None:
        assert areas is None and quartiers is None  # both parts go stale together
        return None

    def sums(total: Any) -> tuple[int, ...]:
        return (total.actions, total.total_cost, total.requested, total.granted, total.paid)

    return {"orientations": {area.total.key: sums(area.total) for area in areas.orientations},
            "quartiers": {area.total.key: sums(area.total) for area in quartiers},
            # The yearly envelopes (all orientations) against their funder's lines.
            "funders": {bar.use.funder_id: (bar.use.requested, bar.use.granted, bar.use.paid)
                        for bar in areas.envelopes if bar.use.orientation_id is None}}


def _expected(year: int) -> Figures:
    found = _sql_figures(year)
    with_envelope = {fid for (fid,) in db.execute_sql(
        "SELECT DISTINCT funder_id FROM envelope WHERE deleted = 0 AND year = ? AND orientation_id IS NULL", (year,))}
    found["funders"] = {fid: found["funders"].get(fid, (0, 0, 0)) for fid in with_envelope}
    return found


def _read_and_keep(year: int) -> None:
    """What the dashboard does when its kept sums are stale: read them (in the background) and keep them."""
    _totals, kept = read_year_totals(year)
    assert figure_cache.keep_rows(kept)


def _first_action(year: int) -> Action:
    return Action.select().where(Action.year == year, Action.deleted == False).order_by(Action.id).first()  # noqa: E712


def _values(action: Action) -> dict[str, Any]:
    return {"reference": action.reference, "title": action.title, "year": action.year,
            "orientation": action.orientation_id, "porteur": action.porteur_id, "status": action.status,
            "total_cost": action.total_cost, "description": action.description}


def _lines(action: Action) -> list[FundingInput]:
    lines = Funding.select().where(Funding.action == action.id, Funding.deleted == False).order_by(Funding.id)  # noqa: E712
    return [FundingInput(line.funder_id, line.requested, line.granted, line.paid, line.decision_date, line.notes)
            for line in lines]


def _grant_more(year: int, _tmp: Path) -> None:
    """The Actions tab's Enregistrer after the granted amount of a line was raised by 1 000 €."""
    action = _first_action(year)
    lines = _lines(action)
    lines[0] = replace(lines[0], granted=(lines[0].granted or 0) + 100_000)
    assert save_action(_values(action), action.id, fundings=lines).ok


def _new_action(year: int, _tmp: Path) -> None:
    funder = db.execute_sql("SELECT id FROM funder WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()[0]
    quartier = db.execute_sql("SELECT id FROM quartier WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()[0]
    result = save_action({"reference": f"{year}-NEUF-001", "title": "Atelier vélo", "year": year,
                          "status": "deposee", "total_cost": 1_200_000}, quartier_ids=[quartier],
                         fundings=[FundingInput(funder, 600_000, 500_000)])
    assert result.ok, result.errors


def _delete(year: int, _tmp: Path) -> None:
    assert delete_action(_first_action(year).id)


def _close_meeting(year: int, _tmp: Path) -> None:
    """A comité that grants an action still waiting in full, closed: its lines get their granted amounts."""
    action = db.execute_sql(
        """SELECT a.id FROM "action" a WHERE a.year = ? AND a.deleted = 0 AND a.status IN ('deposee', 'en_instruction')
           AND EXISTS (SELECT 1 FROM funding f WHERE f.action_id = a.id AND f.deleted = 0 AND f.granted IS NULL)
           ORDER BY a.id LIMIT 1""", (year,)).fetchone()[0]
    meeting = save_meeting({"kind": "comite_attribution", "date": f"{year}-05-21", "place": "Valenciennes"}).record.id
    assert add_items(meeting, [action]).ok
    assert record_decision(agenda(meeting)[0].item_id, GRANTED).ok
    assert close_meeting(meeting).ok


def _merge(year: int, tmp: Path) -> None:
    """A package from another office's copy of the base, where a line's granted amount was raised since."""
    target = database_target()
    here = target.url if target else Path(db.database)
    other = tmp / "autre-bureau.db"
    if target:  # headquarters on PostgreSQL: the office's copy is made of headquarters' own package
        export_package(tmp / "siege.cvdesk", "Siège")
        close_database()
        with opened_database(other):
            import_package(tmp / "siege.cvdesk")
    else:
        close_database()
        shutil.copyfile(here, other)
    package = tmp / "paquet.cvdesk"
    with opened_database(other):
        _grant_more(year, tmp)
        export_package(package, "Bureau de Saint-Saulve")
    with opened_database(here):
        summary = import_package(package)
    assert summary.changed
    from cvdesk.store.database import open_database

    open_database(here)  # the fixture closes it at the end


def _sheet_import(year: int, tmp: Path) -> None:
    funder = db.execute_sql("SELECT name FROM funder WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()[0]
    sheet = tmp / "actions.csv"
    sheet.write_text("Référence;Intitulé;Année;Coût total;Financeur;Montant demandé;Montant accordé\n"
                     f"{year}-TAB-001;Jardins partagés;{year};8 000,00;{funder};4 000,00;3 500,00\n",
                     encoding="utf-8")
    preview = import_sheet(sheet, "actions")
    assert not preview.errors, preview.lines()


def _outside(sql: str, *params: object) -> None:
    """Another program's connection to the base (sqlite3's shell, psql, a spreadsheet tool), committing at once."""
    target = database_target()
    tool = SqlOracle("postgresql", target.url) if target else SqlOracle("sqlite", Path(db.database))
    try:
        tool.rows(sql, params)
    finally:
        tool.close()


def _outside_update(year: int, _tmp: Path) -> None:
    """Another program (sqlite3's shell, psql, a spreadsheet tool) pays a line."""
    _outside("""UPDATE funding SET paid = COALESCE(paid, 0) + 50000 WHERE id = (SELECT f.id FROM funding f
            JOIN "action" a ON a.id = f.action_id WHERE a.year = ? AND a.deleted = 0 AND f.deleted = 0
            ORDER BY f.id LIMIT 1)""", year)


def _outside_delete(year: int, _tmp: Path) -> None:
    """Another program deletes a quartier link for good (no tombstone)."""
    _outside("""DELETE FROM action_quartier WHERE id = (SELECT aq.id FROM action_quartier aq
            JOIN "action" a ON a.id = aq.action_id WHERE a.year = ? AND aq.deleted = 0 ORDER BY aq.id LIMIT 1)""", year)


def _quartier_tombstoned(year: int, _tmp: Path) -> None:
    db.execute_sql("""UPDATE quartier SET deleted = 1 WHERE id = (SELECT aq.quartier_id FROM action_quartier aq
        JOIN "action" a ON a.id = aq.action_id WHERE a.year = ? AND aq.deleted = 0 ORDER BY aq.id LIMIT 1)""",
                   (year,))


CHANGES: dict[str, Callable[[int, Path], None]] = {
    "enregistrement": _grant_more,
    "nouvelle action": _new_action,
    "suppression": _delete,
    "clôture de réunion": _close_meeting,
    "fusion d'un paquet": _merge,
    "import d'un tableur": _sheet_import,
    "outil extérieur : mise à jour": _outside_update,
    "outil extérieur : suppression": _outside_delete,
    "quartier supprimé": _quartier_tombstoned,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_by_any_path_makes_the_kept_figures_stale_and_they_are_read_again(demo_db, tmp_path,
                                                                                  change) -> None:
    year = _year()
    _read_and_keep(year)
    before = _kept_figures(year)
    assert before == _expected(year)  # kept, and right

    change(year, tmp_path)

    assert _kept_figures(year) is None  # stale: the dashboard reads them again in the background
    _read_and_keep(year)
    after = _kept_figures(year)
    assert after == _expected(year)
    assert after != before  # the change shows


def test_a_change_the_figures_do_not_read_leaves_them_kept(demo_db, tmp_path) -> None:
    year = _year()
    _read_and_keep(year)
    before = _kept_figures(year)
    action = _first_action(year)
    values = _values(action) | {"description": "Ateliers hebdomadaires, le mercredi."}
    assert save_action(values, action.id, fundings=_lines(action)).ok  # every line written again, unchanged

    assert _kept_figures(year) == before == _expected(year)


def test_sums_read_while_the_data_changed_are_never_taken_for_the_new_data(demo_db, tmp_path) -> None:
    """The stamp is read before the sums: a save in between leaves them under the older stamp."""
    year = _year()
    stamp = figure_cache.stamp()
    _grant_more(year, tmp_path)  # saved after the stamp was read, before the sums were
    kept = figure_cache.KeptRows(year, stamp, figure_cache.read_rows(year).rows)
    assert not figure_cache.keep_rows(kept)  # no longer the data's stamp: not kept at all (review R3)

    assert _kept_figures(year) is None


def test_a_read_only_base_keeps_nothing_and_says_nothing(demo_template, read_only_folder) -> None:
    path = read_only_folder(demo_template)
    with opened_database(path):
        year = _year()
        _totals, kept = read_year_totals(year)
        assert figure_cache.keep_rows(kept) is False
        assert kept_year_totals(year) is None
