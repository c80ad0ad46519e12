"""Meetings: preparing a comité's agenda, recording a decision per item, closing the meeting (its decisions applied to
the actions' statuses and granted amounts, in one transaction, with history) and reopening it (all of that undone)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Mapping

from cvdesk.domain.dates import format_date
from cvdesk.domain.decisions import (
    ADJOURNED,
    CLOSED,
    GRANTED,
    OPEN,
    OUTCOME_STATUS,
    OUTCOMES,
    PARTIAL,
    REFUSED,
    decision_path,
    decode_amounts,
    encode_amounts,
    outcome_label,
)
from cvdesk.domain.money import format_money
from cvdesk.domain.status import status_label
from cvdesk.services.actions import recompute_totals
from cvdesk.services.concurrency import claim
from cvdesk.services.records import (
    SaveResult,
    WriteRefused,
    all_or_nothing,
    delete_record,
    save_or_raise,
    save_record,
)
from cvdesk.services.report_data import meeting_kind_label
from cvdesk.services.validation import validate_action, validate_funding, validate_meeting, validate_meeting_item
from cvdesk.store.models import Action, Funder, Funding, Meeting, MeetingItem, db


Progress = Callable[[int, int], None]  # (items done, items in all), for a progress bar


@dataclass(frozen=True)
class AgendaRow:
    """One agenda item as the Réunions tab lists it; amounts in cents."""

    item_id: int
    action_id: int
    position: int
    reference: str
    title: str
    porteur: str
    status: str
    requested: int
    granted: int
    outcome: str
    amounts: dict[str, int]
    notes: str
    applied: bool
    decision: str = ""  # the decision as printed: its label, or the free text a meeting kept before step 6
    applied_granted: int | None = None  # what the closing wrote on the plan's lines in all (a closed meeting)
    version: int | None = None  # the item's version when the agenda was read: its decision and moves check it

    @property
    def decision_text(self) -> str:
        """The decision as the agenda shows it: its label, else the older free text, else « Sans décision »."""
        return outcome_label(self.outcome) if self.outcome or not self.decision else self.decision

    @property
    def decided_amount(self) -> int | None:
        """What the decision grants in all (None for an adjournment or no decision yet): once the meeting closed,
        what its closing wrote on the plan (the request may have changed since)."""
        if self.applied_granted is not None and self.outcome in (GRANTED, PARTIAL, REFUSED):
            return self.applied_granted
        if self.outcome == GRANTED:
            return self.requested
        if self.outcome == PARTIAL:
            return sum(self.amounts.values())
        if self.outcome == REFUSED:
            return 0
        return None


@dataclass(frozen=True)
class DecisionLine:
    """One funding line of an agenda item's action, as the decision editor shows it."""

    funder_id: int
    funder_uuid: str
    funder: str
    requested: int
    granted: int | None
    decided: int | None  # the amount a partial grant gives this funder, when recorded


def _live(model: Any) -> Any:
    return model.deleted == False  # noqa: E712


def meeting_of(meeting_id: int) -> Meeting | None:
    return Meeting.get_or_none((Meeting.id == meeting_id) & _live(Meeting))


def describe_meeting(meeting: Meeting) -> str:
    """« le comité de pilotage du 16/04/2015 »."""
    return f"{meeting_kind_label(meeting.kind)[0].lower()}{meeting_kind_label(meeting.kind)[1:]} du " \
           f"{format_date(meeting.date)}"


def _describe_action(action: Action) -> str:
    return f"l'action {action.reference} (« {action.title} »)"


def _open_meeting(meeting_id: int, doing: str) -> Meeting:
    """The live, open meeting; WriteRefused (in French) when it is gone or closed."""
    meeting = meeting_of(meeting_id)
    if meeting is None:
        raise WriteRefused({"": f"Cette réunion n'existe plus (n° {meeting_id})."})
    if meeting.status == CLOSED:
        raise WriteRefused({"": f"La réunion du {format_date(meeting.date)} est close : rouvrez-la pour {doing}."})
    return meeting


