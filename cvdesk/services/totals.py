"""Funding totals by orientation, quartier, funder and year, and envelope consumption, all in cents."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cvdesk.domain.money import percent_of
from cvdesk.store.models import db


@dataclass(frozen=True)
class Total:
    """One line of a summary: what it is, how many actions, and the sums in cents."""

    key: Any
    label: str
    actions: int
    total_cost: int
    requested: int
    granted: int
    paid: int


def _scope(year: int | None, quartier_id: int | None, porteur_id: int | None = None) -> tuple[str, str, list[Any]]:
    """FROM and WHERE for the live actions in scope, aliased a; a quartier's actions come from its own index."""
    source, clauses, params = '"action" a', ["a.deleted = 0"], []
    if quartier_id is not None:
        # IN, not a join: two offices may each have linked the same action to the quartier (merged by UUID).
        clauses.append("a.id IN (SELECT action_id FROM action_quartier WHERE quartier_id = ? AND deleted = 0)")
        params.append(quartier_id)
    if year is not None:
        clauses.append("a.year = ?")
        params.append(year)
    if porteur_id is not None:
        clauses.append("a.porteur_id = ?")
        params.append(porteur_id)
    return source, " AND ".join(clauses), params


def totals_by_orientation(year: int | None = None, quartier_id: int | None = None) -> list[Total]:
    source, where, params = _scope(year, quartier_id)
    sql = f"""
        SELECT o.id, o.number, o.title, count(a.id), COALESCE(SUM(a.total_cost), 0),
               COALESCE(SUM(a.requested_total), 0), COALESCE(SUM(a.granted_total), 0), COALESCE(SUM(a.paid_total), 0)
        FROM {source} LEFT JOIN orientation o ON o.id = a.orientation_id
        WHERE {where}
        GROUP BY o.id ORDER BY o.number IS NULL, o.number
    """
    return [
        Total(oid, f"{number}. {title}" if number is not None else "Sans orientation", n, cost, req, gra, paid)
        for oid, number, title, n, cost, req, gra, paid in db.execute_sql(sql, params)
    ]


def totals_by_funder(year: int | None = None, quartier_id: int | None = None,
                     porteur_id: int | None = None) -> list[Total]:
    source, where, params = _scope(year, quartier_id, porteur_id)
    sql = f"""
        SELECT fu.id, fu.name, count(DISTINCT a.id), 0, COALESCE(SUM(f.requested), 0),
               COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0)
        FROM {source} JOIN funding f ON f.action_id = a.id AND f.deleted = 0 JOIN funder fu ON fu.id = f.funder_id
        WHERE {where}
        GROUP BY fu.id ORDER BY fu.position, fu.name
    """
    return [Total(fid, name, n, cost, req, gra, paid) for fid, name, n, cost, req, gra, paid in db.execute_sql(sql, params)]


def totals_by_quartier(year: int | None = None) -> list[Total]:
    """Each quartier's actions and sums; an action over several quartiers counts fully in each."""
    clauses, params = ["a.deleted = 0", "q.deleted = 0"], []
    if year is not None:
        clauses.append("a.year = ?")
        params.append(year)
    sql = f"""
        SELECT q.id, q.code || ' ' || q.name, count(a.id), COALESCE(SUM(a.total_cost), 0),
               COALESCE(SUM(a.requested_total), 0), COALESCE(SUM(a.granted_total), 0), COALESCE(SUM(a.paid_total), 0)
        FROM (SELECT DISTINCT action_id, quartier_id FROM action_quartier WHERE deleted = 0) aq
        JOIN "action" a ON a.id = aq.action_id JOIN quartier q ON q.id = aq.quartier_id
        WHERE {' AND '.join(clauses)}
        GROUP BY q.id ORDER BY q.code
    """
    return [Total(qid, label, n, cost, req, gra, paid) for qid, label, n, cost, req, gra, paid in db.execute_sql(sql, params)]


def totals_by_year(porteur_id: int | None = None) -> list[Total]:
    source, where, params = _scope(None, None, porteur_id)
    sql = f"""
        SELECT a.year, count(a.id), COALESCE(SUM(a.total_cost), 0), COALESCE(SUM(a.requested_total), 0),
               COALESCE(SUM(a.granted_total), 0), COALESCE(SUM(a.paid_total), 0)
        FROM {source} WHERE {where} GROUP BY a.year ORDER BY a.year
    """
    return [Total(y, str(y), n, cost, req, gra, paid) for y, n, cost, req, gra, paid in db.execute_sql(sql, params)]


@dataclass(frozen=True)
class EnvelopeUse:
    """A funder's envelope for a year against what its plan lines request, grant and pay, in cents."""

    funder_id: int
    funder: str
    year: int
    amount: int
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


def envelope_consumption(year: int) -> list[EnvelopeUse]:
    """Each funder's envelope for the year (all orientations) against what its lines request, grant and pay,
    in one pass over the year's plan lines (a national database cannot afford a scan per funder)."""
    envelopes = db.execute_sql("""
        SELECT fu.id, fu.name, SUM(e.amount) FROM envelope e JOIN funder fu ON fu.id = e.funder_id
        WHERE e.deleted = 0 AND e.year = ? GROUP BY fu.id ORDER BY fu.position, fu.name""", (year,)).fetchall()
    if not envelopes:
        return []
    sums = funder_line_sums(year)
    return [EnvelopeUse(fid, name, year, amount, *sums.get(fid, (0, 0, 0, 0))[1:]) for fid, name, amount in envelopes]


def funder_line_sums(year: int, funder_id: int | None = None,
                     orientation_id: int | None = None) -> dict[int, tuple[int, int, int, int]]:
    """Per funder, over the live lines on the year's live actions (of one funder, of one orientation when given):
    how many actions, and what the lines request, grant and pay, in cents. The programme's envelope figures and
    the Enveloppes tab both read it, so that the two always agree."""
    sql = """
        SELECT f.funder_id, count(DISTINCT a.id), COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0),
               COALESCE(SUM(f.paid), 0)
        FROM "action" a JOIN funding f ON f.action_id = a.id
        WHERE a.year = ? AND a.deleted = 0 AND f.deleted = 0"""
    params: list[int] = [year]
    if funder_id is not None:
        sql += " AND f.funder_id = ?"
        params.append(funder_id)
    if orientation_id is not None:
        sql += " AND a.orientation_id = ?"
        params.append(orientation_id)
    return {fid: (n, req, gra, paid) for fid, n, req, gra, paid in db.execute_sql(sql + " GROUP BY f.funder_id", params)}


def years() -> list[int]:
    return [row[0] for row in db.execute_sql('SELECT DISTINCT year FROM "action" WHERE deleted = 0 ORDER BY year')]
