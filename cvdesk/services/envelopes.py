"""One envelope's consumption: what its funder's plan lines request, grant and pay against its amount."""
from __future__ import annotations

from dataclasses import dataclass

from cvdesk.domain.money import percent_of
from cvdesk.services.totals import funder_line_sums
from cvdesk.store.models import db


@dataclass(frozen=True)
class EnvelopeConsumption:
    """An envelope's amount and the sums of the live plan lines it covers, in cents, with how many actions."""

    envelope_id: int
    amount: int
    actions: int
    requested: int
    granted: int
    paid: int

    @property
    def granted_share_bp(self) -> int | None:
        """Granted as a share of the amount, in basis points; None for an envelope of 0 €."""
        return percent_of(self.granted, self.amount)

    @property
    def requested_share_bp(self) -> int | None:
        return percent_of(self.requested, self.amount)

    @property
    def paid_share_bp(self) -> int | None:
        return percent_of(self.paid, self.amount)

    @property
    def remaining(self) -> int:
        """What is left to grant (negative when the envelope is overspent)."""
        return self.amount - self.granted


def envelope_consumption_of(envelope_id: int) -> EnvelopeConsumption | None:
    """The live envelope's consumption, or None when it no longer exists.

    It covers its funder's lines on the live actions of its year; an envelope given for one orientation covers
    only the actions of that orientation (an envelope for all orientations covers them all, those of an
    orientation with its own envelope included: the two are then read side by side, not subtracted)."""
    found = db.execute_sql(
        "SELECT funder_id, year, orientation_id, amount FROM envelope WHERE id = ? AND deleted = 0",
        (envelope_id,)).fetchone()
    if found is None:
        return None
    funder_id, year, orientation_id, amount = found
    actions, requested, granted, paid = funder_line_sums(year, funder_id, orientation_id).get(funder_id, (0, 0, 0, 0))
    return EnvelopeConsumption(envelope_id, amount, actions, requested, granted, paid)
