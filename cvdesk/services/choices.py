"""The pick lists the forms offer (orientations, funders, communes, quartiers, porteurs) and what a form loads."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cvdesk.store.connection import execute_sql
from cvdesk.store.dialect import nocase

if TYPE_CHECKING:
    from cvdesk.services.actions import FundingInput
    from cvdesk.store.models import Action, Association, Quartier

# The pick lists are plain SQL: the Actions tab's filters are filled before the window's first paint, which does
# not wait for peewee and the models; the records a form loads come through the models (imported where used).


@dataclass(frozen=True)
class Choice:
    """One entry of a pick list: the record's id and the text the user reads."""

    id: int
    label: str


def orientations() -> list[Choice]:
    query = execute_sql("SELECT id, number, title FROM orientation WHERE deleted = 0 ORDER BY number")
    return [Choice(oid, f"{number}. {title}") for oid, number, title in query]


def funders() -> list[Choice]:
    query = execute_sql("SELECT id, name FROM funder WHERE deleted = 0 ORDER BY position, name")
    return [Choice(fid, name) for fid, name in query]


def communes() -> list[Choice]:
    query = execute_sql("SELECT id, name FROM commune WHERE deleted = 0 ORDER BY name")
    return [Choice(cid, name) for cid, name in query]


def quartiers() -> list[Choice]:
    query = execute_sql("SELECT id, code, name FROM quartier WHERE deleted = 0 ORDER BY code")
    return [Choice(qid, f"{code} – {name}") for qid, code, name in query]


def porteurs() -> list[Choice]:
    """Every live association, by name; a name shared by several gets its SIRET or number to tell them apart."""
    rows = execute_sql(f"SELECT id, name, siret FROM association WHERE deleted = 0 ORDER BY {nocase('name')}, id")
    rows = list(rows)
    seen: dict[str, int] = {}
    for _, name, _ in rows:
        seen[name] = seen.get(name, 0) + 1
    return [Choice(aid, name if seen[name] == 1 else f"{name} ({siret or f'n° {aid}'})") for aid, name, siret in rows]


def action_of(action_id: int) -> Action | None:
    from cvdesk.store.models import Action

    return Action.get_or_none((Action.id == action_id) & (Action.deleted == False))  # noqa: E712


def association_of(association_id: int) -> Association | None:
    from cvdesk.store.models import Association

    return Association.get_or_none((Association.id == association_id) & (Association.deleted == False))  # noqa: E712


def quartier_of(quartier_id: int) -> Quartier | None:
    from cvdesk.store.models import Quartier

    return Quartier.get_or_none((Quartier.id == quartier_id) & (Quartier.deleted == False))  # noqa: E712


def quartier_ids_of(action_id: int) -> list[int]:
    from cvdesk.store.models import ActionQuartier

    query = (ActionQuartier.select(ActionQuartier.quartier)
             .where((ActionQuartier.action == action_id) & (ActionQuartier.deleted == False)).tuples())  # noqa: E712
    return [row[0] for row in query]


def commune_ids_of(quartier_id: int) -> list[int]:
    from cvdesk.store.models import QuartierCommune

    query = (QuartierCommune.select(QuartierCommune.commune)
             .where((QuartierCommune.quartier == quartier_id) & (QuartierCommune.deleted == False)).tuples())  # noqa: E712
    return [row[0] for row in query]


def fundings_of(action_id: int) -> list[FundingInput]:
    """The action's live financing plan, in the funders' order."""
    from cvdesk.services.actions import FundingInput  # the save path: not imported for the lists at start-up
    from cvdesk.store.models import Funder, Funding

    query = (Funding.select(Funding.funder, Funding.requested, Funding.granted, Funding.paid, Funding.decision_date,
                            Funding.notes)
             .join(Funder)
             .where((Funding.action == action_id) & (Funding.deleted == False))  # noqa: E712
             .order_by(Funder.position, Funder.name).tuples())
    return [FundingInput(fid, req, gra, paid, when, notes or "") for fid, req, gra, paid, when, notes in query]
