"""Importing actions with their funding lines: one row per funding line, rows grouped by the action's reference."""
from __future__ import annotations

from typing import Any

from cvdesk.exchange.sheet_fields import ACTION_FIELDS, fold
from cvdesk.exchange.sheet_preview import Item, RowError, SheetPreview, header_of, read_cells, service_errors
from cvdesk.exchange.sheet_reader import Sheet
from cvdesk.services.actions import FundingInput
from cvdesk.services.validation import validate_action
from cvdesk.store.models import Action, Association, Funder, Orientation, Quartier


ACTION_KEYS = ("reference", "title", "year", "orientation", "porteur", "status", "total_cost", "description",
               "start_date", "end_date")


def prepare_actions(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    orientations = {o.number: o.id for o in Orientation.select().where(Orientation.deleted == False)}  # noqa: E712
    porteurs_by_name = {fold(a.name): a.id for a in Association.select().where(Association.deleted == False)}  # noqa: E712
    porteurs_by_siret = {a.siret: a.id for a in Association.select().where(
        (Association.deleted == False) & (Association.siret != ""))}  # noqa: E712
    funders: dict[str, int] = {}
    for f in Funder.select().where(Funder.deleted == False):  # noqa: E712
        funders.setdefault(fold(f.name), f.id)
        if f.short_name:
            funders.setdefault(fold(f.short_name), f.id)
    quartiers = {q.code: q.id for q in Quartier.select().where(Quartier.deleted == False)}  # noqa: E712
    by_reference = {a.reference: a.id for a in Action.select().where(Action.deleted == False)}  # noqa: E712
    groups: dict[str, Item] = {}
    col = lambda key: header_of(sheet, positions, key)  # noqa: E731
    for line, values in read_cells(sheet, positions, ACTION_FIELDS, preview.errors):
        reference = values.get("reference")
        if not reference:
            preview.errors.append(RowError(line, col("reference"), "la référence de l'action est obligatoire."))
            continue
        item = groups.get(reference)
        if item is None:
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
                siret, name = values.get("porteur_siret"), values.get("porteur")
                porteur = porteurs_by_siret.get(siret) if siret else None
                if porteur is None and name:
                    porteur = porteurs_by_name.get(fold(name))
                if porteur is None and (siret or name):
                    preview.errors.append(RowError(line, col("porteur") or col("porteur_siret"),
                                                   f"le porteur « {name or siret} » n'existe pas dans la base "
                                                   "(importez d'abord les associations)."))
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
            record = Action.get_by_id(existing) if existing else None
            service_errors(line, sheet, positions, ACTION_FIELDS, validate_action(action_values, record),
                            preview.errors)
            item = Item(line, action_values, existing,
                         {"quartiers": quartier_ids, "fundings": [] if "funder" in positions else None})
            groups[reference] = item
            preview.items.append(item)
        if "funder" in positions and values.get("funder"):
            funder = funders.get(fold(values["funder"]))
            if funder is None:
                preview.errors.append(RowError(line, col("funder"), f"le financeur « {values['funder']} » n'existe pas."))
                continue
            if any(line_.funder_id == funder for line_ in item.extra["fundings"]):
                preview.errors.append(RowError(line, col("funder"), f"le financeur « {values['funder']} » figure "
                                                                    f"deux fois pour l'action {reference}."))
                continue
            item.extra["fundings"].append(FundingInput(
                funder, requested=values.get("requested") or 0, granted=values.get("granted"),
                paid=values.get("paid"), decision_date=values.get("decision_date")))
