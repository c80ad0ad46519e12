"""Read-only queries the PDF sheets need: finding a record from what a user types, and rows in SQL."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

from cvdesk.domain.decisions import MEETING_KINDS  # noqa: F401  (its home; named here by older callers)
from cvdesk.services.totals import Total, funder_names
from cvdesk.store.dialect import group_concat
from cvdesk.store.models import Action, Association, Funder, Meeting, Orientation, Quartier, db

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")



def meeting_kind_label(kind: str) -> str:
    return MEETING_KINDS.get(kind, kind.replace("_", " ").capitalize())


def _live(model: Any) -> Any:
    return model.deleted == False  # noqa: E712


def _by_uuid(model: Any, key: str) -> Any:
    if _UUID.fullmatch(key):
        return model.get_or_none((model.uuid == key.lower()) & _live(model))
    return None


def find_quartier(key: str) -> Quartier | None:
    """A live quartier from its code (QP059001, any case) or its UUID."""
    key = key.strip()
    return _by_uuid(Quartier, key) or Quartier.select().where(
        (Quartier.code == key.upper()) & _live(Quartier)).order_by(Quartier.id).first()


def find_action(key: str) -> Action | None:
    """A live action from its reference (2015-VM-001) or its UUID; a reused reference gives the latest year."""
    key = key.strip()
    return _by_uuid(Action, key) or Action.select().where(
        (Action.reference == key) & _live(Action)).order_by(Action.year.desc(), Action.id.desc()).first()


def find_association(key: str) -> Association | None:
    """A live association from its SIRET (spaces allowed), its SIREN, its RNA number or its UUID."""
    key = key.strip()
    found = _by_uuid(Association, key)
    if found:
        return found
    digits = re.sub(r"[\s\u00a0\u202f.]", "", key)
    if digits.isdigit() and len(digits) in (9, 14):
        column = Association.siret if len(digits) == 14 else Association.siren
        return Association.select().where((column == digits) & _live(Association)).order_by(Association.id).first()
    return Association.select().where((Association.rna == key.upper()) & (Association.rna != "")
                                      & _live(Association)).order_by(Association.id).first()


def find_meeting(key: str) -> Meeting | None:
    """A live meeting from its UUID or its date (dd/mm/yyyy or yyyy-mm-dd; the first of the day)."""
    key = key.strip()
    found = _by_uuid(Meeting, key)
    if found:
        return found
    match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", key)
    try:
        day = date(int(match[3]), int(match[2]), int(match[1])) if match else date.fromisoformat(key)
    except ValueError:
        return None
    return Meeting.select().where((Meeting.date == day) & _live(Meeting)).order_by(Meeting.id).first()


def find_orientation(number: int) -> Orientation | None:
    return Orientation.select().where((Orientation.number == number) & _live(Orientation)).order_by(
        Orientation.id).first()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip().lower()


def find_funder(name: str) -> Funder | None:
    """A live funder from its name or short name, case and accents ignored ("etat" finds "État")."""
    wanted = _fold(name)
    funders = list(Funder.select().where(_live(Funder)).order_by(Funder.position, Funder.name))
    for funder in funders:
        if wanted in (_fold(funder.name), _fold(funder.short_name)):
            return funder
    return None


def funders_named(name: str) -> list[Funder]:
    """The live funders a typed name designates: the one whose full name it is, else all those whose short name it
    is (two « CAF » give two, which the caller must not choose between)."""
    wanted = _fold(name)
    funders = list(Funder.select().where(_live(Funder)).order_by(Funder.position, Funder.name, Funder.id))
    by_name = [f for f in funders if _fold(f.name) == wanted]
    return by_name or [f for f in funders if _fold(f.short_name) == wanted]


@dataclass(frozen=True)
class ActionRow:
    """One action as the lists of the sheets show it, amounts in cents."""

    id: int
    reference: str
    title: str
    year: int
    orientation_id: int | None
    orientation_number: int | None
    orientation_title: str
    porteur: str
    status: str
    total_cost: int
    requested: int
    granted: int
    paid: int
    lines: int = 0  # live plan lines
    decided_lines: int = 0  # of them, with a decision (granted not NULL)

    @property
    def nothing_decided(self) -> bool:
        """Lines wait for a decision and none has one: « accordé » is « — », not 0,00 €."""
        return self.lines > 0 and self.decided_lines == 0


_ACTION_COLUMNS = """
    a.id, a.reference, a.title, a.year, a.orientation_id, o.number, COALESCE(o.title, ''), COALESCE(p.name, ''),
    a.status, a.total_cost, a.requested_total, a.granted_total, a.paid_total,
    (SELECT count(*) FROM funding lf WHERE lf.action_id = a.id AND lf.deleted = 0),
    (SELECT count(lf.granted) FROM funding lf WHERE lf.action_id = a.id AND lf.deleted = 0)
"""
_ACTION_FROM = """
    FROM "action" a LEFT JOIN orientation o ON o.id = a.orientation_id LEFT JOIN association p ON p.id = a.porteur_id
