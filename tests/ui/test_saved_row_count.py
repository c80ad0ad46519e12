"""A coordinator with more associations than the list's first page saves one that leaves (or joins) the filtered
list: the count under the list says how many the list holds now, as SQL counts them."""
from __future__ import annotations

from PySide6.QtCore import Qt

from cvdesk.store.models import Association, db


def add_associations(how_many: int) -> None:
    """More associations than the list's first page (written at once, as an import would leave them)."""
    with db.atomic():
        for n in range(how_many):
            Association.create(name=f"Association de quartier n° {n:03d}")


def sql_count(active: int) -> int:
    return db.execute_sql("SELECT count(*) FROM association WHERE deleted = 0 AND active = ?", (active,)).fetchone()[0]


def test_the_count_under_a_long_filtered_list_follows_an_association_leaving_it(demo_db, open_window, qtbot) -> None:
    add_associations(260)
    window = open_window()
    tab = window.associations_tab
    window.tabs.setCurrentWidget(tab)
    combo = tab.filter_combos["active"]
    combo.ensure_loaded()
    combo.setCurrentIndex(combo.findText("Actives"))
    assert not tab.model.is_complete  # one page of the list is loaded, not all of it
    assert tab.count_label.text() == f"{sql_count(1)} dans la liste"
    tab.view.selectRow(3)
    assert tab.active_check.isChecked()
    tab.active_check.setChecked(False)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert not tab.is_dirty()
    assert tab.model.record_id(3) != tab.current_record_id()  # it left the list
    assert tab.count_label.text() == f"{sql_count(1)} dans la liste"
