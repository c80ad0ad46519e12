"""Importing a subsidies file in the SCDL format (versions 1.x and 2.x, and what local authorities publish as such):
each row is one grant of one attribuant to one beneficiary; they become funders, associations, and one action per
(beneficiary, object, year) with a funding line per attribuant, previewed before one all-or-nothing write."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cvdesk.domain.money import format_money
from cvdesk.domain.status import ACCORDEE, EN_INSTRUCTION, REFUSEE
from cvdesk.exchange import sheet_import
from cvdesk.exchange.cycle_collector import collector_paused
from cvdesk.exchange.scdl_columns import SCDL_FIELDS
from cvdesk.exchange.scdl_matching import _Beneficiaries, _Funders, _named_beneficiaries, guess_funder_kind, name_key
from cvdesk.exchange.scdl_rows import (
    _FIELDS,
    _PARSED,
    GRANTED,
    PENDING,
    Grant,
    Pending,
    _Continuation,
    _mapped,
    _read_row,
    _Told,
    parse_share,
)
from cvdesk.exchange.scdl_write import save_one, write_new
from cvdesk.exchange.sheet_fields import IMPORTS, fold
from cvdesk.exchange.sheet_preview import Item, RowError, SheetPreview, header_of
from cvdesk.exchange.sheet_reader import Sheet
from cvdesk.services.actions import REFERENCE_SHAPE, propose_reference
from cvdesk.services.validation import max_length, validate_action
from cvdesk.store.models import Action, Funding, db

__all__ = ["guess_funder_kind", "name_key", "parse_share", "prepare_scdl"]


@dataclass
class _Line:
    """One funder's line in an action's plan, summed over the rows that give it."""

    lines: list[int]
    requested: int
    granted: int | None
    decision_date: date | None
    notes: list[str]


@dataclass
class _Group:
    """The rows that make one action: one beneficiary, one object, one year."""

    grants: list[Grant]
    porteur: Pending
    lines: dict[Pending, _Line] = field(default_factory=dict)


# ---- actions ---------------------------------------------------------------------------------------------------

class _References:
    """References for the new actions, as the window proposes them (« 2017-VM-041 » after 2017-VM-040), each used
    once."""

    def __init__(self) -> None:
        self.series: dict[int, list[Any]] = {}
        self.taken: set[str] = set()

    def new(self, year: int) -> str:
        if year not in self.series:
            match = REFERENCE_SHAPE.fullmatch(propose_reference(year))
            assert match is not None  # propose_reference writes year-CODE-number
            self.series[year] = [match.group(2), len(match.group(3)), int(match.group(3))]
            self.taken.update(reference for (reference,) in db.execute_sql(
                'SELECT reference FROM "action" WHERE reference >= ? AND reference < ? AND deleted = 0',
                (f"{year}-", f"{year}.")))
        series = self.series[year]
        code, width, number = series
        while f"{year}-{code}-{number:0{width}d}" in self.taken:
            number += 1
        reference = f"{year}-{code}-{number:0{width}d}"
        self.taken.add(reference)
        series[2] = number + 1
        return reference


def _title(text: str) -> str:
    cap = max_length(Action, "title") or 255
    return text if len(text) <= cap else text[:cap - 1].rstrip() + "…"


def _add_line(group: _Group, funder: Pending, grant: Grant, preview: SheetPreview, column: str) -> None:
    line = group.lines.get(funder)
    if line is None:
        group.lines[funder] = _Line([grant.line], grant.requested, grant.granted, grant.decision_date,
                                    [grant.note] if grant.note else [])
        return
    # One plan has one line per funder: a second grant of the same funder to the same action is added to the
    # first, and said, never dropped.
    preview.warnings.append(RowError(grant.line, column, f"« {grant.beneficiary_name} » reçoit une autre subvention "
                                                         f"de « {funder.name} » pour « {grant.title} » "
                                                         f"(ligne {line.lines[0]}) : les montants sont additionnés "
                                                         "sur une même ligne du plan de financement (à vérifier)."))
    line.lines.append(grant.line)
    line.requested += grant.requested
    if grant.granted is not None:
        line.granted = (line.granted or 0) + grant.granted
    if grant.decision_date is not None and (line.decision_date is None or grant.decision_date > line.decision_date):
        line.decision_date = grant.decision_date
    if grant.note:
        line.notes.append(grant.note)


def _amounts(line: _Line) -> dict[str, Any]:
    return {"requested": line.requested, "granted": line.granted, "decision_date": line.decision_date,
            "notes": "\n".join(line.notes)}


def _status(group: _Group) -> str:
    outcomes = {grant.outcome for grant in group.grants}
    if GRANTED in outcomes:
        return ACCORDEE
    return EN_INSTRUCTION if PENDING in outcomes else REFUSEE


def _new_action(group: _Group, references: _References, preview: SheetPreview, sheet: Sheet,
                positions: dict[str, int]) -> Item | None:
    first = group.grants[0]
    values: dict[str, Any] = {"reference": references.new(first.year), "title": _title(first.title),
                              "year": first.year, "status": _status(group),
                              "description": first.title if _title(first.title) != first.title else ""}
    for key in ("start_date", "end_date", "cost"):
        given = next((getattr(g, key) for g in group.grants if getattr(g, key) is not None), None)
        if given is not None:
            values["total_cost" if key == "cost" else key] = given
    # The reference was proposed free and short (_References read the year's taken ones once, and writes
    # year-CODE-number): no query per action for it, nor its length.
    errors = validate_action({k: v for k, v in values.items() if k != "reference"}, None)
    errors.pop("reference", None)
    if errors:
        for name, reason in errors.items():
            column = header_of(sheet, positions, {"title": "object", "total_cost": "cost"}.get(name, name))
            preview.errors.append(RowError(first.line, column, reason))
        return None
    lines = [(funder, _amounts(line)) for funder, line in group.lines.items()]
    return Item(first.line, values, None, {"record": "action", "porteur": group.porteur, "lines": lines})


def _updated_action(group: _Group, action_id: int, funders: _Funders, preview: SheetPreview,
                    column: str) -> Item | None:
    """The base's action with the file's lines put in its plan; None when the plan already says all of it."""
    plan: dict[Pending, dict[str, Any]] = {}
    for funding in Funding.select().where((Funding.action == action_id) & (Funding.deleted == False)):  # noqa: E712
        funder = funders.known.get(funding.funder_id) or Pending(str(funding.funder_id), funding.funder_id)
        plan[funder] = {"requested": funding.requested, "granted": funding.granted, "paid": funding.paid,
                        "decision_date": funding.decision_date, "notes": funding.notes}
    changed = False
    reference = Action.get_by_id(action_id).reference
    for funder, line in group.lines.items():
        given = _amounts(line)
        current = plan.get(funder)
        if current is None:
            plan[funder] = given
            changed = True
        elif current["granted"] != given["granted"]:
            shown = lambda cents: "rien" if cents is None else format_money(cents)  # noqa: E731
            preview.warnings.append(RowError(line.lines[0], column, f"l'action {reference} : le montant accordé par "
                                                                    f"« {funder.name} » passe de "
                                                                    f"{shown(current['granted'])} à "
                                                                    f"{shown(given['granted'])} (à vérifier)."))
            plan[funder] = {**current, "granted": given["granted"],
                            "requested": current["requested"] or given["requested"],
                            "decision_date": given["decision_date"] or current["decision_date"],
                            "notes": current["notes"] or given["notes"]}
            changed = True
    if not changed:
        return None
    return Item(group.grants[0].line, {}, action_id, {"record": "action", "porteur": group.porteur,
                                                       "lines": list(plan.items())})


def prepare_scdl(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    """Check every row and plan the writes: new funders, then new associations, then the actions."""
    # The grants, groups and items hold no cycle, yet the cycle collector would walk them over and over as they
    # pile up (a third of the checking of 100,000 grants): paused meanwhile, as the merge does.
    try:
        with collector_paused():
            _prepare(sheet, positions, preview)
    finally:
        _PARSED.clear()


def _prepare(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    told = _Told(preview)
    grants: list[Grant] = []
    above: Grant | None = None  # the grant of the row above, which a payment row continues
    payments = header_of(sheet, positions, "payment_period")
    mapped = _mapped(positions)
    for line, cells in sheet.rows:
        read = _read_row(line, cells, sheet, positions, preview, told, mapped)
        if isinstance(read, _Continuation):
            if above is None:
                told.warn(line, payments, "cette ligne ne donne qu'une date ou période de versement, sans bénéficiaire, "
                                          "montant ni objet, sous aucune subvention : elle est ignorée (à vérifier).")
                continue
            above.note = (f"{above.note} ; puis" if above.note else "SCDL :") + f" versement {read.payment} (ligne {line})"
            told.warn(line, payments, "cette ligne ne donne qu'une date ou période de versement, sans bénéficiaire, "
                                      "montant ni objet : c'est la suite de la subvention de la ligne au-dessus, dont "
                                      "la ligne du plan de financement reçoit ce versement dans sa note ; ce n'est pas "
                                      "une subvention de plus.")
            continue
        above = read
        if read is not None:
            grants.append(read)
    funders = _Funders(preview, sheet, positions, told)
    beneficiaries = _Beneficiaries(preview, sheet, positions, told)
    grants = _named_beneficiaries(grants, beneficiaries, preview, told, header_of(sheet, positions, "beneficiary_name")
                                  or _FIELDS["beneficiary_name"].label)
    groups: dict[tuple[Pending, str, int], _Group] = {}
    column = header_of(sheet, positions, "object")
    for grant in grants:
        funder, porteur = funders.find(grant), beneficiaries.find(grant)
        if funder is None or porteur is None:
            continue
        key = (porteur, fold(_title(grant.title)), grant.year)
        group = groups.setdefault(key, _Group([], porteur))
        group.grants.append(grant)
        _add_line(group, funder, grant, preview, column)
    existing: dict[tuple[int, str, int], int] = {}
    for action_id, porteur_id, title, year in (Action.select(Action.id, Action.porteur, Action.title, Action.year)
                                               .where((Action.deleted == False) & Action.porteur.is_null(False))  # noqa: E712
                                               .order_by(Action.id).tuples()):
        existing.setdefault((porteur_id, fold(title), year), action_id)
    references = _References()
    actions: list[Item] = []
    unchanged: list[_Group] = []
    for (porteur, title_key, year), group in groups.items():
        action_id = existing.get((porteur.id, title_key, year)) if porteur.id is not None else None
        if action_id is None:
            item = _new_action(group, references, preview, sheet, positions)
        else:
            item = _updated_action(group, action_id, funders, preview, column)
            if item is None:
                unchanged.append(group)
        if item is not None:
            actions.append(item)
    if unchanged:
        # A file imported twice changes nothing; say so, or an empty preview would look like a file not read.
        others = sum(len(group.grants) for group in unchanged) - 1
        preview.warnings.append(RowError(unchanged[0].grants[0].line, column,
                                         f"cette subvention{f' et {others} autre(s)' if others else ''} figure(nt) "
                                         "déjà dans la base à l'identique : rien n'est à changer."))
    told.close()
    preview.items.extend(funders.items + beneficiaries.items + actions)
    preview.warnings.sort(key=lambda w: w.line)


IMPORTS["scdl"] = ("Subventions au format SCDL", SCDL_FIELDS)
sheet_import.register_kind("scdl", prepare_scdl, save_one, write_new)