"""


def actions_of_quartier(quartier_id: int, year: int | None = None) -> list[ActionRow]:
    """The live actions targeting the quartier, by orientation, year and reference."""
    # IN, not a join: two offices may each have linked the action to the quartier (merged by UUID).
    sql = f"""SELECT {_ACTION_COLUMNS} {_ACTION_FROM}
        WHERE a.deleted = 0
          AND a.id IN (SELECT aq.action_id FROM action_quartier aq WHERE aq.quartier_id = ? AND aq.deleted = 0)
          {'AND a.year = ?' if year is not None else ''}
        ORDER BY o.number IS NULL, o.number, a.year, a.reference"""
    params: list[Any] = [quartier_id] + ([year] if year is not None else [])
    return [ActionRow(*row) for row in db.execute_sql(sql, params)]


def actions_of_association(association_id: int, year: int | None = None) -> list[ActionRow]:
    """The live actions the association carries, by year, orientation and reference."""
    sql = f"""SELECT {_ACTION_COLUMNS} {_ACTION_FROM}
        WHERE a.deleted = 0 AND a.porteur_id = ? {'AND a.year = ?' if year is not None else ''}
        ORDER BY a.year, o.number IS NULL, o.number, a.reference"""
    params: list[Any] = [association_id] + ([year] if year is not None else [])
    return [ActionRow(*row) for row in db.execute_sql(sql, params)]


def actions_by_ids(action_ids: Sequence[int]) -> list[ActionRow]:
    """These live actions, in the order given."""
    if not action_ids:
        return []
    rows: dict[int, ActionRow] = {}
    ids = list(action_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sql = f"SELECT {_ACTION_COLUMNS} {_ACTION_FROM} WHERE a.deleted = 0 AND a.id IN ({','.join('?' * len(chunk))})"
        rows.update((row[0], ActionRow(*row)) for row in db.execute_sql(sql, chunk))
    return [rows[i] for i in ids if i in rows]


@dataclass(frozen=True)
class QuartierRow:
    id: int
    code: str
    name: str
    communes: str
    share_bp: int | None


def quartiers_of_action(action_id: int) -> list[QuartierRow]:
    """The action's live quartiers by code, with their communes and the quartier's share entered (two links of one
    action to a quartier, from two offices merged: the larger share, as totals.quartier_share reads it)."""
    sql = f"""
        SELECT q.id, q.code, q.name,
          (SELECT {group_concat("n.name", ", ")} FROM (SELECT c.name FROM quartier_commune qc JOIN commune c
             ON c.id = qc.commune_id WHERE qc.quartier_id = q.id AND qc.deleted = 0 ORDER BY c.name) n),
          (SELECT MAX(aq.share_bp) FROM action_quartier aq
             WHERE aq.action_id = ? AND aq.quartier_id = q.id AND aq.deleted = 0)
        FROM quartier q
        WHERE q.deleted = 0 AND q.id IN (SELECT quartier_id FROM action_quartier WHERE action_id = ? AND deleted = 0)
        ORDER BY q.code"""
    return [QuartierRow(qid, code, name, communes or "", share) for qid, code, name, communes, share
            in db.execute_sql(sql, (action_id, action_id))]


@dataclass(frozen=True)
class FundingRow:
    """One live line of a financing plan, amounts in cents."""

    action_id: int
    funder_id: int
    funder: str
    funder_short: str
    requested: int
    granted: int | None
    paid: int | None
    decision_date: date | None


def _funding_rows(where: str, params: Sequence[Any]) -> list[FundingRow]:
    """The lines, in funder order (position, name, id); funder and funder_short are the names that tell two
    funders apart in a document (two « CAF »: their full names)."""
    names = funder_names()
    sql = f"""
        SELECT f.action_id, fu.id, f.requested, f.granted, f.paid, f.decision_date
        FROM funding f JOIN funder fu ON fu.id = f.funder_id
        WHERE f.deleted = 0 AND {where} ORDER BY f.action_id, fu.position, fu.name, fu.id, f.id"""
    return [FundingRow(aid, fid, names[fid].label, names[fid].short_label, req, gra, paid,
                       date.fromisoformat(str(day)) if day else None)
            for aid, fid, req, gra, paid, day in db.execute_sql(sql, list(params))]


def fundings_of_action(action_id: int) -> list[FundingRow]:
    return _funding_rows("f.action_id = ?", (action_id,))


def fundings_of_actions(action_ids: Sequence[int]) -> dict[int, list[FundingRow]]:
    """The live plan lines of many actions, grouped by action, in funder order."""
    grouped: dict[int, list[FundingRow]] = {}
    ids = list(action_ids)
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for row in _funding_rows(f"f.action_id IN ({','.join('?' * len(chunk))})", chunk):
            grouped.setdefault(row.action_id, []).append(row)
    return grouped


@dataclass(frozen=True)
class DecisionRow:
    meeting_date: date
    meeting_kind: str
    decision: str
    notes: str


def decisions_of_action(action_id: int) -> list[DecisionRow]:
    sql = """
        SELECT m.date, m.kind, mi.decision, mi.notes FROM meeting_item mi JOIN meeting m ON m.id = mi.meeting_id
        WHERE mi.action_id = ? AND mi.deleted = 0 AND m.deleted = 0 ORDER BY m.date, m.id"""
    return [DecisionRow(date.fromisoformat(str(day)), kind, decision, notes)
            for day, kind, decision, notes in db.execute_sql(sql, (action_id,))]


@dataclass(frozen=True)
class AgendaItem:
    action_id: int
    position: int
    decision: str
    notes: str


def agenda_of_meeting(meeting_id: int) -> list[AgendaItem]:
    sql = """SELECT mi.action_id, mi.position, mi.decision, mi.notes FROM meeting_item mi
        JOIN "action" a ON a.id = mi.action_id
        WHERE mi.meeting_id = ? AND mi.deleted = 0 AND a.deleted = 0 ORDER BY mi.position, mi.id"""
    return [AgendaItem(*row) for row in db.execute_sql(sql, (meeting_id,))]


@dataclass
class ProgrammeScope:
    """What a programme covers: a year, optionally narrowed to an orientation, a quartier or a funder."""

    year: int
    orientation_id: int | None = None
    quartier_id: int | None = None
    funder_id: int | None = None
    limit: int | None = None


@dataclass
class ProgrammeData:
    scope: ProgrammeScope
    actions: list[ActionRow] = field(default_factory=list)
    fundings: dict[int, list[FundingRow]] = field(default_factory=dict)


def programme_data(scope: ProgrammeScope) -> ProgrammeData:
    """The actions of the programme by orientation and reference, and their plan lines (only the chosen
    funder's lines when the programme is narrowed to a funder)."""
    clauses, params = ["a.deleted = 0", "a.year = ?"], [scope.year]
    if scope.orientation_id is not None:
        clauses.append("a.orientation_id = ?")
        params.append(scope.orientation_id)
    if scope.quartier_id is not None:
        clauses.append("EXISTS (SELECT 1 FROM action_quartier aq WHERE aq.action_id = a.id AND aq.deleted = 0"
                       " AND aq.quartier_id = ?)")
        params.append(scope.quartier_id)
    if scope.funder_id is not None:
        clauses.append("EXISTS (SELECT 1 FROM funding f WHERE f.action_id = a.id AND f.deleted = 0"
                       " AND f.funder_id = ?)")
        params.append(scope.funder_id)
    sql = f"""SELECT {_ACTION_COLUMNS} {_ACTION_FROM} WHERE {' AND '.join(clauses)}
        ORDER BY o.number IS NULL, o.number, a.reference, a.id"""
    if scope.limit is not None:
        sql += f" LIMIT {int(scope.limit)}"
    actions = [ActionRow(*row) for row in db.execute_sql(sql, params)]
    fundings = fundings_of_actions([a.id for a in actions])
    if scope.funder_id is not None:
        fundings = {aid: [f for f in lines if f.funder_id == scope.funder_id] for aid, lines in fundings.items()}
    return ProgrammeData(scope, actions, fundings)


def funder_totals_of_actions(action_ids: Sequence[int]) -> list[Total]:
    """totals_by_funder over exactly these actions: found through the plan lines' action index, so that a
    quartier's or an association's sheet does not scan every plan line of a national database. Grouped by funder
    identity, in funder order; « Actions » counts distinct actions (two offices' lines of one action count once)."""
    sums: dict[int, list[int]] = {}
    ids = sorted(set(action_ids))
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        sql = f"""
            SELECT f.funder_id, count(DISTINCT f.action_id), COALESCE(SUM(f.requested), 0),
                   COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0),
                   COALESCE(SUM(CASE WHEN f.granted IS NULL THEN f.requested ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN f.granted IS NULL THEN 1 ELSE 0 END), 0), count(f.id),
                   (SELECT COALESCE(SUM(a.total_cost), 0) FROM "action" a WHERE a.id IN
                      (SELECT g.action_id FROM funding g WHERE g.funder_id = f.funder_id AND g.deleted = 0
                       AND g.action_id IN ({','.join('?' * len(chunk))})))
            FROM funding f
            WHERE f.deleted = 0 AND f.action_id IN ({','.join('?' * len(chunk))}) GROUP BY f.funder_id"""
        for fid, *values in db.execute_sql(sql, chunk + chunk):
            entry = sums.setdefault(fid, [0] * 8)
            entry[:] = [a + b for a, b in zip(entry, values)]
    names = funder_names()
    order = sorted(sums, key=lambda fid: (names[fid].position, names[fid].name, fid))
    return [Total(fid, names[fid].label, n, cost, req, gra, paid, undecided, undecided_lines, lines)
            for fid in order for n, req, gra, paid, undecided, undecided_lines, lines, cost in [sums[fid]]]
