"""One envelope's consumption: what its funder's plan lines request, grant and pay against its amount."""
from __future__ import annotations

from dataclasses import dataclass

from cvdesk.services.totals import EnvelopeUse, funder_line_sums
from cvdesk.store.models import db


@dataclass(frozen=True)
class EnvelopeConsumption(EnvelopeUse):
    """One envelope's use (its shares and what is left come with EnvelopeUse), with how many actions it covers."""

    envelope_id: int = 0
    actions: int = 0


def envelope_consumption_of(envelope_id: int) -> EnvelopeConsumption | None:
    """The live envelope's consumption, or None when it no longer exists.

    It covers its funder's lines on the live actions of its year; an envelope given for one orientation covers
    only the actions of that orientation (an envelope for all orientations covers them all, those of an
    orientation with its own envelope included: the two are then read side by side, not subtracted)."""
    found = db.execute_sql(
        "SELECT e.funder_id, fu.name, e.year, e.orientation_id, e.amount FROM envelope e "
        "JOIN funder fu ON fu.id = e.funder_id WHERE e.id = ? AND e.deleted = 0",
        (envelope_id,)).fetchone()
    if found is None:
        return None
    funder_id, funder, year, orientation_id, amount = found
    actions, requested, granted, paid = funder_line_sums(year, funder_id, orientation_id).get(funder_id, (0, 0, 0, 0))
    return EnvelopeConsumption(funder_id=funder_id, funder=funder, year=year, amount=amount, requested=requested,
                               granted=granted, paid=paid, envelope_id=envelope_id, actions=actions)
