"""After a merge, one action's plan may hold two lines of one funder (two offices each added it). A comité grants that
funder 1 000 € out of its two requests: the plan must then carry 1 000 € from it, not 1 000 € on each line, and the
decision dialog asks for that funder's amount once; reopening gives both lines back as they were."""
from __future__ import annotations

from datetime import date

import pytest

from cvdesk.domain.decisions import PARTIAL
from cvdesk.services.actions import recompute_totals
from cvdesk.services.meetings import (
    add_items,
    agenda,
    close_meeting,
    decision_lines,
    record_decision,
    reopen_meeting,
    save_meeting,
)
from cvdesk.services.records import save_record
from cvdesk.store.models import Funding, db

pytestmark = pytest.mark.both_engines


def rows(sql: str, *params: object) -> list[tuple]:
    return list(db.execute_sql(sql, params))


def test_a_partial_grant_counts_once_for_a_funder_with_two_merged_lines(demo_db) -> None:
    [(action, funder)] = rows('SELECT a.id, f.funder_id FROM "action" a JOIN funding f ON f.action_id = a.id '
                              "WHERE a.reference = '2015-VM-006' AND f.deleted = 0 ORDER BY f.id LIMIT 1")
    # The second office's line for the same funder, as a merge leaves it (the plan editor refuses a twin line).
    assert save_record(Funding, {"action": action, "funder": funder, "requested": 300_000}).ok
    recompute_totals(action)
    before = rows("SELECT id, granted, decision_date FROM funding WHERE action_id = ? ORDER BY id", action)
    funders = [f for (f,) in rows("SELECT DISTINCT funder_id FROM funding WHERE action_id = ? AND deleted = 0",
                                  action)]
    meeting = save_meeting({"kind": "comite_attribution", "date": date(2015, 5, 21)}).record.id
    assert add_items(meeting, [action]).ok
    item = agenda(meeting)[0].item_id

    # One amount to type per funder, beside what that funder asks in all.
    lines = decision_lines(item)
    assert sorted(line.funder_id for line in lines) == sorted(funders)
    asked = dict(rows("SELECT funder_id, SUM(requested) FROM funding WHERE action_id = ? AND deleted = 0 "
                      "GROUP BY funder_id", action))
    assert {line.funder_id: line.requested for line in lines} == asked

    assert record_decision(item, PARTIAL, {f: 100_000 for f in funders}).ok  # 1 000 € from each funder
    assert close_meeting(meeting).ok
    granted = dict(rows("SELECT funder_id, SUM(granted) FROM funding WHERE action_id = ? AND deleted = 0 "
                        "GROUP BY funder_id", action))
    assert granted == {f: 100_000 for f in funders}
    assert rows('SELECT granted_total FROM "action" WHERE id = ?', action) == [(100_000 * len(funders),)]
    assert agenda(meeting)[0].decided_amount == 100_000 * len(funders)

    assert reopen_meeting(meeting).ok
    assert rows("SELECT id, granted, decision_date FROM funding WHERE action_id = ? ORDER BY id", action) == before
