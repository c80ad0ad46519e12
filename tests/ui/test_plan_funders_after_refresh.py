"""A funder that arrives while the form is open (an import, then F5) is shown on the lines that name it, and a save
keeps it: the plan never puts another funder in its place."""
from __future__ import annotations

from PySide6.QtCore import Qt

from cvdesk.store.models import Action, Funder, Funding, db


def _two_actions_with_as_many_lines() -> tuple[int, int, int]:
    """Two actions whose plans have the same number of lines (the form refills its lines in place), and that number."""
    rows = db.execute_sql('SELECT f.action_id, count(*) FROM funding f JOIN "action" a ON a.id = f.action_id '
                          'WHERE f.deleted = 0 AND a.deleted = 0 GROUP BY f.action_id ORDER BY f.action_id').fetchall()
    by_count: dict[int, list[int]] = {}
    for action_id, lines in rows:
        by_count.setdefault(lines, []).append(action_id)
    lines, ids = next((n, ids) for n, ids in sorted(by_count.items()) if len(ids) >= 2)
    return ids[0], ids[1], lines


def test_a_line_of_a_funder_arrived_after_the_form_keeps_its_funder_when_saved(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    first, second, lines = _two_actions_with_as_many_lines()
    tab.go_to(first)
    assert tab.plan_editor.table.rowCount() == lines  # the plan's lines, their funder lists as they were then

    # A package from headquarters brings a funder and gives it the second action's line; F5 as the import does.
    arrived = Funder.create(name="Fondation de France", short_name="FdF", kind="autre", position=99)
    line = (Funding.select().where((Funding.action == second) & (Funding.deleted == False))  # noqa: E712
            .order_by(Funding.id).first())
    Funding.update(funder=arrived).where(Funding.id == line.id).execute()
    expected = sorted(f for (f,) in db.execute_sql('SELECT funder_id FROM funding WHERE action_id = ? AND deleted = 0',
                                                   (second,)).fetchall())
    window.refresh_action.trigger()

    tab.go_to(second)
    shown = [tab.plan_editor.funder_id(row) for row in range(tab.plan_editor.table.rowCount())]
    assert sorted(shown) == expected and arrived.id in shown
    tab.title_edit.setFocus()
    tab.title_edit.end(False)
    qtbot.keyClicks(tab.title_edit, " (suite)")
    qtbot.keyClick(tab.title_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert Action.get_by_id(second).title.endswith(" (suite)")
    funders = db.execute_sql('SELECT funder_id FROM funding WHERE action_id = ? AND deleted = 0', (second,)).fetchall()
    assert sorted(f for (f,) in funders) == expected
