"""The dashboard's year figures are the same whether a year's plan lines were entered in one go (a narrow run of line
ids, read in id order) or interleaved with another year's (read action by action): sums taken by plain SQL."""
from __future__ import annotations

import pytest

from cvdesk.services.actions import FundingInput, save_action
from cvdesk.services.quartiers import save_quartier
from cvdesk.services.reference import save_contract, save_envelope, save_funder, save_orientation
from cvdesk.services.totals import year_figures
from cvdesk.store.models import Funding, db

pytestmark = pytest.mark.both_engines


def _sql_by_quartier(year: int) -> dict[int, tuple[int, ...]]:
    """Per quartier, by the plainest SQL: actions, cost, requested, granted, paid, not decided, its lines, lines."""
    found: dict[int, tuple[int, ...]] = {}
    for qid, n, cost in db.execute_sql("""SELECT aq.quartier_id, count(DISTINCT a.id), SUM(a.total_cost)
            FROM "action" a JOIN action_quartier aq ON aq.action_id = a.id AND aq.deleted = 0
            WHERE a.year = ? AND a.deleted = 0 GROUP BY 1""", (year,)):
        sums = db.execute_sql("""SELECT COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0),
                COALESCE(SUM(f.paid), 0), COALESCE(SUM(CASE WHEN f.granted IS NULL THEN f.requested END), 0),
                count(f.granted IS NULL OR NULL), count(f.id)
            FROM funding f WHERE f.deleted = 0 AND f.action_id IN (SELECT a.id FROM "action" a
              JOIN action_quartier aq ON aq.action_id = a.id AND aq.deleted = 0
              WHERE a.year = ? AND a.deleted = 0 AND aq.quartier_id = ?)""", (year, qid)).fetchone()
        found[qid] = (n, cost, *sums)
    return found


def _sql_by_funder(year: int) -> dict[int, tuple[int, int, int]]:
    return {fid: (req, gra, paid) for fid, req, gra, paid in db.execute_sql(
        """SELECT f.funder_id, SUM(f.requested), COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0)
           FROM funding f JOIN "action" a ON a.id = f.action_id
           WHERE a.year = ? AND a.deleted = 0 AND f.deleted = 0 GROUP BY 1""", (year,))}


@pytest.mark.parametrize("interleaved", [False, True], ids=["une année après l'autre", "deux années mêlées"])
def test_a_years_figures_do_not_depend_on_the_order_lines_were_entered(empty_db, interleaved: bool) -> None:
    contract = save_contract({"name": "Contrat de ville d'Ordre", "start_year": 2024, "end_year": 2030}).record
    orientation = save_orientation({"contract": contract.id, "number": 1, "title": "Emploi"}).record
    state = save_funder({"name": "État – BOP 147", "short_name": "État", "kind": "etat", "position": 0}).record
    town = save_funder({"name": "Ville d'Ordre", "short_name": "Ville", "kind": "commune", "position": 1}).record
    north = save_quartier({"code": "QP059001", "name": "Nord", "population": 1000}).record
    south = save_quartier({"code": "QP059002", "name": "Sud", "population": 2000}).record
    for year in (2024, 2025):
        assert save_envelope({"funder": state.id, "year": year, "amount": 100_000}).ok
    # Mixed: one 2024 action for two 2025 ones, so that 2024's lines are too spread out to be read as a run.
    years = [2024, 2025, 2025] * 4 if interleaved else [2024] * 6 + [2025] * 6
    for n, year in enumerate(years):
        lines = [FundingInput(state.id, 1_000 + n, None if n % 3 == 0 else 900 + n, n),
                 FundingInput(town.id, 500 + n, 400 + n if n % 2 else None)]
        quartiers = [north.id] if n % 2 else [north.id, south.id]
        result = save_action({"reference": f"{year}-O-{n:03}", "title": f"Action {n}", "year": year,
                              "orientation": orientation.id, "status": "deposee", "total_cost": 10_000 + n},
                             quartier_ids=quartiers, fundings=lines)
        assert result.ok, result.errors
    # A line of each year deleted (the first action's second line, the last action's first): not counted.
    ids = [line.id for line in Funding.select().order_by(Funding.id)]
    db.execute_sql("UPDATE funding SET deleted = 1 WHERE id IN (?, ?)", (ids[1], ids[-2]))

    for year in (2024, 2025):
        figures = year_figures(year)
        shown = {t.key: (t.actions, t.total_cost, t.requested, t.granted, t.paid, t.undecided, t.undecided_lines,
                         t.lines) for t in figures.quartiers}
        assert shown == _sql_by_quartier(year)
        wanted = _sql_by_funder(year)
        assert {use.funder_id: (use.requested, use.granted, use.paid) for use in figures.envelopes} == {
            state.id: wanted[state.id]}
        orientation_line, = figures.orientations
        assert (orientation_line.requested, orientation_line.granted, orientation_line.paid) == tuple(
            sum(values[i] for values in wanted.values()) for i in range(3))
