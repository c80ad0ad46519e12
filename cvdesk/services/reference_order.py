"""Where a new orientation or funder goes in its order (after the last live one), and the envelopes' years."""
from __future__ import annotations

from peewee import fn

from cvdesk.store.models import Envelope, Funder, Orientation


def next_orientation_number(contract_id: int) -> int:
    """The number after the contract's last live orientation (1 for the first)."""
    last = (Orientation.select(fn.MAX(Orientation.number))
            .where((Orientation.contract == contract_id) & (Orientation.deleted == False))  # noqa: E712
            .scalar())
    return (last or 0) + 1


def next_funder_position() -> int:
    """The position after the last live funder's: a new funder comes last in the plans and the tables."""
    last = Funder.select(fn.MAX(Funder.position)).where(Funder.deleted == False).scalar()  # noqa: E712
    return (last if last is not None else -1) + 1


def envelope_years() -> list[int]:
    """The years that have a live envelope, newest first (the envelope list's filter)."""
    query = (Envelope.select(Envelope.year).where(Envelope.deleted == False)  # noqa: E712
             .distinct().order_by(Envelope.year.desc()).tuples())
    return [year for (year,) in query]
