"""Headquarters on PostgreSQL: when another coordinator's program commits a save, the window's lists show it at once
(the save's NOTIFY heard on the window's listening connection), not at the ten-second timer's next look."""
from __future__ import annotations

import threading

import pytest

from cvdesk.services.associations import save_association
from cvdesk.store.models import db
from tests.ui.test_two_coordinators import shared_window, sql  # noqa: F401 (fixtures)

pytestmark = pytest.mark.postgresql


def another_program_saves(association_id: int, values: dict) -> None:
    """Another coordinator's program: another connection (a thread of its own here) saving through the services."""
    failure: list[str] = []

    def run() -> None:
        try:
            result = save_association(values, association_id)
            if not result.ok:
                failure.append(str(result.errors))
        finally:
            db.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert failure == []


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
