"""How the sheets print a total's figures: « — » for what nothing decided yet, the amounts still waiting apart."""
from __future__ import annotations

from typing import Iterable

from cvdesk.domain.money import format_money
from cvdesk.services.totals import Total

DASH = "—"


def granted_text(total: Total) -> str:
    """The granted sum, or « — » when the total's lines all wait for a decision (0,00 € would say « refused »)."""
    return DASH if total.nothing_decided else format_money(total.granted)


def undecided_text(total: Total) -> str:
    """What the lines still waiting for a decision request, or « — » when every line is decided."""
    return format_money(total.undecided) if total.undecided_lines else DASH


def summed(totals: Iterable[Total], label: str = "Total", actions: int | None = None) -> Total:
    """The sum of these lines as one Total (actions: the distinct count, when the lines may share actions)."""
    rows = list(totals)
    fields = ("total_cost", "requested", "granted", "paid", "undecided", "undecided_lines", "lines")
    sums = [sum(getattr(t, name) for t in rows) for name in fields]
    return Total(None, label, sum(t.actions for t in rows) if actions is None else actions, *sums)
