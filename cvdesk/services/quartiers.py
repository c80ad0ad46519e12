"""Saving quartiers with their communes and indicators."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from cvdesk.domain.indicators import INDICATORS
from cvdesk.services.records import (
    SaveResult,
    all_or_nothing,
    delete_record,
    live_actions_phrase,
    save_or_raise,
    save_record,
    tombstone,
)
from cvdesk.services.validation import validate_quartier
from cvdesk.store.models import Action, ActionQuartier, Commune, Quartier, QuartierCommune, QuartierIndicator

# kind -> (value, source year); value in cents for income, basis points for rates.
Indicators = Mapping[str, tuple[int, int | None] | None]


def save_quartier(
    values: Mapping[str, Any],
    record_id: int | None = None,
    commune_ids: Iterable[int] | None = None,
    indicators: Indicators | None = None,
) -> SaveResult:
    """Save a quartier; when given, its communes and indicators are set to exactly these."""
    clean = dict(values)
    if isinstance(clean.get("code"), str):
        # « QP 059 001 » as typed from a printed list is QP059001: stored without its spaces, so that it is unique.
        clean["code"] = "".join(clean["code"].split()).upper()
    errors: dict[str, str] = {}
    if indicators:
        unknown = [k for k in indicators if k not in INDICATORS]
        if unknown:
            errors["indicators"] = f"Indicateur inconnu : {', '.join(unknown)}."
    if errors:
        return SaveResult(errors=errors)

    def write() -> SaveResult:
        result = save_record(Quartier, clean, record_id, validate_quartier)
        if result.ok:
            if commune_ids is not None:
                set_communes(result.record, commune_ids)
            if indicators is not None:
                set_indicators(result.record, indicators)
        return result

    return all_or_nothing(write)


def set_communes(quartier: Quartier, commune_ids: Iterable[int]) -> None:
    wanted = set(commune_ids)
    links = list(QuartierCommune.select().where(
        (QuartierCommune.quartier == quartier) & (QuartierCommune.deleted == False)  # noqa: E712
    ))
    present = {link.commune_id for link in links}
    for link in links:
        if link.commune_id not in wanted:
            tombstone(link)
    for commune_id in sorted(wanted - present):
        save_or_raise(QuartierCommune, {"quartier": quartier.id, "commune": Commune.get_by_id(commune_id).id})


def set_indicators(quartier: Quartier, indicators: Indicators) -> None:
    current = {
        row.kind: row
        for row in QuartierIndicator.select().where(
            (QuartierIndicator.quartier == quartier) & (QuartierIndicator.deleted == False)  # noqa: E712
        )
    }
    for kind, entry in indicators.items():
        row = current.get(kind)
        if entry is None:
            if row is not None:
                tombstone(row)
            continue
        value, year = entry
        values = {"quartier": quartier.id, "kind": kind, "value": value, "source_year": year}
        save_or_raise(QuartierIndicator, values, row.id if row else None)


def communes_of(quartier_id: int) -> list[Commune]:
    return list(
        Commune.select()
        .join(QuartierCommune)
        .where((QuartierCommune.quartier == quartier_id) & (QuartierCommune.deleted == False))  # noqa: E712
        .order_by(Commune.name)
    )


def indicators_of(quartier_id: int) -> dict[str, tuple[int, int | None]]:
    return {
        row.kind: (row.value, row.source_year)
        for row in QuartierIndicator.select().where(
            (QuartierIndicator.quartier == quartier_id) & (QuartierIndicator.deleted == False)  # noqa: E712
        )
    }



# What a quartier takes with it: its commune links, its indicators, and links left over from deleted actions.
QUARTIER_CHILDREN = (QuartierCommune.quartier, QuartierIndicator.quartier, ActionQuartier.quartier)


def deletion_refusal(quartier: Quartier) -> str | None:
    """Why this quartier cannot be deleted (live actions still target it), or None.

    Refused rather than unlinked: taking the quartier out of those actions would change their sheets and the
    programme's totals by quartier without anyone reviewing them."""
    # IN, not a join: two merged offices may each have linked the same action, and it counts once.
    targeting = ActionQuartier.select(ActionQuartier.action).where(
        (ActionQuartier.quartier == quartier.id) & (ActionQuartier.deleted == False))  # noqa: E712
    actions = live_actions_phrase(Action.select().where(Action.id.in_(targeting) & (Action.deleted == False)))  # noqa: E712
    if actions is None:
        return None
    return (f"Le quartier {quartier.code} « {quartier.name} » est ciblé par {actions} : "
            "retirez-le de ces actions d'abord ; rien n'a été supprimé.")


def delete_quartier(record_id: int) -> bool:
    """Tombstone the quartier with its commune links and indicators; refused while live actions target it."""
    return delete_record(Quartier, record_id, QUARTIER_CHILDREN, refuse=deletion_refusal)
