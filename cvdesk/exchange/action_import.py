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
from cvdesk.exchange.cycle_collector import collector_paused
from cvdesk.exchange.sheet_fields import ACTION_FIELDS, fold
from cvdesk.exchange.sheet_preview import Item, RowError, SheetPreview, header_of, read_cells, service_errors
from cvdesk.exchange.sheet_reader import Sheet
from cvdesk.services.actions import FundingInput
from cvdesk.services.validation import (UNSTORABLE, check_lengths, funding_amounts_fine, max_length, new_action_fine,
                                        validate_action, validate_funding)
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


def _new_action_errors(values: dict[str, Any], lengths_checked: bool) -> dict[str, str]:
    """validate_action for an action the base does not hold yet, without its query per row for the reference:
    the live references were read once (by_reference), and the rows of one reference are one action here.
    lengths_checked: every text of the sheet's columns fits its field (checked once per column), so the
    validator's own length check of each value is spared."""
    if lengths_checked and new_action_fine(values):
        return {}
    reference = values.get("reference")
    rest = {k: v for k, v in values.items() if k != "reference"}
    if lengths_checked:
        errors = _RULES_OF_ACTION(rest, None)
    else:
        errors = validate_action(rest, None)
        errors.update(check_lengths(Action, {"reference": reference}))
    errors.pop("reference", None)  # « obligatoire »: it is there, set aside only to spare the query
    return errors


# The validators without their length check of each value (validation._checks_lengths), for rows whose columns
# were measured once: a length check looks its field up by model class, whose hash peewee computes in Python
# (1.3 million lookups were a third of checking 100,000 actions).
_RULES_OF_ACTION = getattr(validate_action, "__wrapped__", validate_action)
_RULES_OF_FUNDING = getattr(validate_funding, "__wrapped__", validate_funding)
# The fields whose cells an action's funding lines repeat, row after row: the action's (read_cells' repeated).
_ACTION_PART = 1 + [f.key for f in ACTION_FIELDS].index("quartiers")
assert {f.key for f in ACTION_FIELDS[:_ACTION_PART]} == {"reference", "porteur_siret", *SAME_FOR_EVERY_ROW}


def _columns_fit(rows: list[tuple[int, dict[str, Any]]], keys: Any, same: list[bool]) -> bool:
    """Whether every text of these columns fits its field of Action (the longest of each column measured, and no
    character a base cannot hold). A row whose action's cells repeat the row above's (same) holds its very texts:
    measured once."""
    measured = [values for (_, values), repeats in zip(rows, same) if not repeats]
    for key in keys:
        cap = max_length(Action, key)
        if cap is None:
            continue
        texts = [value for values in measured if isinstance(value := values.get(key), str)]
        if max(map(len, texts), default=0) > cap or UNSTORABLE.search("".join(texts)):
            return False  # too long, or a NUL that PostgreSQL cannot hold: each row's validator names it
    return True


