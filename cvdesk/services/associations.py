"""Saving and deleting associations (porteurs), with their identifiers normalised."""
from __future__ import annotations

from typing import Any, Mapping

from cvdesk.domain.identifiers import digits_only
from cvdesk.services.records import SaveResult, delete_record, save_record
from cvdesk.services.validation import validate_association
from cvdesk.store.models import Association


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


def delete_association(record_id: int) -> bool:
    return delete_record(Association, record_id)
