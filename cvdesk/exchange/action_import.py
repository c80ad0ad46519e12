"""Importing actions with their funding lines: one row per funding line, rows grouped by the action's reference.

Every row of a reference must say the same of the action (a blank cell repeats the first row, as a merged cell
reads): two rows giving one reference two titles or two porteurs are refused with both lines named, never merged
with the second's values lost. The base is read once into dictionaries (plain SQL: national scale, 100,000 rows)."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from cvdesk.domain.dates import format_date
from cvdesk.domain.money import format_money
from cvdesk.domain.status import STATUS_LABELS
from cvdesk.exchange.sheet_fields import ACTION_FIELDS, fold
from cvdesk.exchange.sheet_preview import Item, RowError, SheetPreview, header_of, read_cells, service_errors
from cvdesk.exchange.sheet_reader import Sheet
from cvdesk.services.actions import FundingInput
from cvdesk.services.validation import check_lengths, validate_action, validate_funding
from cvdesk.store.models import Action, db


ACTION_KEYS = ("reference", "title", "year", "orientation", "porteur", "status", "total_cost", "description",
               "start_date", "end_date")
# What a row says of its action, beside its funding line: the keys compared between rows of one reference.
SAME_FOR_EVERY_ROW = ("title", "year", "orientation", "porteur", "status", "total_cost", "description",
                      "start_date", "end_date", "quartiers")
_LABELS = {f.key: f.label for f in ACTION_FIELDS}
_MONEY = {f.key for f in ACTION_FIELDS if f.kind == "money"}


def _live(sql: str) -> list[tuple[Any, ...]]:
    return db.execute_sql(sql).fetchall()


def _shown(key: str, value: Any) -> str:
    """A parsed cell as the user typed it, for a sentence."""
    if isinstance(value, date):
        return format_date(value)
    if key in _MONEY and isinstance(value, int):
        return format_money(value)
    if key == "status":
        return STATUS_LABELS.get(value, str(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


def _new_action_errors(values: dict[str, Any]) -> dict[str, str]:
    """validate_action for an action the base does not hold yet, without its query per row for the reference:
    the live references were read once (by_reference), and the rows of one reference are one action here."""
    reference = values.get("reference")
    errors = validate_action({k: v for k, v in values.items() if k != "reference"}, None)
    errors.pop("reference", None)  # « obligatoire »: it is there, set aside only to spare the query
    errors.update(check_lengths(Action, {"reference": reference}))
    return errors


def prepare_actions(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    # Read in id order into dictionaries: where two live records share a key, the newest wins, as before.
    orientations = dict(_live("SELECT number, id FROM orientation WHERE deleted = 0 ORDER BY id"))
    folded = lru_cache(maxsize=None)(fold)  # porteurs and funders come back row after row
    porteurs_by_name: dict[str, int] = {}
    porteurs_by_siret: dict[str, int] = {}
    for porteur_id, name, siret in _live("SELECT id, name, siret FROM association WHERE deleted = 0 ORDER BY id"):
        porteurs_by_name[fold(name)] = porteur_id
        if siret:
            porteurs_by_siret[siret] = porteur_id
    funders: dict[str, int] = {}
    for funder_id, name, short_name in _live("SELECT id, name, short_name FROM funder WHERE deleted = 0 ORDER BY id"):
        funders.setdefault(fold(name), funder_id)
        if short_name:
            funders.setdefault(fold(short_name), funder_id)
    quartiers = dict(_live("SELECT code, id FROM quartier WHERE deleted = 0 ORDER BY id"))
    by_reference = dict(_live('SELECT reference, id FROM "action" WHERE deleted = 0 ORDER BY id'))
    groups: dict[str, Item] = {}
    firsts: dict[str, tuple[int, dict[str, Any]]] = {}  # reference -> its first row: line, what it says of the action
    col = lambda key: header_of(sheet, positions, key)  # noqa: E731
    for line, values in read_cells(sheet, positions, ACTION_FIELDS, preview.errors):
        reference = values.get("reference")
        if not reference:
            preview.errors.append(RowError(line, col("reference"), "la référence de l'action est obligatoire."))
            continue
        porteur = None
        if "porteur" in positions or "porteur_siret" in positions:
            siret, name = values.get("porteur_siret"), values.get("porteur")
            porteur = porteurs_by_siret.get(siret) if siret else None
            if porteur is None and name:
                porteur = porteurs_by_name.get(folded(name))
            if porteur is None and (siret or name):
                preview.errors.append(RowError(line, col("porteur") or col("porteur_siret"),
                                               f"le porteur « {name or siret} » n'existe pas dans la base "
                                               "(importez d'abord les associations)."))
        said = {key: values.get(key) for key in SAME_FOR_EVERY_ROW if key != "porteur"}
        said["porteur"] = porteur if (values.get("porteur") or values.get("porteur_siret")) else None
        if said.get("quartiers") is not None:
            said["quartiers"] = frozenset(code.upper() for code in said["quartiers"])
        item = groups.get(reference)
        if item is None:
            firsts[reference] = (line, {**said, "porteur_name": values.get("porteur") or values.get("porteur_siret")})
            item = _new_item(line, values, porteur, reference, positions, orientations, quartiers, by_reference,
                             sheet, preview, col)
            groups[reference] = item
            preview.items.append(item)
        else:
            _same_action(reference, line, said, values, firsts[reference], preview, col)
        if "funder" in positions and values.get("funder"):
            funder = funders.get(folded(values["funder"]))
            if funder is None:
                preview.errors.append(RowError(line, col("funder"), f"le financeur « {values['funder']} » n'existe pas."))
                continue
            if any(line_.funder_id == funder for line_ in item.extra["fundings"]):
                preview.errors.append(RowError(line, col("funder"), f"le financeur « {values['funder']} » figure "
                                                                    f"deux fois pour l'action {reference}."))
                continue
            funding = FundingInput(funder, requested=values.get("requested") or 0, granted=values.get("granted"),
                                   paid=values.get("paid"), decision_date=values.get("decision_date"))
            # The checks set_fundings runs on each line, here so that the preview names the line.
            for key, message in validate_funding({"funder": funder, "requested": funding.requested,
                                                  "granted": funding.granted, "paid": funding.paid}, None).items():
                preview.errors.append(RowError(line, col(key) or _LABELS.get(key, ""), message))
            item.extra["fundings"].append(funding)


def _new_item(line: int, values: dict[str, Any], porteur: int | None, reference: str, positions: dict[str, int],
              orientations: dict[int, int], quartiers: dict[str, int], by_reference: dict[str, int], sheet: Sheet,
              preview: SheetPreview, col: Any) -> Item:
    """The action a reference's first row describes, checked as the form would check it."""
    action_values: dict[str, Any] = {}
    for key in ACTION_KEYS:
        if key not in positions or key == "porteur":
            continue
        value = values.get(key)
        if value is None and key in ("title", "description"):
            value = ""
        if key == "orientation" and value is not None:
            if value not in orientations:
                preview.errors.append(RowError(line, col(key), f"l'orientation n° {value} n'existe pas."))
                continue
            value = orientations[value]
        if key in ("total_cost", "status", "year") and value is None:
            continue
        action_values[key] = value
    if "porteur" in positions or "porteur_siret" in positions:
        action_values["porteur"] = porteur
    quartier_ids = None
    if "quartiers" in positions:
        quartier_ids = []
        for code in values.get("quartiers") or []:
            if code.upper() not in quartiers:
                preview.errors.append(RowError(line, col("quartiers"), f"le quartier {code} n'existe pas."))
            else:
                quartier_ids.append(quartiers[code.upper()])
    existing = by_reference.get(reference)
    if existing is None and "year" not in action_values:
        preview.errors.append(RowError(line, col("year") or "Année", "l'année est obligatoire pour une "
                                                                    "nouvelle action."))
    errors = (validate_action(action_values, Action.get_by_id(existing)) if existing is not None
              else _new_action_errors(action_values))
    service_errors(line, sheet, positions, ACTION_FIELDS, errors, preview.errors)
    return Item(line, action_values, existing,
                {"quartiers": quartier_ids, "fundings": [] if "funder" in positions else None})