def prepare_actions(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    # The rows' values hold no cycle: the collector would walk them again and again as they pile up.
    with collector_paused():
        _prepare_actions(sheet, positions, preview)


def _prepare_actions(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
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
    firsts: dict[str, tuple[int, dict[str, Any], int | None]] = {}  # reference -> its first row, its porteur
    col = lambda key: header_of(sheet, positions, key)  # noqa: E731
    same: list[bool] = []  # whether each row's action cells are the row above's (its funding lines follow)
    rows = read_cells(sheet, positions, ACTION_FIELDS, preview.errors, _ACTION_PART, same)
    lengths_checked = _columns_fit(rows, ACTION_KEYS, same)
    action_keys = [key for key in ACTION_KEYS if key in positions and key != "porteur"]
    with_porteur = "porteur" in positions or "porteur_siret" in positions
    with_funder = "funder" in positions
    funder_column = col("funder")
    as_first = False  # whether the row above said of its action what its reference's first row said
    porteur = None
    for (line, values), repeats in zip(rows, same):
        reference = values.get("reference")
        if not reference:
            preview.errors.append(RowError(line, col("reference"), "la référence de l'action est obligatoire."))
            as_first = False
            continue
        if repeats and with_porteur:
            # The row above's action cells, so its porteur (found or not: then named again for this line too).
            siret, name = values.get("porteur_siret"), values.get("porteur")
            if porteur is None and (siret or name):
                preview.errors.append(RowError(line, col("porteur") or col("porteur_siret"),
                                               f"le porteur « {name or siret} » n'existe pas dans la base "
                                               "(importez d'abord les associations)."))
        elif with_porteur:
            siret, name = values.get("porteur_siret"), values.get("porteur")
            porteur = porteurs_by_siret.get(siret) if siret else None
            if porteur is None and name:
                porteur = porteurs_by_name.get(folded(name))
            if porteur is None and (siret or name):
                preview.errors.append(RowError(line, col("porteur") or col("porteur_siret"),
                                               f"le porteur « {name or siret} » n'existe pas dans la base "
                                               "(importez d'abord les associations)."))
        item = groups.get(reference)
        if item is None:
            firsts[reference] = (line, values, porteur)
            item = _new_item(line, values, porteur, reference, positions, action_keys, orientations, quartiers,
                             by_reference, sheet, preview, col, lengths_checked)
            groups[reference] = item
            preview.items.append(item)
            as_first = True
        elif not (repeats and as_first):  # the row above's cells saying what the first row said: nothing to find
            differs = _may_differ(values, porteur, *firsts[reference][1:])
            if differs:
                first_line, first_values, first_porteur = firsts[reference]
                _same_action(reference, line, _said(values, porteur), values,
                             (first_line, {**_said(first_values, first_porteur),
                                           "porteur_name": first_values.get("porteur") or first_values.get("porteur_siret")}),
                             preview, col)
            as_first = not differs
        if with_funder and values.get("funder"):
            funder = funders.get(folded(values["funder"]))
            if funder is None:
                preview.errors.append(RowError(line, funder_column, f"le financeur « {values['funder']} » n'existe pas."))
                continue
            fundings = item.extra["fundings"]
            twice = False
            for line_ in fundings:
                if line_.funder_id == funder:
                    twice = True
                    break
            if twice:
                preview.errors.append(RowError(line, funder_column, f"le financeur « {values['funder']} » figure "
                                                                    f"deux fois pour l'action {reference}."))
                continue
            requested, granted, paid = values.get("requested") or 0, values.get("granted"), values.get("paid")
            funding = FundingInput(funder, requested, granted, paid, values.get("decision_date"))
            # The checks set_fundings runs on each line, here so that the preview names the line (amounts only:
            # no text whose length to check); the usual amounts need none of them.
            if not funding_amounts_fine(requested, granted, paid):
                for key, message in _RULES_OF_FUNDING({"funder": funder, "requested": requested, "granted": granted,
                                                       "paid": paid}, None).items():
                    preview.errors.append(RowError(line, col(key) or _LABELS.get(key, ""), message))
            fundings.append(funding)


_COMPARED_AS_IS = tuple(key for key in SAME_FOR_EVERY_ROW if key not in ("porteur", "quartiers"))


def _may_differ(values: dict[str, Any], porteur: int | None, first_values: dict[str, Any],
                first_porteur: int | None) -> bool:
    """Whether a later row of a reference may say something else of the action than its first row: False only
    where _same_action would find nothing (most rows of a sheet repeat their action's cells), so that the rows
    compared in full, with their sentences, are the few that may differ."""
    for key in _COMPARED_AS_IS:
        value = values.get(key)
        if value is not None and value != "" and value != first_values.get(key):
            return True
    codes = values.get("quartiers")
    if codes and codes != first_values.get("quartiers"):
        return True
    if porteur is not None and (values.get("porteur") or values.get("porteur_siret")):
        return porteur != (first_porteur if first_values.get("porteur") or first_values.get("porteur_siret")
                           else None)
    return False


def _said(values: dict[str, Any], porteur: int | None) -> dict[str, Any]:
    """What a row says of its action, to compare with another row of the same reference."""
    said = {key: values.get(key) for key in SAME_FOR_EVERY_ROW if key != "porteur"}
    said["porteur"] = porteur if (values.get("porteur") or values.get("porteur_siret")) else None
    if said.get("quartiers") is not None:
        said["quartiers"] = frozenset(code.upper() for code in said["quartiers"])
    return said


def _new_item(line: int, values: dict[str, Any], porteur: int | None, reference: str, positions: dict[str, int],
              action_keys: list[str], orientations: dict[int, int], quartiers: dict[str, int],
              by_reference: dict[str, int], sheet: Sheet, preview: SheetPreview, col: Any,
              lengths_checked: bool) -> Item:
    """The action a reference's first row describes, checked as the form would check it."""
    action_values: dict[str, Any] = {}
    for key in action_keys:
        value = values.get(key)
        if value is None:
            if key in ("title", "description"):
                value = ""
            elif key in ("total_cost", "status", "year"):
                continue
        elif key == "orientation":
            if value not in orientations:
                preview.errors.append(RowError(line, col(key), f"l'orientation n° {value} n'existe pas."))
                continue
            value = orientations[value]
        action_values[key] = value
    if "porteur" in positions or "porteur_siret" in positions:
        action_values["porteur"] = porteur
    quartier_ids = None
    if "quartiers" in positions:
        quartier_ids = []
        for code in values.get("quartiers") or []:
            quartier_id = quartiers.get(code.upper())
            if quartier_id is None:
                preview.errors.append(RowError(line, col("quartiers"), f"le quartier {code} n'existe pas."))
            else:
                quartier_ids.append(quartier_id)
    existing = by_reference.get(reference)
    if existing is None and "year" not in action_values:
        preview.errors.append(RowError(line, col("year") or "Année", "l'année est obligatoire pour une "
                                                                    "nouvelle action."))
    errors = (validate_action(action_values, Action.get_by_id(existing)) if existing is not None
              else _new_action_errors(action_values, lengths_checked))
    if errors:
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
