"""The totals row under the Actions list: « Total (N) » and the money sums of what the filters select."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cvdesk.domain.money import format_money
from cvdesk.store.models import db

pytestmark = pytest.mark.both_engines


def _sql(where: str = "", params: tuple = ()) -> tuple[int, int, int, int, int]:
    row = db.execute_sql('SELECT count(*), COALESCE(sum(total_cost), 0), COALESCE(sum(requested_total), 0), '
                         'COALESCE(sum(granted_total), 0), COALESCE(sum(paid_total), 0)'
                         f' FROM "action" WHERE deleted = 0 {where}', params).fetchone()
    return tuple(int(value) for value in row)


def _expected_text(figures: tuple[int, int, int, int, int]) -> str:
    count, cost, requested, granted, paid = figures
    return (f"Total ({count}) · Coût total : {format_money(cost)} · Demandé : {format_money(requested)}"
            f" · Accordé : {format_money(granted)} · Versé : {format_money(paid)}")


def test_filtering_the_actions_by_a_year_shows_that_years_totals(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    row = tab.totals_row
    qtbot.waitUntil(lambda: row.text() == _expected_text(_sql()), timeout=3000)
    assert row.cell_text("reference") == "Total (40)"

    db.execute_sql('UPDATE "action" SET year = 2016 WHERE id IN (SELECT id FROM "action" ORDER BY id LIMIT 7)')
    window.refresh_all()
    combo = tab.filter_combos["year"]
    combo.ensure_loaded()  # what opening the list does
    combo.setCurrentIndex(combo.findText("2016", Qt.MatchFlag.MatchContains))
    expected = _sql("AND year = ?", (2016,))
    assert expected[0] == 7
    qtbot.waitUntil(lambda: row.text() == _expected_text(expected), timeout=3000)
    assert row.cell_text("granted") == format_money(expected[3])
    assert tab.model.rowCount() == 7


def test_the_row_follows_the_columns_when_they_are_resized_moved_and_scrolled(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    row, header = tab.totals_row, tab.view.horizontalHeader()
    paid = [c.key for c in tab.model.columns].index("paid")
    qtbot.waitUntil(lambda: row.totals is not None, timeout=3000)  # queried once the row has been painted

    def lined_up() -> bool:
        viewport = tab.view.viewport()
        section = viewport.mapTo(window, viewport.rect().topLeft()).x() + header.sectionViewportPosition(paid)
        return row.mapTo(window, row.section_rect(paid).topLeft()).x() == section

    assert lined_up()
    header.resizeSection(0, header.sectionSize(0) + 60)
    assert lined_up()
    header.moveSection(header.visualIndex(paid), 0)
    assert lined_up() and row.text().startswith("Total (")
    assert row.cell_text("paid").startswith("Total (")  # the first column shown carries the count
    tab.view.horizontalScrollBar().setValue(tab.view.horizontalScrollBar().maximum())
    assert lined_up()


def test_saving_a_new_cost_changes_the_total_under_the_list(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    row = tab.totals_row
    qtbot.waitUntil(lambda: row.totals is not None, timeout=3000)
    before = _sql()[1]
    tab.go_to(tab.model.record_id(0))
    old = db.execute_sql('SELECT total_cost FROM "action" WHERE id = ?', (tab.record_id,)).fetchone()[0]
    tab.total_cost_edit.clear()
    qtbot.keyClicks(tab.total_cost_edit, "999 999")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    after = _sql()[1]
    assert after == before - old + 99_999_900
    qtbot.waitUntil(lambda: row.cell_text("total_cost") == format_money(after), timeout=3000)


def test_an_action_saved_into_the_filtered_year_is_counted_under_the_list(window, qtbot) -> None:
    """The form shows a 2015 action while the list is filtered on 2016; its year set to 2016 and saved, the totals
    row counts it with the others of 2016 (it kept the figures from before the save)."""
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    row = tab.totals_row
    db.execute_sql('UPDATE "action" SET year = 2016 WHERE id IN (SELECT id FROM "action" ORDER BY id LIMIT 7)')
    window.refresh_all()
    moved = db.execute_sql('SELECT id FROM "action" WHERE deleted = 0 AND year = 2015 ORDER BY id DESC LIMIT 1'
                           ).fetchone()[0]
    tab.go_to(moved)
    combo = tab.filter_combos["year"]
    combo.ensure_loaded()
    combo.setCurrentIndex(combo.findText("2016", Qt.MatchFlag.MatchContains))
    qtbot.waitUntil(lambda: row.text() == _expected_text(_sql("AND year = ?", (2016,))), timeout=3000)
    assert tab.current_record_id() == moved and tab.model.row_of(moved) is None

    tab.year_spin.setFocus()
    tab.year_spin.selectAll()
    qtbot.keyClicks(tab.year_spin, "2016")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)

    expected = _sql("AND year = ?", (2016,))
    assert expected[0] == 8  # seven, and the one saved into 2016
    qtbot.waitUntil(lambda: row.text() == _expected_text(expected), timeout=3000)


def test_after_f5_a_filter_whose_year_is_gone_shows_every_action_as_it_says(window, qtbot, answer) -> None:
    """The only 2016 action is deleted while the list is filtered on 2016; after F5 the filter offers no 2016 and
    reads « Année : toutes »: the list and its totals are every action's, not still those of 2016 (none)."""
    from PySide6.QtWidgets import QMessageBox

    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    row = tab.totals_row
    db.execute_sql('UPDATE "action" SET year = 2016 WHERE id = (SELECT min(id) FROM "action")')
    window.refresh_all()
    combo = tab.filter_combos["year"]
    combo.ensure_loaded()
    combo.setCurrentIndex(combo.findText("2016", Qt.MatchFlag.MatchContains))
    assert tab.model.rowCount() == 1
    tab.view.selectRow(0)
    answer(QMessageBox.StandardButton.Yes)
    tab.delete_current()
    assert _sql("AND year = ?", (2016,))[0] == 0

    window.refresh_action.trigger()  # F5

    combo.ensure_loaded()
    assert combo.findText("2016", Qt.MatchFlag.MatchContains) == -1
    assert combo.currentText() == "Année : toutes"
    everything = _sql()
    assert everything[0] == 39
    assert tab.model.matching_count() == 39
    qtbot.waitUntil(lambda: row.text() == _expected_text(everything), timeout=3000)