def _same_action(reference: str, line: int, said: dict[str, Any], values: dict[str, Any],
                 first: tuple[int, dict[str, Any]], preview: SheetPreview, col: Any) -> None:
    """A later row of a reference: each thing it says of the action (a blank cell says nothing) must be what the
    first row said; else the two rows are two actions sharing one reference, refused with both lines named."""
    first_line, first_said = first
    for key in SAME_FOR_EVERY_ROW:
        value = said.get(key)
        if value in (None, "") or value == frozenset():
            continue
        before = first_said.get(key)
        if value == before:
            continue
        label = _LABELS.get(key, key).lower()
        if key == "porteur":
            shown = values.get("porteur") or values.get("porteur_siret")
            shown_before = first_said.get("porteur_name") or "(vide)"
            column = col("porteur") or col("porteur_siret")
        else:
            shown = _shown(key, value)
            shown_before = _shown(key, before) if before not in (None, "") else "(vide)"
            column = col(key)
        preview.errors.append(RowError(
            line, column, f"la référence {reference} est aussi celle de la ligne {first_line}, dont le champ "
                          f"« {label} » diffère (« {shown_before} » ligne {first_line}, « {shown} » ligne {line}) : "
                          "deux actions ne peuvent partager une référence ; donnez-leur chacune la sienne, ou "
                          "recopiez la même valeur."))
        return
