"""What the window says in its status bar when another coordinator saved the record being edited: the whole
sentence is readable at 1366×768, beside the counts and the base's name, not cut in the middle."""
from __future__ import annotations

import pytest

from tests.ui.test_two_coordinators import first_association, shared_window, sql, the_other_coordinator_saves

pytestmark = pytest.mark.both_engines
__all__ = ["shared_window", "sql"]  # the fixtures of the two coordinators' story, used here as they are


def room_for_messages(window) -> int:
    """The status bar's width left of its permanent labels (the counts, then the base's name): where Qt draws a
    message, a longer one being cut at its right edge."""
    return window.counts_label.geometry().left() - 6


def test_the_sentence_about_the_others_save_is_read_whole_at_1366(shared_window, sql, qtbot, type_text) -> None:
    """Aïcha types a phone number; Bruno saves the same association meanwhile. The status bar says who changed it
    and that her typing is kept, all of it inside the room the counts and the base's name leave at 1366×768."""
    shared_window.resize(1366, 768)
    tab, record_id, name, _phone = first_association(shared_window, sql)
    tab.phone_edit.selectAll()
    type_text(tab.phone_edit, "03 27 22 22 22")
    the_other_coordinator_saves(record_id, {"name": name, "phone": "03 27 33 33 33"})
    (user,), = sql("SELECT os_user FROM history WHERE record_uuid = (SELECT uuid FROM association WHERE id = ?) "
                   "ORDER BY id DESC LIMIT 1", (record_id,))

    assert shared_window.change_watch.check()
    qtbot.wait(50)  # the status bar's labels laid out at the new width
    message = shared_window.statusBar().currentMessage()
    assert f"modifiée par {user}" in message and "modifications sont gardées" in message
    width = shared_window.statusBar().fontMetrics().horizontalAdvance(message)
    assert width <= room_for_messages(shared_window), f"« {message} » : {width} px pour {room_for_messages(shared_window)}"
