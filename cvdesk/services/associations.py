"""Saving and deleting associations (porteurs), with their identifiers normalised."""
from __future__ import annotations

from typing import Any, Mapping

from cvdesk.domain.identifiers import digits_only
from cvdesk.services.records import SaveResult, delete_record, save_record, some_references
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


SHOWN_REFERENCES = 2


def deletion_refusal(association: Association) -> str | None:
    """Why this association cannot be deleted (it still carries live actions), or None."""
    live = Action.select(Action.reference).where(
        (Action.porteur == association.id) & (Action.deleted == False))  # noqa: E712
    total = live.count()
    if not total:
        return None
    shown = [ref for (ref,) in live.order_by(Action.year.desc(), Action.reference).limit(SHOWN_REFERENCES).tuples()]
    actions = f"{total} action{'s' if total > 1 else ''}"
    return (f"L'association « {association.name} » porte encore {actions} ({some_references(shown, total)}) : "
            "rattachez-les à un autre porteur ou supprimez-les d'abord ; rien n'a été supprimé.")


def delete_association(record_id: int) -> bool:
    """Tombstone the association; refused (DeletionRefused, nothing changed) while it carries live actions."""
    return delete_record(Association, record_id, refuse=deletion_refusal)
