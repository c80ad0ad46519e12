"""Saving and deleting associations (porteurs), with their identifiers normalised."""
from __future__ import annotations

from typing import Any, Mapping

from cvdesk.domain.identifiers import digits_only
from cvdesk.services.records import SaveResult, delete_record, live_actions_phrase, save_record
from cvdesk.services.validation import validate_association
from cvdesk.store.models import Action, Association


def _normalise(values: Mapping[str, Any]) -> dict[str, Any]:
    clean = dict(values)
    for name in ("siret", "siren"):
        if name in clean and clean[name] is not None:
            clean[name] = digits_only(str(clean[name]))
    if "rna" in clean and clean["rna"]:
        clean["rna"] = str(clean["rna"]).strip().replace(" ", "")
    if clean.get("siret") and not clean.get("siren") and len(clean["siret"]) == 14:
        clean["siren"] = clean["siret"][:9]
    for name, value in list(clean.items()):
        if isinstance(value, str) and name not in ("notes", "address"):
            clean[name] = value.strip()
    return clean


def save_association(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Association, _normalise(values), record_id, validate_association)


def deletion_refusal(association: Association) -> str | None:
    """Why this association cannot be deleted (it still carries live actions), or None."""
    actions = live_actions_phrase(Action.select().where(
        (Action.porteur == association.id) & (Action.deleted == False)))  # noqa: E712
    if actions is None:
        return None
    return (f"L'association « {association.name} » porte encore {actions} : "
            "rattachez-les à un autre porteur ou supprimez-les d'abord ; rien n'a été supprimé.")


def delete_association(record_id: int) -> bool:
    """Tombstone the association; refused (DeletionRefused, nothing changed) while it carries live actions."""
    return delete_record(Association, record_id, refuse=deletion_refusal)
