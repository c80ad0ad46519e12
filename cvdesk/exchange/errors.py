"""The exchange's refusals and its cancellation: str() of an ExchangeError is one French sentence."""
from __future__ import annotations

from typing import Callable

TICK = 2000  # rows between two progress reports (and cancel checks)


class ExchangeError(Exception):
    """A package or a spreadsheet refused whole; nothing was written."""


class Cancelled(Exception):
    """The user stopped the work; nothing was written."""


def tick(done: int, total: int, progress: Callable[[int, int], None] | None,
         cancelled: Callable[[], bool] | None) -> None:
    """Every TICK rows: report progress, and stop (Cancelled) if the user asked to."""
    if done % TICK:
        return
    if progress:
        progress(done, total)
    if cancelled and cancelled():
        raise Cancelled()
