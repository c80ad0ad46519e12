"""What the read-only panels beside a form show: a quartier's or a porteur's actions, and their funding totals."""
from __future__ import annotations

from dataclasses import dataclass

from cvdesk.store.models import db

PANEL_LIMIT = 500


@dataclass(frozen=True)
class ActionLine:
    """One action as a panel lists it; amounts in cents."""

    id: int
    reference: str
    title: str
    year: int
    status: str
    total_cost: int
    granted: int


def _actions(where: str, params: list[int], limit: int) -> list[ActionLine]:
    sql = (f'SELECT a.id, a.reference, a.title, a.year, a.status, a.total_cost, a.granted_total FROM "action" a '
           f"WHERE a.deleted = 0 AND {where} ORDER BY a.year DESC, a.reference LIMIT ?")
    return [ActionLine(*row) for row in db.execute_sql(sql, [*params, limit])]


def actions_of_quartier(quartier_id: int, limit: int = PANEL_LIMIT) -> list[ActionLine]:
    """The quartier's actions, newest year first (at most limit of them)."""
    where = ("EXISTS (SELECT 1 FROM action_quartier aq WHERE aq.action_id = a.id AND aq.deleted = 0"
             " AND aq.quartier_id = ?)")
    return _actions(where, [quartier_id], limit)


def actions_of_porteur(association_id: int, limit: int = PANEL_LIMIT) -> list[ActionLine]:
    """The actions this association carries, newest year first (at most limit of them)."""
    return _actions("a.porteur_id = ?", [association_id], limit)
