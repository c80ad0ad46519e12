"""The dashboard's counts are the Actions list's own: each selection counted in one pass equals what the list shows
for its filters, and what SQL written here finds."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from cvdesk.services.dashboard import build_dashboard, default_year, per_inhabitant
from cvdesk.services.lists import count
from cvdesk.store.models import db

pytestmark = pytest.mark.both_engines


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


def _line_sums(where: str, *params: object) -> tuple[int, ...]:
    """What SQL finds on the live lines of the live 2015 actions matching where: requested, granted, paid, undecided,
    undecided lines, lines."""
    return db.execute_sql(
        f"""SELECT COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0),
              COALESCE(SUM(CASE WHEN f.granted IS NULL THEN f.requested END), 0), count(f.granted IS NULL OR NULL),
              count(*)
            FROM funding f JOIN "action" a ON a.id = f.action_id
            WHERE f.deleted = 0 AND a.deleted = 0 AND a.year = 2015 AND {where}""", params).fetchone()


def test_the_money_totals_are_what_sql_finds(demo_db) -> None:
    # Two offices merged: one action linked twice to its quartier; a line not decided yet; a deleted quartier.
    aid, qid = db.execute_sql('SELECT aq.action_id, aq.quartier_id FROM action_quartier aq JOIN "action" a '
                              "ON a.id = aq.action_id WHERE a.year = 2015 AND aq.deleted = 0 "
                              "ORDER BY aq.id LIMIT 1").fetchone()
    db.execute_sql("""INSERT INTO action_quartier (uuid, created_at, updated_at, office, deleted, action_id,
                        quartier_id) VALUES ('00000000-0000-4000-8000-00000000a0a0', '2015-01-01', '2015-01-01',
                        'autre bureau', 0, ?, ?)""", (aid, qid))
    db.execute_sql('UPDATE funding SET granted = NULL WHERE id = (SELECT min(f.id) FROM funding f JOIN "action" a '
                   "ON a.id = f.action_id WHERE a.year = 2015 AND f.deleted = 0 AND f.granted IS NOT NULL)")
    gone, = db.execute_sql("SELECT max(quartier_id) FROM action_quartier WHERE deleted = 0").fetchone()
    db.execute_sql("UPDATE quartier SET deleted = 1 WHERE id = ?", (gone,))
    board = build_dashboard(2015, date(2015, 6, 1))

    quartiers = {line.total.key: line for line in board.quartiers}
    live = [q for q, _code in db.execute_sql(
        'SELECT DISTINCT aq.quartier_id, q.code FROM action_quartier aq JOIN "action" a ON a.id = aq.action_id '
        "JOIN quartier q ON q.id = aq.quartier_id WHERE aq.deleted = 0 AND a.deleted = 0 AND q.deleted = 0 "
        "AND a.year = 2015 ORDER BY q.code")]
    assert list(quartiers) == live and gone not in quartiers and len(live) > 1
    linked = "a.id IN (SELECT action_id FROM action_quartier WHERE deleted = 0 AND quartier_id = ?)"
    for q in live:
        total = quartiers[q].total
        actions, cost = db.execute_sql(f'SELECT count(*), COALESCE(SUM(total_cost), 0) FROM "action" a '
                                       f"WHERE a.deleted = 0 AND a.year = 2015 AND {linked}", (q,)).fetchone()
        assert (total.actions, total.total_cost) == (actions, cost), total.label
        assert (total.requested, total.granted, total.paid, total.undecided, total.undecided_lines,
                total.lines) == _line_sums(linked, q), total.label
        assert count("actions", filters=quartiers[q].actions.filters) == actions
    assert quartiers[qid].total.actions == _sql(linked, 2015, qid)  # the twice-linked action counted once

    for line in board.orientations:
        where = "a.orientation_id IS NULL" if line.total.key is None else "a.orientation_id = ?"
        params = () if line.total.key is None else (line.total.key,)
        assert line.total.actions == _sql(where, 2015, *params)
        assert (line.total.requested, line.total.granted, line.total.paid, line.total.undecided,
                line.total.undecided_lines, line.total.lines) == _line_sums(where, *params)
    assert sum(line.total.lines for line in board.orientations) == _line_sums("1 = 1")[5]

    envelopes = db.execute_sql("SELECT funder_id, orientation_id, SUM(amount) FROM envelope WHERE deleted = 0 "
                               "AND year = 2015 GROUP BY 1, 2").fetchall()
    assert len(board.envelopes) == len(envelopes) > 0
    for fid, oid, amount in envelopes:
        bar, = [b for b in board.envelopes if (b.use.funder_id, b.use.orientation_id) == (fid, oid)]
        where = "f.funder_id = ?" + ("" if oid is None else " AND a.orientation_id = ?")
        params = (fid,) if oid is None else (fid, oid)
        requested, granted, paid, undecided, _, _ = _line_sums(where, *params)
        assert (bar.use.amount, bar.use.requested, bar.use.granted, bar.use.paid, bar.use.undecided) == (
            amount, requested, granted, paid, undecided)
        actions, = db.execute_sql(f'SELECT count(DISTINCT a.id) FROM funding f JOIN "action" a ON a.id = f.action_id '
                                  f"WHERE f.deleted = 0 AND a.deleted = 0 AND a.year = 2015 AND {where}",
                                  params).fetchone()
        assert bar.actions.count == actions == count("actions", filters=bar.actions.filters)