def save_meeting(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    """Create or edit a meeting (kind, date, title, place, participants, notes); its state changes only by closing
    and reopening."""
    clean = {k: v for k, v in values.items() if k != "status"}
    for name in ("title", "place", "attendees", "notes"):
        if isinstance(clean.get(name), str):
            clean[name] = clean[name].strip()
    if record_id is not None:
        meeting = meeting_of(record_id)
        # A closed meeting is locked: its closing wrote its date on the plans, its relevé says who decided.
        if meeting is not None and meeting.status == CLOSED \
                and any(getattr(meeting, name, None) != value for name, value in clean.items()):
            return SaveResult(errors={"": f"La réunion du {format_date(meeting.date)} est close : rouvrez-la pour "
                                          "la modifier."})
    return save_record(Meeting, clean, record_id, validate_meeting)


def _refuse_closed(meeting: Meeting) -> str | None:
    if meeting.status == CLOSED:
        return (f"La réunion du {format_date(meeting.date)} est close : rouvrez-la d'abord, pour que ses décisions "
                "soient retirées des actions.")
    return None


def delete_meeting(meeting_id: int) -> bool:
    """Tombstone an open meeting with its agenda; a closed one is refused (DeletionRefused), its decisions stand."""
    return delete_record(Meeting, meeting_id, (MeetingItem.meeting,), refuse=_refuse_closed)


def _live_items(meeting_id: int) -> list[MeetingItem]:
    return list(MeetingItem.select().join(Action).where(
        (MeetingItem.meeting == meeting_id) & _live(MeetingItem) & _live(Action))
        .order_by(MeetingItem.position, MeetingItem.id))


def agenda(meeting_id: int) -> list[AgendaRow]:
    """The meeting's live agenda items in their order, with their actions' figures and their decisions."""
    sql = """SELECT mi.id, a.id, mi.position, a.reference, a.title, COALESCE(p.name, ''), a.status,
                    a.requested_total, a.granted_total, mi.outcome, mi.amounts, mi.notes, mi.applied, mi.decision,
                    mi.version
             FROM meeting_item mi JOIN "action" a ON a.id = mi.action_id LEFT JOIN association p ON p.id = a.porteur_id
             WHERE mi.meeting_id = ? AND mi.deleted = 0 AND a.deleted = 0 ORDER BY mi.position, mi.id"""
    rows = []
    for (item_id, action_id, position, reference, title, porteur, status, requested, granted, outcome, amounts,
         notes, applied, decision, version) in db.execute_sql(sql, (meeting_id,)):
        rows.append(AgendaRow(item_id, action_id, position, reference, title, porteur, status, requested, granted,
                              outcome, decode_amounts(amounts), notes, bool(applied), decision,
                              _applied_granted(applied), version))
    return rows


def _applied_granted(applied: str) -> int | None:
    """The sum of the granted amounts a closing wrote (None when nothing was applied)."""
    if not applied:
        return None
    return sum(line["granted"][1] or 0 for line in json.loads(applied)["fundings"].values())


def add_items(meeting_id: int, action_ids: Iterable[int]) -> SaveResult:
    """Put these actions at the end of the open meeting's agenda, in this order; one already on it stays where it is."""
    def write() -> SaveResult:
        meeting = _open_meeting(meeting_id, "modifier son ordre du jour")
        items = _live_items(meeting_id)
        present = {item.action_id for item in items}
        position = max((item.position for item in items), default=-1) + 1
        for action_id in action_ids:
            if action_id in present:
                continue
            action = Action.get_or_none((Action.id == action_id) & _live(Action))
            if action is None:
                raise WriteRefused({"": f"Cette action n'existe plus (n° {action_id})."})
            save_or_raise(MeetingItem, {"meeting": meeting_id, "action": action_id, "position": position},
                          validate=validate_meeting_item)
            present.add(action_id)
            position += 1
        return SaveResult(record=meeting)

    return all_or_nothing(write)


def _item_of_open_meeting(item_id: int, doing: str) -> MeetingItem:
    item = MeetingItem.get_or_none((MeetingItem.id == item_id) & _live(MeetingItem))
    if item is None:
        raise WriteRefused({"": f"Ce point de l'ordre du jour n'existe plus (n° {item_id})."})
    _open_meeting(item.meeting_id, doing)
    return item


def remove_item(item_id: int) -> SaveResult:
    """Take an item off the open meeting's agenda (a tombstone, which travels); the others keep their order."""
    def write() -> SaveResult:
        item = _item_of_open_meeting(item_id, "modifier son ordre du jour")
        # An item decided or moved by someone else since the agenda was read (read_many): refused, not removed.
        claim(item, changed=False)
        meeting_id = item.meeting_id
        delete_record(MeetingItem, item_id)
        _renumber(meeting_id)
        return SaveResult(record=item)

    return all_or_nothing(write)


def _renumber(meeting_id: int, order: list[MeetingItem] | None = None) -> None:
    """Positions 0..n-1 in this order (the agenda's own by default); only the items that move are written."""
    for position, item in enumerate(order if order is not None else _live_items(meeting_id)):
        if item.position != position:
            save_or_raise(MeetingItem, {"position": position}, item.id, validate_meeting_item)


def move_item(item_id: int, offset: int) -> SaveResult:
    """Move an item up (offset -1) or down (+1) the open meeting's agenda; at either end it stays."""
    def write() -> SaveResult:
        item = _item_of_open_meeting(item_id, "modifier son ordre du jour")
        items = _live_items(item.meeting_id)
        # The items the move writes are checked against the agenda as read (read_many) by their saves; the moved
        # one also when it stays (at either end): a stale agenda's move is refused, never applied to another order.
        claim(item, changed=False)
        index = next(n for n, other in enumerate(items) if other.id == item_id)
        target = index + offset
        if 0 <= target < len(items):
            items.insert(target, items.pop(index))
            _renumber(item.meeting_id, items)
        return SaveResult(record=item)

    return all_or_nothing(write)


def decision_lines(item_id: int) -> list[DecisionLine]:
    """The funders of the item's action's live plan, in the funders' order, with a partial grant's amounts: one line
    per funder (after a merge two offices' lines of one funder are added up: the decision gives that funder one
    amount)."""
    item = MeetingItem.get_by_id(item_id)
    decided = decode_amounts(item.amounts)
    query = (Funding.select(Funder.id, Funder.uuid, Funder.name, Funding.requested, Funding.granted).join(Funder)
             .where((Funding.action == item.action_id) & _live(Funding))
             .order_by(Funder.position, Funder.name, Funder.id, Funding.id).tuples())
    lines: dict[int, DecisionLine] = {}
    for fid, fuuid, name, requested, granted in query:
        if fid in lines:
            seen = lines[fid]
            both = None if seen.granted is None and granted is None else (seen.granted or 0) + (granted or 0)
            lines[fid] = DecisionLine(fid, fuuid, name, seen.requested + requested, both, seen.decided)
        else:
            lines[fid] = DecisionLine(fid, fuuid, name, requested, granted, decided.get(fuuid))
    return list(lines.values())


def record_decision(item_id: int, outcome: str, amounts: Mapping[int, int] | None = None,
                    notes: str = "") -> SaveResult:
    """Record the decision on an item of an open meeting: outcome is a code of OUTCOMES, or "" for none; a partial
    grant gives an amount (cents) for each funder of the action's plan. Nothing reaches the action before the
    meeting is closed."""
    def write() -> SaveResult:
        item = _item_of_open_meeting(item_id, "modifier ses décisions")
        if outcome not in ("", *OUTCOMES):
            raise WriteRefused({"outcome": f"La décision « {outcome} » n'existe pas."})
        stored: dict[str, int] = {}
        if outcome == PARTIAL:
            lines = decision_lines(item_id)
            given = dict(amounts or {})
            if not lines:
                raise WriteRefused({"amounts": "Cette action n'a aucun financeur dans son plan : un accord partiel "
                                               "n'a pas de montant à porter."})
            for line in lines:
                cents = given.get(line.funder_id)
                if cents is None:
                    raise WriteRefused({"amounts": f"Indiquez le montant accordé par {line.funder}."})
                if cents < 0:
                    raise WriteRefused({"amounts": f"Le montant accordé par {line.funder} est négatif."})
                stored[line.funder_uuid] = cents
        # No decision keeps an opinion written as text before step 6 (« avis favorable »), not a withdrawn label.
        label = OUTCOMES[outcome] if outcome else ("" if item.outcome else item.decision)
        save_or_raise(MeetingItem, {"outcome": outcome, "amounts": encode_amounts(stored), "decision": label,
                                    "notes": notes.strip()}, item_id, validate_meeting_item)
        return SaveResult(record=MeetingItem.get_by_id(item_id))

    return all_or_nothing(write)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _new_line_values(item: MeetingItem, meeting: Meeting, action: Action,
                     fundings: list[Funding]) -> dict[int, tuple[int | None, date | None]]:
    """Each funding line's granted amount and decision date once the decision applies (an adjournment: as it is)."""
    if item.outcome == ADJOURNED:
        return {f.id: (f.granted, f.decision_date) for f in fundings}
    if item.outcome == REFUSED:
        return {f.id: (0, meeting.date) for f in fundings}
    if item.outcome == GRANTED:
        return {f.id: (f.requested, meeting.date) for f in fundings}
    amounts = decode_amounts(item.amounts)
    out: dict[int, tuple[int | None, date | None]] = {}
    left: dict[str, int] = {}  # what the funder's amount still has to give to its next lines
    for funding in fundings:  # in id order
        funder = funding.funder
        if funder.uuid not in amounts:
            raise WriteRefused({"": f"La réunion ne peut pas être close : la décision sur {_describe_action(action)} "
                                    f"ne dit pas combien accorde {funder.name} (ajouté au plan depuis ?) : "
                                    "complétez-la."})
        left.setdefault(funder.uuid, amounts[funder.uuid])
        # A funder's amount is given once: up to each line's request, its last line taking the rest (two offices'
        # lines of one funder after a merge).
        last = funding.id == max(f.id for f in fundings if f.funder_id == funding.funder_id)
        share = left[funder.uuid] if last else min(left[funder.uuid], funding.requested)
        left[funder.uuid] -= share
        out[funding.id] = (share, meeting.date)
    return out


def _apply(item: MeetingItem, meeting: Meeting) -> None:
    """Apply one item's decision to its action and its plan, with history; record what changed on the item."""
    action = Action.get_by_id(item.action_id)
    target = OUTCOME_STATUS[item.outcome]
    path = decision_path(action.status, target)
    if path is None:
        raise WriteRefused({"": f"La réunion ne peut pas être close : {_describe_action(action)} est "
                                f"« {status_label(action.status)} » et ne peut pas passer à "
                                f"« {status_label(target)} » ({outcome_label(item.outcome).lower()} par la "
                                "réunion). Retirez-la de l'ordre du jour ou changez la décision."})
    fundings = list(Funding.select().where((Funding.action == action.id) & _live(Funding)).order_by(Funding.id))
    new_values = _new_line_values(item, meeting, action, fundings)
    before_status = action.status
    for step in path:  # each move checked by the workflow, each with its history row
        save_or_raise(Action, {"status": step}, action.id, validate_action)
    changed: dict[str, dict[str, list[Any]]] = {}
    for funding in fundings:
        granted, decided_on = new_values[funding.id]
        changed[funding.uuid] = {"granted": [funding.granted, granted],
                                 "decision_date": [_iso(funding.decision_date), _iso(decided_on)]}
        save_or_raise(Funding, {"granted": granted, "decision_date": decided_on}, funding.id, validate_funding)
    recompute_totals(action.id)
    applied = json.dumps({"status": [before_status, target], "fundings": changed}, sort_keys=True)
    save_or_raise(MeetingItem, {"applied": applied}, item.id, validate_meeting_item)


def close_meeting(meeting_id: int, progress: Progress | None = None) -> SaveResult:
    """Apply every decision of the open meeting to its actions (statuses, granted amounts, decision dates), all in
    one transaction with history, and mark the meeting closed. One decision the workflow forbids refuses the whole
    closing with a French sentence naming the action; then nothing changes. Items without a decision stay as they
    are."""
    def write() -> SaveResult:
        meeting = meeting_of(meeting_id)
        if meeting is not None and meeting.status == CLOSED:
            raise WriteRefused({"": f"La réunion du {format_date(meeting.date)} est déjà close."})
        meeting = _open_meeting(meeting_id, "la clore")
        items = _live_items(meeting_id)
        for done, item in enumerate(items, start=1):
            if item.outcome:
                _apply(item, meeting)
            if progress is not None:
                progress(done, len(items))
        save_or_raise(Meeting, {"status": CLOSED}, meeting_id, validate_meeting)
        return SaveResult(record=Meeting.get_by_id(meeting_id))

    return all_or_nothing(write)


def _changed_since(action: Action, applied: dict[str, Any]) -> str | None:
    """What of the action differs from what the closing left (its status, a funding line), or None."""
    if action.deleted:
        return "elle a été supprimée"
    if action.status != applied["status"][1]:
        return f"son statut est maintenant « {status_label(action.status)} »"
    for funding_uuid, line in applied["fundings"].items():
        funding = Funding.get_or_none(Funding.uuid == funding_uuid)
        if funding is None or funding.deleted:
            return "une ligne de son plan de financement a été supprimée"
        if funding.granted != line["granted"][1] or _iso(funding.decision_date) != line["decision_date"][1]:
            shown = "non décidé" if funding.granted is None else format_money(funding.granted)
            return f"le montant accordé par {funding.funder.name} est maintenant {shown}"
        # A payment made on what the meeting granted: undoing the grant would leave it paid and not granted.
        restored = line["granted"][0]
        if restored != line["granted"][1] and (funding.paid or 0) > (restored or 0):
            return (f"{format_money(funding.paid)} ont été versés par {funding.funder.name} sur ce que la réunion "
                    "a accordé")
    return None


def _restore(item: MeetingItem) -> None:
    applied = json.loads(item.applied)
    action = Action.get_by_id(item.action_id)
    changed = _changed_since(action, applied)
    if changed:
        raise WriteRefused({"": f"La réunion ne peut pas être rouverte : {_describe_action(action)} a changé depuis "
                                f"sa clôture ({changed}). Rouvrir effacerait ce changement : remettez-la comme la "
                                "réunion l'avait laissée, ou gardez la réunion close."})
    # An undo, not a step of the workflow (« Accordée » never goes back to « En instruction » otherwise): the status
    # the action had before the closing comes back as it was, with its history row.
    save_or_raise(Action, {"status": applied["status"][0]}, action.id)
    for funding_uuid, line in applied["fundings"].items():
        funding = Funding.get(Funding.uuid == funding_uuid)
        day = line["decision_date"][0]
        save_or_raise(Funding, {"granted": line["granted"][0],
                                "decision_date": date.fromisoformat(day) if day else None},
                      funding.id, validate_funding)
    recompute_totals(action.id)
    save_or_raise(MeetingItem, {"applied": ""}, item.id, validate_meeting_item)


def reopen_meeting(meeting_id: int, progress: Progress | None = None) -> SaveResult:
    """Undo the closing: every action and funding line the meeting changed gets back exactly its previous status,
    granted amount and decision date (with history), and the meeting is open again. An action changed since the
    closing refuses the whole reopening, naming it; then nothing changes."""
    def write() -> SaveResult:
        meeting = meeting_of(meeting_id)
        if meeting is None:
            raise WriteRefused({"": f"Cette réunion n'existe plus (n° {meeting_id})."})
        if meeting.status != CLOSED:
            raise WriteRefused({"": f"La réunion du {format_date(meeting.date)} est déjà ouverte."})
        items = list(MeetingItem.select().where((MeetingItem.meeting == meeting_id) & _live(MeetingItem)
                                                & (MeetingItem.applied != "")).order_by(MeetingItem.position.desc()))
        for done, item in enumerate(items, start=1):
            _restore(item)
            if progress is not None:
                progress(done, len(items))
        save_or_raise(Meeting, {"status": OPEN}, meeting_id, validate_meeting)
        return SaveResult(record=Meeting.get_by_id(meeting_id))

    return all_or_nothing(write)


def _counted(n: int, label: str) -> str:
    """« 2 accordées partiellement »: the first word agrees with the count."""
    first, _, rest = label.partition(" ")
    return f"{n} {first}{'s' if n > 1 else ''}{' ' + rest if rest else ''}"


def closing_summary(meeting_id: int) -> str:
    """What closing the meeting will do, as the confirmation asks it."""
    rows = agenda(meeting_id)
    decided = [row for row in rows if row.outcome]
    counts = {code: sum(1 for row in decided if row.outcome == code) for code in OUTCOMES}
    parts = [_counted(n, OUTCOMES[code].lower()) for code, n in counts.items() if n]
    several = len(decided) > 1
    text = (f"{len(decided)} décision{'s' if several else ''} {'seront' if several else 'sera'} appliquée"
            f"{'s' if several else ''} aux actions ({', '.join(parts)})." if decided
            else "Aucune décision n'est enregistrée : aucune action ne changera.")
    undecided = len(rows) - len(decided)
    if undecided:
        text += (f" {undecided} point{'s' if undecided > 1 else ''} sans décision reste"
                 f"{'nt' if undecided > 1 else ''} inchangé{'s' if undecided > 1 else ''}.")
    return text
