"""Every Alt letter of the window (menus and tabs) leads to one place: two sharing a letter make Alt+letter cycle
between them, and the first press lands somewhere the user did not ask for."""
from __future__ import annotations

from collections import Counter

from PySide6.QtWidgets import QMainWindow


def _letter(text: str) -> str | None:
    """The letter after the single &, lower-cased ("É&dition" → "d")."""
    plain = text.replace("&&", "")
    index = plain.find("&")
    return plain[index + 1].lower() if index >= 0 and index + 1 < len(plain) else None


def test_menus_and_tabs_answer_distinct_alt_letters(window: QMainWindow) -> None:
    menus = [action.text() for action in window.menuBar().actions()]
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert len(tabs) == 6 and "A&ctions" not in tabs  # the six tabs, Actions on Alt+A
    letters = Counter(_letter(text) for text in menus + tabs)
    assert None not in letters, menus + tabs
    assert [letter for letter, n in letters.items() if n > 1] == [], menus + tabs
