"""Whole numbers as French text: digits in groups of three with no-break spaces between them (12 345), as amounts of
money are written (cvdesk.domain.money), in the window, the sheets and the command line alike."""
from __future__ import annotations

NBSP = "\u00a0"


def grouped(number: int) -> str:
    """12345 -> "12 345" with no-break spaces, the French way (a minus sign stays in front: -1 234)."""
    return f"{number:,}".replace(",", NBSP)
