"""Headquarters on PostgreSQL: when another coordinator's program commits a save, the window's lists show it at once
(the save's NOTIFY heard on the window's listening connection), not at the ten-second timer's next look."""
from __future__ import annotations


import pytest

from tests.ui.test_two_coordinators import shared_window, sql  # noqa: F401 (fixtures)
from tests.ui.test_two_coordinators import the_other_coordinator_saves as another_program_saves

pytestmark = pytest.mark.postgresql


@pytest.fixture
def engine() -> str:
    return "postgresql"


def test_another_programs_save_shows_in_the_list_at_once_without_the_timer(shared_window, sql, qtbot) -> None:  # noqa: F811
    window = shared_window
    watch = window.change_watch
    assert watch.listening()
    watch.timer.stop()  # only what is heard can refresh the list now
    tab = window.tab_for("association")
    window.tabs.setCurrentWidget(tab)
    (association_id, name), = sql("SELECT id, name FROM association WHERE deleted = 0 ORDER BY name LIMIT 1")
    row = tab.model.row_of(association_id)
    name_column = [c.key for c in tab.model.columns].index("name")
    assert tab.model.index(row, name_column).data() == name

    another_program_saves(association_id, {"name": name + " (siège)"})
    qtbot.waitUntil(lambda: tab.model.index(tab.model.row_of(association_id), name_column).data()
                    == name + " (siège)", timeout=3000)
    assert sql("SELECT name FROM association WHERE id = ?", (association_id,)) == [(name + " (siège)",)]
