"""A coordinator edits an action in a sorted, filtered or searched list: after « Enregistrer » the list shows the truth
(the row changed in place, moved to where its new value sorts, or gone when it no longer matches), the form keeps the
action, and the history panel shows every change, newest first."""
from __future__ import annotations

import string

import pytest
from PySide6.QtCore import QPoint, Qt

from cvdesk.store.models import Action, db
from cvdesk.ui.history_panel import HistoryPanel

pytestmark = pytest.mark.both_engines

CTRL = Qt.KeyboardModifier.ControlModifier
# SQLite's NOCASE folds A-Z alone, then compares code points (as PostgreSQL's "C" collation orders UTF-8).
ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def actions_tab(window):
    window.tabs.setCurrentWidget(window.actions_tab)
    return window.actions_tab


def listed_ids(tab) -> list[int]:
    tab.model.ensure_complete()
    return [tab.model.record_id(row) for row in range(tab.model.rowCount())]


def sql_ids(where: str = "", params: tuple = (), order: str = "reference, id") -> list[int]:
    """The list as SQL gives it, written here (not by the list's code)."""
    condition = f"deleted = 0 AND {where}" if where else "deleted = 0"
    return [row[0] for row in db.execute_sql(f'SELECT id FROM "action" WHERE {condition} ORDER BY {order}', params)]


def ids_by_title(descending: bool) -> list[int]:
    """The live actions sorted by title without regard to ASCII case, then id, sorted here in Python (the same
    order on both engines, whatever each one's collations are called)."""
    rows = db.execute_sql('SELECT id, title FROM "action" WHERE deleted = 0').fetchall()
    ordered = sorted(rows, key=lambda row: (row[1].translate(ASCII_FOLD), row[0]), reverse=descending)
    return [row[0] for row in ordered]


def click_header(tab, qtbot, key: str) -> None:
    column = [c.key for c in tab.model.columns].index(key)
    header = tab.view.horizontalHeader()
    tab.view.scrollTo(tab.model.index(0, column))
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def retitle(window, tab, qtbot, type_text, title: str) -> None:
    tab.title_edit.selectAll()
    type_text(tab.title_edit, title)
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)


def selected_id(tab) -> int | None:
    rows = tab.view.selectionModel().selectedRows()
    return tab.model.record_id(rows[0].row()) if rows else None


def test_a_new_title_changes_the_row_in_place_when_the_list_is_sorted_by_reference(window, qtbot, type_text) -> None:
    tab = actions_tab(window)
    tab.view.selectRow(2)
    edited = tab.current_record_id()
    before = listed_ids(tab)
    retitle(window, tab, qtbot, type_text, "Permanences d'accès aux droits")
    assert not tab.is_dirty()
    assert listed_ids(tab) == before == sql_ids()
    title = [c.key for c in tab.model.columns].index("title")
    assert tab.model.index(2, title).data() == "Permanences d'accès aux droits"
    assert selected_id(tab) == edited


def test_a_new_title_moves_the_row_of_a_list_sorted_by_title_and_keeps_it_selected(window, qtbot, type_text) -> None:
    tab = actions_tab(window)
    click_header(tab, qtbot, "title")
    descending = tab.view.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert listed_ids(tab) == ids_by_title(descending)
    row = 1 if descending else tab.model.rowCount() - 2  # near the end the title sorts away from
    tab.view.selectRow(row)
    edited = tab.current_record_id()
    retitle(window, tab, qtbot, type_text, "Aaaa, ateliers du samedi" if not descending else "Zzzz, ateliers du samedi")
    listed = listed_ids(tab)
    assert listed == ids_by_title(descending)
    assert listed.index(edited) == 0  # it sorts first now, and the list says so
    assert selected_id(tab) == edited
    assert tab.current_record_id() == edited
    assert tab.title_edit.text().endswith("ateliers du samedi")


