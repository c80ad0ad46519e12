"""One envelope's consumption: what its funder's plan lines request, grant and pay against its amount."""
from __future__ import annotations

from cvdesk.domain.frozen_value import frozen_init
from cvdesk.services.totals import EnvelopeUse, funder_line_sums, funder_names
from cvdesk.store.connection import execute_sql  # plain SQL: the dashboard is painted before peewee loads


class EnvelopeConsumption(EnvelopeUse):
    """One envelope's use (its shares and what is left come with EnvelopeUse, how many actions it covers too), with
    the envelope's id."""

    __slots__ = ("envelope_id",)
    envelope_id: int

    def __init__(self, funder_id: int, funder: str, year: int, amount: int, requested: int, granted: int, paid: int,
                 orientation_id: int | None = None, orientation: str = "", undecided: int = 0, actions: int = 0,
                 envelopes: int = 1, envelope_id: int = 0) -> None:
        frozen_init(self, funder_id, funder, year, amount, requested, granted, paid, orientation_id, orientation,
                    undecided, actions, envelopes, envelope_id)


def envelope_consumption_of(envelope_id: int) -> EnvelopeConsumption | None:
    """The live envelope's consumption, or None when it no longer exists.

    It covers its funder's lines on the live actions of its year; an envelope given for one orientation covers
    only the actions of that orientation (an envelope for all orientations covers them all, those of an
    orientation with its own envelope included: the two are then read side by side, not subtracted)."""
    found = execute_sql(
        "SELECT e.funder_id, e.year, e.orientation_id, e.amount, o.number, o.title FROM envelope e "
        "LEFT JOIN orientation o ON o.id = e.orientation_id WHERE e.id = ? AND e.deleted = 0",
        (envelope_id,)).fetchone()
    if found is None:
        return None
    funder_id, year, orientation_id, amount, number, title = found
    actions, requested, granted, paid = funder_line_sums(year, funder_id, orientation_id).get(funder_id, (0, 0, 0, 0))
    undecided_sql = ('SELECT COALESCE(SUM(f.requested), 0) FROM funding f JOIN "action" a ON a.id = f.action_id '
                     "WHERE f.deleted = 0 AND a.deleted = 0 AND f.granted IS NULL AND f.funder_id = ? AND a.year = ?")
    params = [funder_id, year]
    if orientation_id is not None:
        undecided_sql += " AND a.orientation_id = ?"
        params.append(orientation_id)
    undecided = execute_sql(undecided_sql, params).fetchone()[0]
    orientation = "" if orientation_id is None else (f"{number}. {title}" if number is not None else title or "")
    return EnvelopeConsumption(funder_id=funder_id, funder=funder_names()[funder_id].label, year=year, amount=amount,
                               requested=requested, granted=granted, paid=paid, orientation_id=orientation_id,
                               orientation=orientation, undecided=undecided, envelope_id=envelope_id, actions=actions)
