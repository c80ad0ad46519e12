"""A coordinator types « sante » without its accent in the Actions search and sees the actions about santé."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

# SQLite's FTS5 index and PostgreSQL's trigram index behind the same search box.
pytestmark = pytest.mark.both_engines


def _titles_about_sante(sql_rows) -> set[str]:
    """Read straight from the base by plain SQL: live actions whose fields say santé, whatever the capitals."""
    rows = sql_rows('SELECT a.title, a.reference, a.title, p.name, a.description, a.objectives FROM "action" a'
                    " LEFT JOIN association p ON p.id = a.porteur_id WHERE a.deleted = 0")
    return {row[0] for row in rows if "santé" in " ".join(field or "" for field in row[1:]).lower()}


def test_typing_sante_lists_the_actions_about_sante(window, qtbot, type_text, sql_rows) -> None:
    expected = _titles_about_sante(sql_rows)
    assert "Point santé de proximité et bilans de santé" in expected
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.search.hasFocus()
    type_text(tab.search, "sante")
    title = [c.key for c in tab.model.columns].index("title")

    def shown() -> set[str]:
        return {tab.model.index(row, title).data() for row in range(tab.model.rowCount())}

    qtbot.waitUntil(lambda: shown() == expected, timeout=3000)
    tab.search.clear()
    type_text(tab.search, "SANTÉ")
    qtbot.waitUntil(lambda: tab.model.search == "SANTÉ", timeout=3000)
    assert shown() == expected