def test_a_new_year_takes_the_action_out_of_a_list_filtered_on_the_old_year(window, qtbot) -> None:
    tab = actions_tab(window)
    combo = tab.filter_combos["year"]
    combo.ensure_loaded()
    combo.setCurrentIndex(combo.findText("2015"))
    assert listed_ids(tab) == sql_ids("year = ?", (2015,))
    tab.view.selectRow(1)
    edited = tab.current_record_id()
    tab.year_spin.setValue(2017)
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert Action.get_by_id(edited).year == 2017
    assert edited not in listed_ids(tab)
    assert listed_ids(tab) == sql_ids("year = ?", (2015,))
    # The form still shows the action saved, and no other action was opened by the row's leaving.
    assert tab.current_record_id() == edited
    assert tab.year_spin.value() == 2017
    assert not tab.is_dirty()
    assert selected_id(tab) is None


def test_a_saved_action_comes_into_a_search_it_now_matches_and_leaves_it_when_it_no_longer_does(
        window, qtbot, type_text) -> None:
    tab = actions_tab(window)
    tab.view.selectRow(0)
    edited = tab.current_record_id()
    type_text(tab.search, "xylophone")
    tab.apply_search()
    assert listed_ids(tab) == []
    retitle(window, tab, qtbot, type_text, "Orchestre à l'école : xylophone et percussions")
    assert listed_ids(tab) == [edited]
    assert selected_id(tab) == edited
    retitle(window, tab, qtbot, type_text, "Orchestre à l'école : cuivres et percussions")
    assert listed_ids(tab) == []
    # The form keeps the action saved.
    assert tab.current_record_id() == edited
    assert Action.get_by_id(edited).title == "Orchestre à l'école : cuivres et percussions"
    assert not tab.is_dirty()


def test_the_history_after_several_saves_is_the_whole_history_newest_first(window, qtbot, type_text) -> None:
    tab = actions_tab(window)
    tab.view.selectRow(0)
    for title in ("Premier intitulé", "Deuxième intitulé", "Troisième intitulé"):
        retitle(window, tab, qtbot, type_text, title)
    shown = tab.history.rows()
    whole = HistoryPanel()
    whole.show_record(Action, Action.get_by_id(tab.current_record_id()).uuid)
    assert shown == whole.rows()
    assert "« Deuxième intitulé » → « Troisième intitulé »" in shown[0][4]
    assert "« Premier intitulé » → « Deuxième intitulé »" in shown[1][4]


def sql_totals(where: str, params: tuple) -> tuple[int, int, int]:
    row = db.execute_sql(f'SELECT count(*), COALESCE(SUM(total_cost), 0), COALESCE(SUM(granted_total), 0) '
                         f'FROM "action" WHERE deleted = 0 AND {where}', params).fetchone()
    return row[0], row[1], row[2]


def shown_totals(tab, qtbot) -> tuple[str, str, str]:
    """The totals row once painted (a stale row queries its totals again at its next paint)."""
    row = tab.totals_row
    row.update()
    qtbot.waitUntil(lambda: row.totals is not None and not row._stale, timeout=3000)
    return row.cell_text("reference"), row.cell_text("total_cost"), row.cell_text("granted")


def expected_totals(where: str, params: tuple) -> tuple[str, str, str]:
    from cvdesk.domain.money import format_money

    count, cost, granted = sql_totals(where, params)
    return f"Total ({count:,})".replace(",", "\u00a0"), format_money(cost), format_money(granted)


def test_the_totals_row_follows_a_new_cost_and_an_action_leaving_the_filtered_year(window, qtbot) -> None:
    tab = actions_tab(window)
    combo = tab.filter_combos["year"]
    combo.ensure_loaded()
    combo.setCurrentIndex(combo.findText("2015"))
    assert shown_totals(tab, qtbot) == expected_totals("year = ?", (2015,))
    tab.view.selectRow(0)
    edited = tab.current_record_id()
    tab.total_cost_edit.selectAll()
    qtbot.keyClicks(tab.total_cost_edit, "98765,43")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert Action.get_by_id(edited).total_cost == 9876543
    assert shown_totals(tab, qtbot) == expected_totals("year = ?", (2015,))
    tab.year_spin.setValue(2017)
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert shown_totals(tab, qtbot) == expected_totals("year = ?", (2015,))
    assert shown_totals(tab, qtbot)[0] == f"Total ({len(listed_ids(tab))})"
