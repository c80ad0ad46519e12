"""Saving actions: targeted quartiers, the financing plan and its totals, status changes, renewal."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from peewee import SQL

from cvdesk.domain.financing import PlanLine, check_plan
from cvdesk.domain.money import format_money
from cvdesk.domain.status import BROUILLON, SOLDEE
from cvdesk.services.concurrency import expected_version
from cvdesk.services.records import (SaveResult, all_or_nothing, delete_record, save_or_raise, save_record,
                                    tombstone)
from cvdesk.services.validation import validate_action, validate_funding
from cvdesk.store.dialect import group_concat
from cvdesk.store.models import (Action, ActionQuartier, Association, Contract, Funder, Funding,
                                 MeetingItem, Quartier, db)


@dataclass(frozen=True)
class FundingInput:
    """One line of the plan as the user gives it; amounts in cents."""

    funder_id: int
    requested: int = 0
    granted: int | None = None
    paid: int | None = None
    decision_date: date | None = None
    notes: str = ""


def save_action(
    values: Mapping[str, Any],
    record_id: int | None = None,
    quartier_ids: Iterable[int] | None = None,
    fundings: Sequence[FundingInput] | None = None,
) -> SaveResult:
    """Save an action; when given, its quartiers and its financing plan are set to exactly these."""
    clean = {k: v for k, v in values.items() if k not in ("requested_total", "granted_total", "paid_total")}
    if isinstance(clean.get("reference"), str):
        clean["reference"] = clean["reference"].strip()

    def write() -> SaveResult:
        # The action and its quartier links read once for the checks and the writes (each read is a round trip
        # to a PostgreSQL server): the same transaction, nothing of ours written between.
        current, links, stored = None, None, None
        if record_id is not None and quartier_ids is not None and fundings is not None and \
                expected_version(Action, record_id) is not None:
            # A form's save: its plan's lines read in the same statement (one round trip fewer). Read before the
            # action is claimed, which is safe here: a line written by anyone since the form read the action moved
            # its version, and the claim then refuses the save (without a form's version, the later read stays).
            year = clean.get("year")
            current, links, stored = _action_links_and_plan(record_id, year if isinstance(year, int) else None)
        elif record_id is not None and quartier_ids is not None:
            current, links = _action_and_links(record_id)
        elif record_id is not None:
            current = Action.get_or_none((Action.id == record_id) & (Action.deleted == False))  # noqa: E712
        gone = deleted_choices(clean, record_id, quartier_ids, current, links)
        if gone:
            return SaveResult(errors=gone)
        # No savepoint: a refusal or a disk error rolls this whole transaction back (all_or_nothing).
        result = save_record(Action, clean, record_id, validate_action, current=current, savepoint=False)
        if not result.ok:
            return result
        action = result.record
        links_written = quartier_ids is not None and set_quartiers(action, quartier_ids, links=links)
        plan: list[Funding] | None = None  # the plan as read, when the save wrote none of its lines
        if fundings is not None:
            errors, plan = _set_plan(action, fundings, stored)
            if errors:
                return SaveResult(errors=errors)
        # Unchanged plan: its warnings from the lines just read and the action as saved (one round trip fewer).
        of_plan, own = _save_warning_parts(action.id) if plan is None else _warnings_of(action, plan)
        result.warnings, result.plan_warnings = of_plan + own, of_plan
        if links_written or (fundings is not None and plan is None):
            result.version = None  # each line written moved the action's version again: the form reads it back
        elif record_id is not None:
            # Nothing but the action's own row written: the form shows the plan and quartiers it read here.
            result.quartiers = sorted(set(quartier_ids)) if quartier_ids is not None else None
            result.plan = None if plan is None else [
                FundingInput(f.funder_id, f.requested, f.granted, f.paid, f.decision_date, f.notes or "")
                for f in plan]
        return result

    return all_or_nothing(write)


def _links_column(action_id: int, pairs: bool) -> SQL:
    """The action's live quartier links in one text column of its row: « link id:quartier id » pairs, or the
    quartier ids, joined by commas (NULL for none)."""
    value = "id || ':' || quartier_id" if pairs else "quartier_id"
    # The id as a literal (an int, so nothing else can slip in): inside a peewee query, a ? would reach psycopg2 as is.
    return SQL(f"(SELECT {group_concat(value, ',')} FROM action_quartier WHERE action_id = {int(action_id)} "
               "AND deleted = 0)")


def _live_action(action_id: int, extra: str) -> Action | None:
    """The live action with extra columns after its own, by plain SQL made into an Action record (peewee took as
    long to build the select of its twenty columns as the server to answer it); the id as an int literal."""
    columns = ", ".join(f"a.{field.column_name}" for field in Action._meta.sorted_fields)
    return next(iter(Action.raw(f'SELECT {columns}, {extra} FROM "action" a WHERE a.id = {int(action_id)} '
                                "AND a.deleted = 0")), None)


def _action_and_links(action_id: int) -> tuple[Action | None, dict[int, int]]:
    """The live action and its live quartier links (link id -> quartier id) in one round trip, for a save."""
    action = _live_action(action_id, f"{_links_column(action_id, True).sql} AS links_text")
    if action is None:
        return None, _linked_quartiers(action_id)
    pairs = (pair.split(":") for pair in (action.links_text or "").split(",") if pair)
    return action, {int(link): int(quartier) for link, quartier in pairs}


def _action_links_and_plan(action_id: int, year: int | None) -> tuple[Action | None, dict[int, int],
                                                                     list[Funding] | None]:
    """_action_and_links and the plan's live lines as _set_plan reads them (in the funders' order, with funder_name,
    and has_envelope in year, the action's stored one when None), in one statement: a row per line, the action's
    columns on each (one row with no line for an empty plan)."""
    plan_columns = ", ".join(f"f.{field.column_name} AS f_{field.column_name}" for field in Funding._meta.sorted_fields)
    in_year = "a.year" if year is None else str(int(year))
    rows = list(Action.raw(
        f"SELECT {', '.join(f'a.{field.column_name}' for field in Action._meta.sorted_fields)}, "
        f"{_links_column(action_id, True).sql} AS links_text, {plan_columns}, fr.name AS funder_name, "
        f"EXISTS (SELECT 1 FROM envelope e WHERE e.funder_id = fr.id AND e.year = {in_year} AND e.deleted = 0) "
        # Two LEFT JOINs, not a LEFT JOIN of a parenthesised join: SQLite made that one a scan of every line
        # (1.4 s on the national dataset). Every line has its funder (a foreign key).
        f'AS has_envelope FROM "action" a LEFT JOIN funding f ON f.action_id = a.id AND f.deleted = 0 '
        f"LEFT JOIN funder fr ON fr.id = f.funder_id WHERE a.id = {int(action_id)} AND a.deleted = 0 "
        "ORDER BY fr.position, fr.name"))
    if not rows:
        return None, _linked_quartiers(action_id), None
    action = rows[0]
    pairs = (pair.split(":") for pair in (action.links_text or "").split(",") if pair)
    plan = []
    for row in rows:
        if row.f_id is None:  # the action's row alone: no line
            continue
        line = Funding(__no_default__=1)  # peewee: no default values, the stored ones set below
        line.__data__ = {field.name: field.python_value(getattr(row, f"f_{field.column_name}"))
                         for field in Funding._meta.sorted_fields}
        line.funder_name, line.has_envelope = row.funder_name, row.has_envelope
        plan.append(line)
    return action, {int(link): int(quartier) for link, quartier in pairs}, plan


def action_with_version(action_id: int) -> tuple[Action | None, int | None, list[int]]:
    """The live action, its version and its quartiers read in the same row (the form's values and the version they
    are at: one round trip, and never a version newer than the values), or (None, None, [])."""
    action = _live_action(action_id, f"a.version AS stored_version, {_links_column(action_id, False).sql} AS "
                                     "quartiers_text")
    if action is None:
        return None, None, []
    quartiers = [int(q) for q in (action.quartiers_text or "").split(",") if q]
    return action, int(action.stored_version), quartiers


def deleted_choices(values: Mapping[str, Any], record_id: int | None,
                    quartier_ids: Iterable[int] | None, action: Action | None = None,
                    links: Mapping[int, int] | None = None) -> dict[str, str]:
    """A porteur or quartiers newly chosen for the action that were deleted meanwhile (a pick list loaded before
    the deletion, another office's package): errors by field. Links the action already had are left alone. action
    and links: the live action record_id and its quartier links when the caller has just read them."""
    errors: dict[str, str] = {}
    porteur = values.get("porteur")
    porteur_id = porteur.id if isinstance(porteur, Association) else porteur
    # Plain SQL for the reads of every save (as _plan_rows): peewee builds each query anew, at a cost of its own.
    current: tuple[Any, ...] | None = None
    if action is not None and action.id == record_id:
        current = (action.porteur_id,)
    elif record_id is not None and porteur_id is not None:
        current = db.execute_sql('SELECT porteur_id FROM "action" WHERE id = ?', (record_id,)).fetchone()
    if porteur_id is not None and (current is None or current[0] != porteur_id):
        row = Association.select(Association.name).where(
            (Association.id == porteur_id) & (Association.deleted == True)).tuples().first()  # noqa: E712
        if row:
            errors["porteur"] = f"L'association « {row[0]} » a été supprimée : choisissez un autre porteur."
    if quartier_ids is not None:
        linked = (set() if record_id is None else
                  set((links if links is not None else _linked_quartiers(record_id)).values()))
        new = set(quartier_ids) - linked
        gone = [code for (code,) in Quartier.select(Quartier.code).where(
            Quartier.id.in_(new) & (Quartier.deleted == True)).order_by(Quartier.code).tuples()] if new else []  # noqa: E712
        if gone:
            errors["quartiers"] = (f"Le quartier {gone[0]} a été supprimé : décochez-le." if len(gone) == 1 else
                                   f"Les quartiers {', '.join(gone)} ont été supprimés : décochez-les.")
    return errors


def _linked_quartiers(action_id: int) -> dict[int, int]:
    """The action's live quartier links: link id -> quartier id."""
    return dict(db.execute_sql("SELECT id, quartier_id FROM action_quartier WHERE action_id = ? AND deleted = 0",
                               (action_id,)).fetchall())


def set_quartiers(action: Action, quartier_ids: Iterable[int], shares: Mapping[int, int] | None = None,
                  links: Mapping[int, int] | None = None) -> bool:
    """Make the action's live quartiers exactly quartier_ids; links: its live links (link id -> quartier id) when the
    caller has just read them in this transaction. Whether a link was written or tombstoned."""
    wanted = set(quartier_ids)
    if links is None:
        links = _linked_quartiers(action.id)
    written = False
    for link_id, quartier_id in links.items():
        if quartier_id not in wanted:
            tombstone(ActionQuartier.get_by_id(link_id))  # read whole only to be tombstoned, with its history
            written = True
    present = set(links.values())
    for quartier_id in sorted(wanted - present):
        share = shares.get(quartier_id) if shares else None
        save_or_raise(ActionQuartier, {"action": action.id, "quartier": quartier_id, "share_bp": share})
        written = True
    return written


def set_fundings(action: Action, lines: Sequence[FundingInput]) -> dict[str, str]:
    """Make the plan exactly these lines, one per funder; returns errors by 'funding.N.field'."""
    return _set_plan(action, lines)[0]


def _set_plan(action: Action, lines: Sequence[FundingInput], stored: list[Funding] | None = None
              ) -> tuple[dict[str, str], list[Funding] | None]:
    """set_fundings, and the plan's live lines as read (in the funders' order, with funder_name and has_envelope in
    the action's year) when none was written or tombstoned; None when one was. stored: those lines when the caller
    has just read them in this transaction (_action_links_and_plan)."""
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for index, line in enumerate(lines):
        if line.funder_id in seen:
            name = Funder.get_by_id(line.funder_id).name
            errors[f"funding.{index}.funder"] = f"Le financeur {name} figure deux fois dans le plan."
        seen.add(line.funder_id)
    if errors:
        return errors, None
    # The lines with what the warnings need of their funders, in save_warnings' order: read once for both. Plain
    # SQL (the ids as int literals: no placeholder style to choose) made into Funding records: peewee took longer
    # to build this query than the server to answer it.
    columns = ", ".join(f"f.{field.column_name}" for field in Funding._meta.sorted_fields)
    if stored is None:
        stored = list(Funding.raw(
            f"SELECT {columns}, fr.name AS funder_name, EXISTS (SELECT 1 FROM envelope e WHERE e.funder_id = fr.id "
            f"AND e.year = {int(action.year)} AND e.deleted = 0) AS has_envelope FROM funding f "
            f"JOIN funder fr ON fr.id = f.funder_id WHERE f.action_id = {int(action.id)} AND f.deleted = 0 "
            "ORDER BY fr.position, fr.name"))
    current = {f.funder_id: f for f in stored}
    written = False  # no line written or tombstoned: the totals, sums of the lines, stay right as stored
    for funder_id, funding in current.items():
        if funder_id not in seen:
            tombstone(funding)
            written = True
    for index, line in enumerate(lines):
        values = {
            "action": action.id,
            "funder": line.funder_id,
            "requested": line.requested,
            "granted": line.granted,
            "paid": line.paid,
            "decision_date": line.decision_date,
            "notes": line.notes,
        }
        existing = current.get(line.funder_id)
        if existing is not None and all(getattr(existing, name) == value for name, value in values.items()
                                        if name not in ("action", "funder")):
            # Unchanged: checked as a new value would be, but nothing to write (no savepoint, no history).
            line_errors = validate_funding(values, existing)
        else:
            line_errors = save_record(Funding, values, existing.id if existing else None, validate_funding,
                                      current=existing).errors
            written = True
        for name, message in line_errors.items():
            errors[f"funding.{index}.{name}"] = message
    if not errors and written:
        recompute_totals(action.id)
    return errors, (None if written else stored)


def _warnings_of(action: Action, plan: Sequence[Funding]) -> tuple[list[str], list[str]]:
    """_save_warning_parts for an action whose plan this save left as it was: the action as saved (its paid_total,
    a sum of those lines, unchanged) and the lines as _set_plan read them."""
    facts = (action.total_cost, action.status, action.reference, action.paid_total, action.year)
    rows = [(f.funder_name, f.requested, f.granted, f.paid, f.has_envelope) for f in plan]
    return check_plan(facts[0], [PlanLine(*row[:4]) for row in rows]), _own_warnings(facts, rows)


def recompute_totals(action_id: int) -> None:
    """Refresh the action's requested, granted and paid sums from its live funding lines."""
    db.execute_sql(
        """
        UPDATE "action" SET
          requested_total = (SELECT COALESCE(SUM(requested), 0) FROM funding WHERE action_id = ? AND deleted = 0),
          granted_total = (SELECT COALESCE(SUM(granted), 0) FROM funding WHERE action_id = ? AND deleted = 0),
          paid_total = (SELECT COALESCE(SUM(paid), 0) FROM funding WHERE action_id = ? AND deleted = 0)
        WHERE id = ?
        """,
        (action_id, action_id, action_id, action_id),
    )


def plan_lines(action_id: int) -> list[PlanLine]:
    return [PlanLine(*line[:4]) for line in _plan_rows(action_id, 0)]


def _plan_rows(action_id: int, year: int) -> list[tuple[str, int, int | None, int | None, int]]:
    """The live lines of the plan in the funders' order: name, requested, granted, paid, and whether the funder has
    an envelope in year. Plain SQL, as _action_facts: a save reads them, and peewee's queries cost as much as the
    write itself."""
    return db.execute_sql(
        "SELECT fr.name, f.requested, f.granted, f.paid, EXISTS (SELECT 1 FROM envelope e WHERE e.funder_id = fr.id"
        " AND e.year = ? AND e.deleted = 0) FROM funding f JOIN funder fr ON fr.id = f.funder_id"
        " WHERE f.action_id = ? AND f.deleted = 0 ORDER BY fr.position, fr.name", (year, action_id)).fetchall()


def _action_facts(action_id: int) -> tuple[int, str, str, int, int]:
    """total_cost, status, reference, paid_total, year (a missing action raises DoesNotExist, as get_by_id did)."""
    row = db.execute_sql('SELECT total_cost, status, reference, paid_total, year FROM "action" WHERE id = ?',
                         (action_id,)).fetchone()
    if row is None:
        raise Action.DoesNotExist(f"Action n° {action_id} introuvable.")
    return row


def plan_warnings(action_id: int) -> list[str]:
    facts = _action_facts(action_id)
    return check_plan(facts[0], plan_lines(action_id))


def save_warnings(action_id: int) -> list[str]:
    """What a save of the action shows: its plan's warnings, then its own (the action and its plan read once, in
    one statement: each is a round trip to a PostgreSQL server, in every save)."""
    of_plan, own = _save_warning_parts(action_id)
    return of_plan + own


def _save_warning_parts(action_id: int) -> tuple[list[str], list[str]]:
    """save_warnings in two parts: the plan's own warnings (check_plan), and the action's."""
    found = db.execute_sql(
        "SELECT a.total_cost, a.status, a.reference, a.paid_total, a.year, fr.name, f.requested, f.granted, f.paid,"
        " EXISTS (SELECT 1 FROM envelope e WHERE e.funder_id = fr.id AND e.year = a.year AND e.deleted = 0)"
        ' FROM "action" a LEFT JOIN funding f ON f.action_id = a.id AND f.deleted = 0'
        # Two plain left joins (a line's funder is a foreign key, always there): SQLite reads a parenthesised
        # join (funding JOIN funder) whole before the action's row, 0.5 s on the national dataset.
        " LEFT JOIN funder fr ON fr.id = f.funder_id WHERE a.id = ? ORDER BY fr.position, fr.name",
        (action_id,)).fetchall()
    if not found:
        raise Action.DoesNotExist(f"Action n° {action_id} introuvable.")
    facts = found[0][:5]
    rows = [row[5:] for row in found if row[5] is not None]  # a plan without lines: the action's row alone
    return check_plan(facts[0], [PlanLine(*row[:4]) for row in rows]), _own_warnings(facts, rows)


def action_warnings(action_id: int) -> list[str]:
    """What a save lets through but the coordinator should see: a « Soldée » action with nothing paid, and a grant
    from a funder that has no envelope for the action's year (the programme's totals would not count it)."""
    facts = _action_facts(action_id)
    return _own_warnings(facts, _plan_rows(action_id, facts[4]))


def _own_warnings(facts: tuple[int, str, str, int, int], rows: list[tuple[str, int, int | None, int | None, int]]
                  ) -> list[str]:
    _total_cost, status, reference, paid_total, year = facts
    warnings: list[str] = []
    if status == SOLDEE and not paid_total:
        warnings.append(f"L'action {reference} est soldée, mais aucun versement n'est saisi dans son plan "
                        "de financement.")
    for name, _requested, granted, _paid, has_envelope in rows:
        if granted is not None and granted > 0 and not has_envelope:
            warnings.append(f"{name} n'a pas d'enveloppe en {year} : les {format_money(granted)} accordés "
                            "n'entrent dans aucune enveloppe.")
    return warnings


def change_status(action_id: int, new_status: str) -> SaveResult:
    return save_action({"status": new_status}, action_id)


def renew_action(action_id: int) -> SaveResult:
    """Create next year's action from this one, linked to it, in draft, with the same quartiers and funders."""
    source = Action.get_by_id(action_id)
    year = source.year + 1
    refusal = renewal_refusal(action_id)
    if refusal:
        return SaveResult(errors={"previous": refusal})
    reference = _next_reference(source.reference, source.year, year)
    values = {
        "reference": reference,
        "title": source.title,
        "year": year,
        "orientation": source.orientation_id,
        "porteur": source.porteur_id,
        "description": source.description,
        "objectives": source.objectives,
        "public": source.public,
        "axes": source.axes,
        "total_cost": source.total_cost,
        "beneficiaries_planned": source.beneficiaries_planned,
        "status": BROUILLON,
        "previous": source.id,
    }
    quartiers = [
        link.quartier_id
        for link in ActionQuartier.select().where(
            (ActionQuartier.action == source) & (ActionQuartier.deleted == False)  # noqa: E712
        )
    ]
    fundings = [
        FundingInput(f.funder_id, requested=f.requested)
        for f in Funding.select().where((Funding.action == source) & (Funding.deleted == False))  # noqa: E712
    ]
    return save_action(values, None, quartiers, fundings)


def renewal_refusal(action_id: int) -> str | None:
    """Why this action cannot be renewed again: it already has a live renewal in the following year."""
    source = Action.get_by_id(action_id)
    year = source.year + 1
    existing = (Action.select(Action.reference)
                .where((Action.previous == action_id) & (Action.year == year) & (Action.deleted == False))  # noqa: E712
                .order_by(Action.id).tuples().first())
    if existing is None:
        return None
    return (f"L'action {source.reference} est déjà reconduite en {year} par l'action {existing[0]} : "
            "ouvrez celle-ci plutôt que d'en créer une seconde.")


# « 2015-VM-012 »: the year, the contract's code, and a number padded like the rest of the series.
REFERENCE_SHAPE = re.compile(r"(\d{4})-([A-Za-z0-9]+)-(\d+)")
DEFAULT_CODE = "ACT"
DEFAULT_WIDTH = 3


@dataclass(frozen=True)
class ReferenceSeries:
    """The references of one year that share a code: the code, how wide their numbers are, the highest one."""

    code: str
    width: int
    last: int


def reference_series(year: int) -> ReferenceSeries | None:
    """The dominant series among the live references that start with « year- » (None when there is none)."""
    prefix = f"{year}-"
    # A range on the indexed reference, not LIKE (case-insensitive in SQLite, so it cannot use the index); a bare
    # cursor, as peewee's rows double the time over the national dataset's 10,000 references a year.
    query = db.execute_sql('SELECT reference FROM "action" WHERE reference >= ? AND reference < ? AND deleted = 0',
                           (prefix, f"{year}."))
    counts: Counter[str] = Counter()
    widths: dict[str, int] = {}
    lasts: dict[str, int] = {}
    for (reference,) in query:
        match = REFERENCE_SHAPE.fullmatch(reference)
        if match is None:
            continue
        code, digits = match.group(2), match.group(3)
        counts[code] += 1
        widths[code] = max(widths.get(code, 0), len(digits))
        lasts[code] = max(lasts.get(code, 0), int(digits))
    if not counts:
        return None
    code = max(counts, key=lambda c: (counts[c], lasts[c], c))  # the most used; on a tie, the furthest along
    return ReferenceSeries(code, widths[code], lasts[code])


def _contract_code() -> str:
    """Initials of the contract's EPCI without its legal kind: « Communauté d'agglomération Valenciennes
    Métropole » gives VM."""
    row = Contract.select(Contract.epci_name).where(Contract.deleted == False).order_by(Contract.id).tuples().first()  # noqa: E712
    words = (row[0] if row else "").replace("'", " ").replace("’", " ").split()
    while words and words[0].lower() in ("communauté", "d", "de", "des", "du", "agglomération", "communes",
                                         "urbaine", "la", "le", "l"):
        words = words[1:]
    initials = "".join(word[0] for word in words if word[:1].isupper() and word[0].isascii())
    return initials or DEFAULT_CODE


def propose_reference(year: int) -> str:
    """The reference a new action of this year is offered: the next free number of that year's series
    (« 2015-VM-041 » after 2015-VM-040), or number 1 of the code the nearest year uses, or of the contract's."""
    series = reference_series(year)
    if series is None:
        years = [y for (y,) in Action.select(Action.year).where(Action.deleted == False)  # noqa: E712
                 .distinct().tuples()]
        nearest = None
        for other in sorted(years, key=lambda y: (abs(y - year), -y)):
            nearest = reference_series(other)
            if nearest is not None:
                break
        series = (ReferenceSeries(nearest.code, nearest.width, 0) if nearest is not None
                  else ReferenceSeries(_contract_code(), DEFAULT_WIDTH, 0))
    number = series.last + 1
    while True:
        candidate = f"{year}-{series.code}-{number:0{series.width}d}"
        taken = Action.select().where((Action.reference == candidate) & (Action.deleted == False)).exists()  # noqa: E712
        if not taken:
            return candidate
        number += 1


def _next_reference(reference: str, year: int, next_year: int) -> str:
    base = reference.replace(str(year), str(next_year), 1) if str(year) in reference else f"{reference}-{next_year}"
    candidate, n = base, 2
    while Action.select().where((Action.reference == candidate) & (Action.deleted == False)).exists():  # noqa: E712
        candidate, n = f"{base}-{n}", n + 1
    return candidate


# What an action takes with it: its plan, its quartier links and its places on meeting agendas.
ACTION_CHILDREN = (Funding.action, ActionQuartier.action, MeetingItem.action)


def delete_action(record_id: int) -> bool:
    """Tombstone the action with its funding lines, quartier links and agenda items, all or nothing.

    Its cached totals follow its (now deleted) plan lines, so the desk's sums and check agree."""
    return delete_record(Action, record_id, ACTION_CHILDREN, after=lambda action: recompute_totals(action.id))
