"""A save that leaves the action's financing plan as it was still shows the plan's warnings and the action's own, the
same as when the plan is written (read from its lines once, not again after the save), on both engines."""
from __future__ import annotations

import pytest

from cvdesk.domain.money import format_money
from cvdesk.services.actions import FundingInput, save_action, save_warnings
from cvdesk.services.choices import fundings_of, quartier_ids_of

pytestmark = pytest.mark.both_engines


def granted_action(sql_rows) -> tuple[int, int]:
    """A 2015 action of the demo with a grant from a funder, and its year (plain SQL)."""
    (action_id, year), = sql_rows(
        'SELECT a.id, a.year FROM "action" a WHERE a.deleted = 0 AND a.year = 2015 AND EXISTS (SELECT 1 FROM funding f '
        "WHERE f.action_id = a.id AND f.deleted = 0 AND f.granted > 0) ORDER BY a.reference LIMIT 1")
    return action_id, year


def test_moving_an_action_to_a_year_without_envelopes_warns_of_each_grant_with_its_plan_unchanged(
        demo_db, sql_rows) -> None:
    action_id, _year = granted_action(sql_rows)
    plan = fundings_of(action_id)
    result = save_action({"year": 2031, "status": "soldee"}, action_id, quartier_ids_of(action_id), plan)
    assert result.ok, result.errors
    # By hand: every funder granting something, none with an envelope in 2031; « soldée » with nothing paid or not.
    granted = sql_rows("SELECT fr.name, f.granted FROM funding f JOIN funder fr ON fr.id = f.funder_id "
                       "WHERE f.action_id = ? AND f.deleted = 0 AND f.granted > 0 ORDER BY fr.position, fr.name",
                       (action_id,))
    assert granted and not sql_rows("SELECT 1 FROM envelope WHERE year = 2031")
    expected = [f"{name} n'a pas d'enveloppe en 2031 : les {format_money(cents)} accordés n'entrent dans aucune "
                "enveloppe." for name, cents in granted]
    (paid,), = sql_rows('SELECT paid_total FROM "action" WHERE id = ?', (action_id,))
    own = [w for w in result.warnings if "enveloppe" in w or "soldée" in w]
    assert own == ([] if paid else [w for w in result.warnings if "soldée" in w]) + expected
    # The same as read afresh after the save, whichever way they are read.
    assert result.warnings == save_warnings(action_id)


def test_a_plan_written_by_the_save_and_one_left_alike_give_the_same_warnings(demo_db, sql_rows) -> None:
    action_id, _year = granted_action(sql_rows)
    plan = fundings_of(action_id)
    quartiers = quartier_ids_of(action_id)
    changed = [FundingInput(line.funder_id, line.requested + 100, line.granted, line.paid, line.decision_date,
                            line.notes) for line in plan]
    written = save_action({"total_cost": 1}, action_id, quartiers, changed)  # a plan far above its cost
    left = save_action({"total_cost": 1}, action_id, quartiers, changed)  # the same again: nothing written
    assert written.ok and left.ok
    assert written.warnings and left.warnings == written.warnings == save_warnings(action_id)
    (lines,), = sql_rows("SELECT count(*) FROM history WHERE record_type = 'Funding' AND record_uuid IN "
                         "(SELECT uuid FROM funding WHERE action_id = ?)", (action_id,))
    assert lines >= len(plan)  # the first save wrote each line, with its history
