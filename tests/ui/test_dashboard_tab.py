"""Stories of the « Tableau de bord »: the window opens on it, and each figure opens the Actions tab on exactly the
records behind it (expected counts from SQL written here, not from the dashboard)."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QPushButton

from cvdesk.store.models import db
from cvdesk.ui.area_table import AreaTable
from cvdesk.ui.bar_gauge import BarGauge
from cvdesk.ui.dashboard_tab import DashboardTab, FigureButton

pytestmark = pytest.mark.both_engines  # on PostgreSQL a late answer after the close once wrote to a closed base


def _sql(query: str, *params: object) -> int:
    return db.execute_sql(query, params).fetchone()[0]


def _button(tab: DashboardTab, label: str, qtbot=None) -> FigureButton:
    """The figure's button; with qtbot, scrolled into sight as a person would before a click (a click lands on
    what is on screen there)."""
    found = [b for b in tab.findChildren(FigureButton) if b.isVisible() and b.selection.label == label]
    assert len(found) == 1, [b.text() for b in tab.findChildren(FigureButton)]
    if qtbot is not None:
        def in_sight() -> bool:
            tab.scroll.ensureWidgetVisible(found[0])
            window = tab.window()
            return window.childAt(found[0].mapTo(window, found[0].rect().center())) is found[0] \
                and found[0].visibleRegion() == QRegion(found[0].rect())
        qtbot.waitUntil(in_sight, timeout=3000)
    return found[0]


def _totals_shown(qtbot, tab: DashboardTab) -> None:
    """The money totals come from a background operation, or right after the first paint from the sums kept in the
    base: wait until they are all on screen."""
    qtbot.waitUntil(lambda: not tab.figures_pending, timeout=20000)
    assert tab.failure == ""


def _listed(window) -> int:
    """How many rows the Actions tab lists (every id loaded), and its totals row says the same."""
    model = window.actions_tab.model
    while model.canFetchMore():
        model.fetchMore()
    return model.rowCount()


def _demo_year() -> int:
    """The year the dashboard should open on: this year if it has actions, else the latest one (SQL)."""
    years = [row[0] for row in db.execute_sql('SELECT DISTINCT year FROM "action" WHERE deleted = 0')]
    return date.today().year if date.today().year in years else max(years)


def test_the_window_opens_on_the_dashboard_and_waiting_actions_open_filtered(window, qtbot):
    assert window.tabs.currentIndex() == 0
    assert window.tabs.tabText(0) == "&Tableau de bord"
    tab = window.current_tab()
    assert isinstance(tab, DashboardTab)
    year = _demo_year()
    assert tab.year_combo.currentText() == str(year)
    waiting = _sql("SELECT count(*) FROM \"action\" WHERE deleted = 0 AND year = ? "
                   "AND status IN ('deposee', 'en_instruction', 'ajournee')", year)
    assert waiting > 0, "the demo has actions waiting for a decision"
    button = _button(tab, "En attente de décision", qtbot)
    assert button.text().startswith(f"{waiting}  ")

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert window.current_tab() is window.actions_tab
    assert _listed(window) == waiting
    assert window.actions_tab.selection_label() == f"Sélection du tableau de bord : En attente de décision ({year})"
    qtbot.waitUntil(lambda: f"Total ({waiting})" in window.actions_tab.totals_row.text(), timeout=3000)
    statuses = {window.actions_tab.model.data(window.actions_tab.model.index(row, 5))
                for row in range(window.actions_tab.model.rowCount())}
    assert statuses <= {"Déposée", "En instruction", "Ajournée"}

    # The banner's button gives the whole list back.
    clear = next(b for b in window.actions_tab.findChildren(QPushButton) if b.text() == "Retirer la sélection")
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert window.actions_tab.selection_label() == ""
    assert _listed(window) == _sql('SELECT count(*) FROM "action" WHERE deleted = 0')


def test_a_coordinator_drills_down_with_the_keyboard_only(window, qtbot):
    tab = window.current_tab()
    year = _demo_year()
    _totals_shown(qtbot, tab)
    # Tab from the year selector to the first envelope's bar, then Entrée.
    tab.year_combo.setFocus()
    qtbot.waitUntil(lambda: tab.year_combo.hasFocus())
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    bar = window.focusWidget()
    assert isinstance(bar, BarGauge)
    funder_id, funder = db.execute_sql(
        "SELECT fu.id, fu.name FROM envelope e JOIN funder fu ON fu.id = e.funder_id WHERE e.deleted = 0 "
        "AND e.year = ? AND e.orientation_id IS NULL ORDER BY fu.position, fu.name, fu.id LIMIT 1", (year,)).fetchone()
    assert bar.title == funder
    financed = _sql('SELECT count(DISTINCT a.id) FROM "action" a JOIN funding f ON f.action_id = a.id '
                    "AND f.deleted = 0 WHERE a.deleted = 0 AND a.year = ? AND f.funder_id = ?", year, funder_id)
    qtbot.keyClick(bar, Qt.Key.Key_Return)
    assert window.current_tab() is window.actions_tab
    assert _listed(window) == financed

    # Back on the dashboard, Tab to « Actions sans porteur » and press Espace.
    window.tabs.setCurrentIndex(0)
    no_porteur = _sql('SELECT count(*) FROM "action" WHERE deleted = 0 AND year = ? AND porteur_id IS NULL', year)
    button = _button(tab, "Actions sans porteur")
    tab.year_combo.setFocus()
    for _ in range(40):
        if window.focusWidget() is button:
            break
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    assert window.focusWidget() is button
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert window.current_tab() is window.actions_tab
    assert _listed(window) == no_porteur


def test_each_orientation_and_status_figure_lists_as_many_actions(window, qtbot):
    tab = window.current_tab()
    year = _demo_year()
    _totals_shown(qtbot, tab)
    table = next(t for t in tab.findChildren(AreaTable) if t.accessibleName() == "Totaux par orientation")
    for row in range(table.model().rowCount()):
        window.tabs.setCurrentIndex(0)
        label = table.model().data(table.model().index(row, 0))
        shown = int(table.model().data(table.model().index(row, 1)).replace("\u00a0", ""))
        number = label.split(".")[0]
        expected = _sql('SELECT count(*) FROM "action" a LEFT JOIN orientation o ON o.id = a.orientation_id '
                        "WHERE a.deleted = 0 AND a.year = ? AND " +
                        ("o.number = ?" if number.isdigit() else "a.orientation_id IS NULL AND ? IS NULL"),
                        year, int(number) if number.isdigit() else None)
        assert shown == expected
        table.setFocus()
        table.setCurrentIndex(table.model().index(row, 2))
        qtbot.keyClick(table, Qt.Key.Key_Return)
        assert window.current_tab() is window.actions_tab
        assert _listed(window) == expected, label
    window.tabs.setCurrentIndex(0)
    for code, label in (("accordee", "Accordée"), ("soldee", "Soldée")):
        expected = _sql('SELECT count(*) FROM "action" WHERE deleted = 0 AND year = ? AND status = ?', year, code)
        if not expected:
            continue
        qtbot.mouseClick(_button(tab, label, qtbot), Qt.MouseButton.LeftButton)
        assert window.current_tab() is window.actions_tab
        assert window.actions_tab.selection_label().endswith(f"{label} ({year})")
        assert _listed(window) == expected
        window.tabs.setCurrentIndex(0)


def test_changing_the_year_changes_the_figures(window, qtbot):
    tab = window.current_tab()
    years = [row[0] for row in db.execute_sql('SELECT DISTINCT year FROM "action" WHERE deleted = 0 ORDER BY year')]
    if len(years) < 2:  # the demo has one year: a second one is made from a renewal
        first = db.execute_sql('SELECT id FROM "action" WHERE deleted = 0 ORDER BY id LIMIT 1').fetchone()[0]
        from cvdesk.services.actions import renew_action

        assert renew_action(first).ok
        window.tabs.setCurrentIndex(1)
        window.refresh_all()
        window.tabs.setCurrentIndex(0)
        tab.refresh()
        years = [row[0] for row in db.execute_sql('SELECT DISTINCT year FROM "action" WHERE deleted = 0 ORDER BY year')]
    other = min(years)
    assert tab.year_combo.count() == len(years)
    tab.year_combo.setFocus()
    index = tab.year_combo.findData(other)
    tab.year_combo.setCurrentIndex(index)
    tab.year_combo.activated.emit(index)
    assert tab.heading.text().startswith(f"Tableau de bord {other}")
    drafts = _sql('SELECT count(*) FROM "action" WHERE deleted = 0 AND year = ? AND status = ?', other, "brouillon")
    shown = {b.selection.label: b.selection.count for b in tab.findChildren(FigureButton) if b.isVisible()}
    assert shown.get("Brouillon", 0) == drafts


def test_a_new_base_explains_where_to_start(empty_db, open_window):
    window = open_window()
    tab = window.current_tab()
    assert isinstance(tab, DashboardTab)
    text = tab.findChild(type(tab.heading), "etat_vide").text()
    assert "Aucune action n'est encore saisie" in text
    assert not [b for b in tab.findChildren(FigureButton) if b.isVisible()]
    assert not tab.year_combo.isVisible()


def test_a_saved_action_shows_on_the_dashboard_when_it_comes_back(window, qtbot):
    tab = window.current_tab()
    year = _demo_year()
    before = _button(tab, "Actions sans porteur").selection.count
    actions = window.actions_tab
    window.tabs.setCurrentWidget(actions)
    actions.new_record()
    actions.title_edit.setText("Atelier sans porteur")
    actions.year_spin.setValue(year)
    assert actions.save()
    window.tabs.setCurrentIndex(0)
    assert _button(tab, "Actions sans porteur").selection.count == before + 1
    assert _sql('SELECT count(*) FROM "action" WHERE deleted = 0 AND year = ? AND porteur_id IS NULL', year) \
        == before + 1


def _granted_by_funder(year: int) -> dict[str, int]:
    """Each funder with a yearly envelope: what its live lines on the year's live actions grant (SQL)."""
    return {name: granted for name, granted in db.execute_sql(
        """SELECT u.name, COALESCE((SELECT SUM(f.granted) FROM funding f JOIN "action" a ON a.id = f.action_id
                 WHERE f.funder_id = u.id AND f.deleted = 0 AND a.deleted = 0 AND a.year = ?), 0)
           FROM funder u WHERE u.id IN (SELECT funder_id FROM envelope WHERE deleted = 0 AND year = ?
                 AND orientation_id IS NULL)""", (year, year))}


