"""The dashboard's counts are the Actions list's own: each selection counted in one pass equals what the list shows
for its filters, and what SQL written here finds."""
from __future__ import annotations

from datetime import date, timedelta

from cvdesk.services.dashboard import build_dashboard, default_year, per_inhabitant
from cvdesk.services.lists import count
from cvdesk.store.models import db


def _sql(where: str, *params: object) -> int:
    return db.execute_sql(f'SELECT count(*) FROM "action" a WHERE a.deleted = 0 AND a.year = ? AND {where}',
                          params).fetchone()[0]


def test_every_count_of_the_dashboard_is_what_the_actions_list_shows(demo_db) -> None:
    # Odd cases the demo lacks: an action without porteur, one over its cost, one ending in 30 days.
    today = date(2015, 6, 1)
    db.execute_sql('UPDATE "action" SET porteur_id = NULL WHERE id = (SELECT min(id) FROM "action")')
    db.execute_sql('UPDATE "action" SET total_cost = requested_total - 1 WHERE id = (SELECT max(id) FROM "action")')
    db.execute_sql('UPDATE "action" SET end_date = ? WHERE id = (SELECT min(id) + 1 FROM "action")',
                   ((today + timedelta(days=30)).isoformat(),))
    board = build_dashboard(2015, today, totals=False)
    assert board.year == 2015
    expected = {
        "waiting_decision": _sql("a.status IN ('deposee', 'en_instruction', 'ajournee')", 2015),
        "granted_not_paid": _sql("a.granted_total > a.paid_total", 2015),
        "unbalanced_plan": _sql("(a.requested_total > a.total_cost OR a.granted_total > a.total_cost "
                                "OR a.total_cost < 0)", 2015),
        "no_porteur": _sql("a.porteur_id IS NULL", 2015),
        "ending_soon": _sql("a.end_date BETWEEN '2015-06-01' AND '2015-07-31'", 2015),
    }
    assert {s.key: s.count for s in board.to_act_on} == expected
    assert expected["no_porteur"] == expected["unbalanced_plan"] == expected["ending_soon"] == 1
    for selection in board.to_act_on + board.statuses:
        assert count("actions", filters=selection.filters) == selection.count, selection.key
    statuses = dict(db.execute_sql('SELECT status, count(*) FROM "action" WHERE deleted = 0 AND year = 2015 '
                                   "GROUP BY status").fetchall())
    assert {s.key.split(":")[1]: s.count for s in board.statuses} == statuses


def test_the_year_shown_first_and_the_amount_per_inhabitant() -> None:
    assert default_year([2014, 2015], date(2015, 3, 1)) == 2015
    assert default_year([2014, 2016], date(2015, 3, 1)) == 2016
    assert default_year([], date(2015, 3, 1)) is None
    assert per_inhabitant(100_00, 3) == 33_33 and per_inhabitant(200_00, 3) == 66_67
    assert per_inhabitant(5, 0) is None
