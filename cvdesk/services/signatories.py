"""The contract with its ordered signatories, saved together: kept rows keep their UUID, removed ones are tombstoned."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from cvdesk.services.records import SaveResult, WriteRefused, all_or_nothing, save_or_raise, save_record, tombstone
from cvdesk.services.validation import validate_contract, validate_signatory
from cvdesk.store.models import Contract, Signatory


@dataclass(frozen=True)
class SignatoryLine:
    """One signatory as the form lists it: its id (None for a new one), its name and who signs for it."""

    id: int | None
    name: str
    represented_by: str = ""


def signatories_of(contract_id: int) -> list[SignatoryLine]:
    """The contract's live signatories in their order."""
    query = (Signatory.select(Signatory.id, Signatory.name, Signatory.represented_by)
             .where((Signatory.contract == contract_id) & (Signatory.deleted == False))  # noqa: E712
             .order_by(Signatory.position, Signatory.id).tuples())
    return [SignatoryLine(sid, name, represented or "") for sid, name, represented in query]


def save_contract_and_signatories(values: Mapping[str, Any], record_id: int | None,
                                  signatories: Sequence[SignatoryLine]) -> SaveResult:
    """Save the contract and set its signatories to exactly these, numbered 1..n in this order, all or nothing."""
    clean = {name: value.strip() if isinstance(value, str) and name != "notes" else value
             for name, value in values.items()}
    existing = (Contract.get_or_none((Contract.id == record_id) & (Contract.deleted == False))  # noqa: E712
                if record_id is not None else None)
    errors = validate_contract(clean, existing)  # before the signatories' check, so both are shown at once
    for position, line in enumerate(signatories, start=1):
        if not line.name.strip():
            errors["signatories"] = f"Le signataire n° {position} n'a pas de nom."
            break
    if errors:
        return SaveResult(errors=errors)

    def write() -> SaveResult:
        result = save_record(Contract, clean, record_id, validate_contract)
        if not result.ok:
            return result
        contract = result.record
        kept = {line.id for line in signatories if line.id is not None}
        for existing in signatories_of(contract.id):
            if existing.id not in kept:
                tombstone(Signatory.get_by_id(existing.id))
        for position, line in enumerate(signatories, start=1):
            fields = {"contract": contract.id, "name": line.name.strip(),
                      "represented_by": line.represented_by.strip(), "position": position}
            problems = validate_signatory(fields, None)
            if problems:
                raise WriteRefused({"signatories": f"Signataire n° {position} : {' '.join(problems.values())}"})
            save_or_raise(Signatory, fields, line.id, validate_signatory)
        return result

    return all_or_nothing(write)


def contract_deletion_refusal(contract: Contract) -> str | None:
    """Why the contract cannot be deleted (its orientations, which the actions are filed under), or None."""
    from cvdesk.store.models import Orientation

    live = Orientation.select().where((Orientation.contract == contract.id) & (Orientation.deleted == False))  # noqa: E712
    total = live.count()
    if not total:
        return None
    return (f"Le contrat « {contract.name} » a encore {total} orientation{'s' if total > 1 else ''} : "
            "supprimez-les d'abord ; rien n'a été supprimé.")


def delete_contract(record_id: int) -> bool:
    """Tombstone the contract with its signatories; refused (DeletionRefused) while it has live orientations."""
    from cvdesk.services.records import delete_record

    return delete_record(Contract, record_id, (Signatory.contract,), refuse=contract_deletion_refusal)
