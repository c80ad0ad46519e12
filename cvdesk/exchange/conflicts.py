"""Reviewing the conflicts a merge kept: both versions side by side, and the user's choice of the one that stays."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.merge_summary import TABLE_LABELS
from cvdesk.exchange.merge_write import recompute_action_totals
from cvdesk.exchange.package_format import DERIVED, table_specs
from cvdesk.services.records import _write_history
from cvdesk.store.engine import raw
from cvdesk.store.exchange_models import ExchangeConflict
from cvdesk.store.models import UTC_FORMAT, db, utcnow

HIDDEN = {"uuid", "created_at", "updated_at", "office"}
FIELD_LABELS = {
    "title": "Intitulé", "name": "Nom", "reference": "Référence", "year": "Année", "status": "Statut",
    "total_cost": "Coût total", "requested": "Demandé", "granted": "Accordé", "paid": "Versé", "amount": "Montant",
    "deleted": "Supprimé", "description": "Description", "objectives": "Objectifs", "public": "Public visé",
    "start_date": "Date de début", "end_date": "Date de fin", "porteur": "Porteur", "orientation": "Orientation",
    "acronym": "Sigle", "siret": "SIRET", "siren": "SIREN", "rna": "RNA", "email": "Courriel", "phone": "Téléphone",
    "address": "Adresse", "city": "Commune", "postcode": "Code postal", "notes": "Notes", "code": "Code",
    "population": "Population", "decision_date": "Date de décision", "funder": "Financeur", "action": "Action",
    "active": "Active", "legal_form": "Forme juridique", "president": "Président", "contact_name": "Contact",
}
MONEY_FIELDS = {"total_cost", "requested", "granted", "paid", "amount"}


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key.replace("_", " "))


def shown_value(key: str, value: Any) -> str:
    """A value as the user reads it: amounts in euros, yes/no, dates dd/mm/yyyy, '(vide)' for nothing."""
    from cvdesk.domain.money import format_money

    if value is None or value == "":
        return "(vide)"
    if value is True or value is False:
        return "oui" if value else "non"
    if key in MONEY_FIELDS and isinstance(value, int):
        return format_money(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:]}/{value[5:7]}/{value[:4]}"
    return str(value)


@dataclass(frozen=True)
class Difference:
    field: str
    local: Any
    incoming: Any


@dataclass(frozen=True)
class ConflictView:
    id: int
    table: str
    type_label: str
    label: str
    from_office: str
    local_updated_at: str
    incoming_updated_at: str
    differences: tuple[Difference, ...]


def _spec(record_type: str):
    for spec in table_specs():
        if spec.model.__name__ == record_type:
            return spec
    raise ExchangeError(f"Type d'enregistrement inconnu dans un conflit : {record_type}.")


def _local_row(spec, uuid: str) -> dict[str, Any] | None:
    from cvdesk.exchange.export_package import select_sql

    sql = select_sql(spec).replace(" ORDER BY t.id", " WHERE t.uuid = ?")
    row = raw().execute(sql, (uuid,)).fetchone()
    if row is None:
        return None
    values = dict(zip(spec.keys, row))
    for column in spec.columns:
        if column.kind == "bool" and values[column.key] is not None:
            values[column.key] = bool(values[column.key])
    return values


def pending_conflicts() -> list[ConflictView]:
    """The conflicts still to review, oldest first, each with the fields where the two versions differ."""
    out = []
    for conflict in ExchangeConflict.select().where(ExchangeConflict.resolution == "").order_by(ExchangeConflict.id):
        spec = _spec(conflict.record_type)
        incoming = json.loads(conflict.incoming)
        local = _local_row(spec, conflict.record_uuid) or {}
        derived = DERIVED.get(spec.table, frozenset())
        # A key the stored version lacks came from an office on an older schema: not known, so no difference.
        differences = tuple(Difference(key, local.get(key), incoming.get(key)) for key in spec.keys
                            if key not in HIDDEN and key not in derived and key in incoming
                            and local.get(key) != incoming.get(key))
        label = next((str(local.get(k)) for k in ("reference", "code", "name", "title") if local.get(k)), spec.table)
        if local.get("title") and local.get("reference"):
            label = f"{local['reference']} – {local['title']}"
        out.append(ConflictView(conflict.id, spec.table, TABLE_LABELS.get(spec.table, spec.table), label,
                                conflict.from_office, conflict.local_updated_at, conflict.incoming_updated_at,
                                differences))
    return out


def resolve_conflict(conflict_id: int, keep: str) -> None:
    """keep 'local' (nothing changes but the mark) or 'incoming' (the other office's version replaces this one,
    dated now so that the choice travels in the next package)."""
    if keep not in ("local", "incoming"):
        raise ValueError(keep)
    with db.atomic():
        conflict = ExchangeConflict.get_by_id(conflict_id)
        if keep == "incoming":
            spec = _spec(conflict.record_type)
            incoming = json.loads(conflict.incoming)
            before = _local_row(spec, conflict.record_uuid)
            if before is None:
                raise ExchangeError("L'enregistrement en conflit n'existe plus dans cette base.")
            sets, params = [], []
            for column in spec.columns:
                if column.key in ("uuid", "created_at", "updated_at", "office") or column.key not in incoming:
                    continue  # a key the stored version lacks (an older office's package) keeps its value here
                value = incoming[column.key]
                if column.kind == "fk" and value is not None:
                    target = raw().execute(f'SELECT id FROM "{column.target}" WHERE uuid = ?',
                                           (value,)).fetchone()
                    if target is None:
                        raise ExchangeError(f"La version reçue renvoie à un enregistrement absent ({value}).")
                    value = target[0]
                sets.append(f'"{column.sql}" = ?')
                params.append(value)
            sets.append('"updated_at" = ?')
            params.append(utcnow().strftime(UTC_FORMAT))
            sets.append('"version" = "version" + 1')  # a form open on it here is refused, not written over it
            raw().execute(f'UPDATE "{spec.table}" SET {", ".join(sets)} WHERE uuid = ?',
                          (*params, conflict.record_uuid))
            record = spec.model.get(spec.model.uuid == conflict.record_uuid)
            changes = {k: [before.get(k), incoming.get(k)] for k in spec.keys
                       if k not in HIDDEN and k in incoming and before.get(k) != incoming.get(k)}
            _write_history(record, "delete" if incoming.get("deleted") and not before.get("deleted") else "update",
                           changes)
            if spec.table == "action":
                recompute_action_totals({record.id})
            elif spec.table == "funding":
                recompute_action_totals({record.action_id})
        conflict.resolution = keep
        conflict.save()


def conflict_count() -> int:
    return ExchangeConflict.select().where(ExchangeConflict.resolution == "").count()
