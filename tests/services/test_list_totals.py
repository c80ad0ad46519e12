"""The totals row of a list: the count and the money sums of what the search and filters select, checked by raw SQL."""
from __future__ import annotations

import pytest

from cvdesk.services.list_totals import list_totals, money_columns
from cvdesk.store.models import Orientation, Quartier, db

pytestmark = pytest.mark.both_engines


def _sql_sums(where: str = "", params: tuple = ()) -> tuple[int, int, int, int, int]:
    """The expected figures, added up by the engine over the live actions, without the service under test."""
    row = db.execute_sql(
        'SELECT count(*), COALESCE(sum(total_cost), 0), COALESCE(sum(requested_total), 0), '
        'COALESCE(sum(granted_total), 0), COALESCE(sum(paid_total), 0)'
        f' FROM "action" WHERE deleted = 0 {where}', params).fetchone()
    return tuple(int(value) for value in row)


def _figures(totals) -> tuple[int, int, int, int, int]:
    return (totals.count, totals.sums["total_cost"], totals.sums["requested"], totals.sums["granted"],
            totals.sums["paid"])


def test_the_actions_list_adds_up_cost_requested_granted_and_paid(demo_db) -> None:
    assert money_columns("actions") == ["total_cost", "requested", "granted", "paid"]
    expected = _sql_sums()
    assert expected[0] == 40 and expected[3] > 0
    assert _figures(list_totals("actions")) == expected


def test_a_year_and_an_orientation_narrow_the_totals(demo_db) -> None:
    second = Orientation.get(Orientation.number == 2)
    assert _figures(list_totals("actions", filters={"year": 2015})) == _sql_sums("AND year = ?", (2015,))
    narrowed = list_totals("actions", filters={"year": 2015, "orientation": second.id})
    assert _figures(narrowed) == _sql_sums("AND year = ? AND orientation_id = ?", (2015, second.id))
    assert 0 < narrowed.count < 40
    assert _figures(list_totals("actions", filters={"year": 1999})) == (0, 0, 0, 0, 0)


def test_a_quartier_and_a_search_are_counted_once_per_action(demo_db) -> None:
    chasse = Quartier.get(Quartier.code == "QP059001")
    in_chasse = ("AND id IN (SELECT action_id FROM action_quartier WHERE quartier_id = ? AND deleted = 0)", (chasse.id,))
    assert _figures(list_totals("actions", filters={"quartier": chasse.id})) == _sql_sums(*in_chasse)
    assert _figures(list_totals("actions", search="jardins")) == _sql_sums("AND lower(title) LIKE ?", ("%jardins%",))
    assert list_totals("actions", search="jardins").count == 1


def test_a_deleted_action_leaves_the_totals(demo_db) -> None:
    before = list_totals("actions")
    action_id, granted = db.execute_sql(
        'SELECT id, granted_total FROM "action" WHERE deleted = 0 AND granted_total > 0 LIMIT 1').fetchone()
    db.execute_sql('UPDATE "action" SET deleted = 1 WHERE id = ?', (action_id,))
    after = list_totals("actions")
    assert after.count == before.count - 1
    assert after.sums["granted"] == before.sums["granted"] - granted


def test_fundings_add_up_by_line_and_lists_without_money_only_count(demo_db) -> None:
    row = db.execute_sql(
        "SELECT count(*), COALESCE(sum(f.requested), 0), COALESCE(sum(f.granted), 0), COALESCE(sum(f.paid), 0)"
        " FROM funding f"
        ' JOIN "action" a ON a.id = f.action_id AND a.deleted = 0 WHERE f.deleted = 0 AND a.year = 2015').fetchone()
    fundings = list_totals("fundings", filters={"year": 2015})
    assert (fundings.count, fundings.sums["requested"], fundings.sums["granted"], fundings.sums["paid"]) == \
        tuple(int(v) for v in row)
    quartiers = list_totals("quartiers")
    assert quartiers.sums == {} and quartiers.count == db.execute_sql(
        "SELECT count(*) FROM quartier WHERE deleted = 0").fetchone()[0]