def _gauges(tab: DashboardTab) -> dict[str, int]:
    return {gauge.title: gauge.granted for gauge in tab.findChildren(BarGauge) if gauge.isVisibleTo(tab)}


def test_the_next_start_paints_the_money_totals_at_once_until_the_data_changes(window, open_window, qtbot):
    from cvdesk.ui.main_window import MainWindow

    year = _demo_year()
    first = window.current_tab()
    _totals_shown(qtbot, first)  # the first start reads them in the background, and keeps them
    expected = _granted_by_funder(year)
    assert _gauges(first) == expected
    window.close()

    # The next start: built and not yet shown, no background work run, the envelopes' figures are there.
    again = MainWindow(window.db_path)
    try:
        tab = again.current_tab()
        assert isinstance(tab, DashboardTab)
        assert not tab.loading
        assert _gauges(tab) == expected
        again.show()
        qtbot.waitUntil(lambda: not tab.figures_pending, timeout=5000)  # the quartiers, right after the paint
        table = next(t for t in tab.findChildren(AreaTable) if t.accessibleName() == "Totaux par quartier")
        quartiers = _sql('SELECT count(DISTINCT aq.quartier_id) FROM action_quartier aq JOIN "action" a '
                         'ON a.id = aq.action_id JOIN quartier q ON q.id = aq.quartier_id WHERE aq.deleted = 0 '
                         'AND a.deleted = 0 AND q.deleted = 0 AND a.year = ?', year)
        assert table.model().rowCount() == quartiers > 0

        # A grant raised in the Actions tab: back on the dashboard, its figures are read again, and show it.
        line = db.execute_sql("""SELECT f.id, u.name FROM funding f JOIN "action" a ON a.id = f.action_id
            JOIN funder u ON u.id = f.funder_id WHERE a.year = ? AND a.deleted = 0 AND f.deleted = 0
            AND f.granted IS NOT NULL AND u.name IN (SELECT name FROM funder WHERE id IN (SELECT funder_id FROM
            envelope WHERE deleted = 0 AND year = ? AND orientation_id IS NULL)) ORDER BY f.id LIMIT 1""",
                              (year, year)).fetchone()
        from cvdesk.services.actions import FundingInput, save_action
        from cvdesk.store.models import Action, Funding

        funding = Funding.get_by_id(line[0])
        action = Action.get_by_id(funding.action_id)
        lines = [FundingInput(f.funder_id, f.requested, f.granted + (100_000 if f.id == funding.id else 0)
                              if f.granted is not None else None, f.paid, f.decision_date, f.notes)
                 for f in Funding.select().where(Funding.action == action.id, Funding.deleted == False)  # noqa: E712
                 .order_by(Funding.id)]
        again.tabs.setCurrentWidget(again.actions_tab)
        assert save_action({"reference": action.reference, "title": action.title, "year": action.year,
                            "orientation": action.orientation_id, "porteur": action.porteur_id,
                            "status": action.status, "total_cost": action.total_cost}, action.id, fundings=lines).ok
        again.refresh_all()
        again.tabs.setCurrentIndex(0)
        _totals_shown(qtbot, tab)
        assert _gauges(tab) == _granted_by_funder(year)
        assert _gauges(tab)[line[1]] == expected[line[1]] + 100_000
    finally:
        again.close()
        again.deleteLater()
