"""Saving and deleting the contract's reference records: contract, orientations, communes, funders, envelopes,
meetings; orientations kept numbered 1..n when one moves or goes."""
from __future__ import annotations

from typing import Any, Mapping

from cvdesk.domain.identifiers import check_siret, digits_only
from cvdesk.services.records import (
    SaveResult,
    WriteRefused,
    delete_record,
    live_actions_phrase,
    save_or_raise,
    save_record,
    some_references,
)
from cvdesk.services.signatories import delete_contract  # noqa: F401  (the contract's deletion lives with its save)
from cvdesk.services.validation import (
    validate_commune_unique,
    validate_contract,
    validate_envelope_in_contract,
    validate_funder,
    validate_meeting,
    validate_meeting_item,
    validate_orientation,
    validate_signatory,
)
from cvdesk.store.errors import StoreError
from cvdesk.store.models import (
    Action,
    Association,
    Commune,
    Contract,
    Envelope,
    Funder,
    Funding,
    Meeting,
    MeetingItem,
    Orientation,
    Quartier,
    QuartierCommune,
    Signatory,
    db,
)

SHOWN_NAMES = 2


def _stripped(values: Mapping[str, Any], keep: tuple[str, ...] = ("notes",)) -> dict[str, Any]:
    return {name: value.strip() if isinstance(value, str) and name not in keep else value
            for name, value in values.items()}


def save_contract(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    clean = _stripped(values)
    if clean.get("epci_siren"):
        clean["epci_siren"] = digits_only(str(clean["epci_siren"]))
    return save_record(Contract, clean, record_id, validate_contract)


def save_signatory(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Signatory, values, record_id, validate_signatory)


def save_orientation(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Orientation, values, record_id, validate_orientation)


def normalise_commune(values: Mapping[str, Any]) -> dict[str, Any]:
    """Codes as the reference writes them: INSEE and département in capitals (2A004), SIREN digits only."""
    clean = _stripped(values)
    for name in ("insee_code", "departement"):
        if isinstance(clean.get(name), str):
            clean[name] = clean[name].replace(" ", "").upper()
    if isinstance(clean.get("siren"), str):
        clean["siren"] = digits_only(clean["siren"])
    return clean


def save_commune(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Commune, normalise_commune(values), record_id, validate_commune_unique)


def normalise_funder(values: Mapping[str, Any]) -> dict[str, Any]:
    """SIREN and SIRET as digits; a SIRET alone gives its SIREN (its first 9 digits)."""
    clean = _stripped(values)
    for name in ("siren", "siret"):
        if isinstance(clean.get(name), str):
            clean[name] = digits_only(clean[name])
    # Only a valid SIRET gives its SIREN: a wrong one is reported on the field typed, not on a SIREN nobody typed.
    if clean.get("siret") and not clean.get("siren") and check_siret(clean["siret"]) is None:
        clean["siren"] = clean["siret"][:9]
    return clean


def save_funder(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Funder, normalise_funder(values), record_id, validate_funder)


def save_envelope(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    """Save an envelope; its year must fall within the live contract's period (when there is a contract)."""
    return save_record(Envelope, values, record_id, validate_envelope_in_contract)


def save_meeting(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Meeting, values, record_id, validate_meeting)


def save_meeting_item(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(MeetingItem, values, record_id, validate_meeting_item)


def current_contract() -> Contract | None:
    return Contract.select().where(Contract.deleted == False).order_by(Contract.id).first()  # noqa: E712


# ---- orientations: order ----------------------------------------------------------------------------------------

def _live_orientations(contract_id: int) -> list[Orientation]:
    return list(Orientation.select()
                .where((Orientation.contract == contract_id) & (Orientation.deleted == False))  # noqa: E712
                .order_by(Orientation.number, Orientation.id))


def _renumber(ordered: list[Orientation]) -> None:
    """Number these orientations 1..n in this order; each one whose number changes gets its history row."""
    for number, orientation in enumerate(ordered, start=1):
        if orientation.number != number:
            save_or_raise(Orientation, {"number": number}, orientation.id, validate_orientation)


def move_orientation(orientation_id: int, delta: int) -> bool:
    """Move the orientation delta places (-1 up, +1 down) among its contract's live ones, which are then numbered
    1..n in their new order, all in one transaction. False when it is already first (or last) and stays.

    The actions keep their orientation (a link, not a number): their sheets show the new number."""
    orientation = Orientation.get_or_none((Orientation.id == orientation_id) & (Orientation.deleted == False))  # noqa: E712
    if orientation is None:
        raise ValueError("Cette orientation n'existe plus : elle a été supprimée entre-temps.")
    with db.atomic():
        ordered = _live_orientations(orientation.contract_id)
        index = next(i for i, o in enumerate(ordered) if o.id == orientation_id)
        target = max(0, min(len(ordered) - 1, index + delta))
        moved = target != index
        if moved:
            ordered.insert(target, ordered.pop(index))
        try:
            _renumber(ordered)
        except WriteRefused as exc:
            raise StoreError(" ".join(exc.errors.values())) from None
    return moved


def renumber_orientations(contract_id: int) -> None:
    """Number the contract's live orientations 1..n in their present order (after a merge or an import)."""
    with db.atomic():
        _renumber(_live_orientations(contract_id))


# ---- deletions: each refused in one French sentence while the record is still used -----------------------------

def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _names(query: Any, label: Any) -> str:
    """« 3 quartiers (QP059001, QP059002 et 1 autre) » style: a few labels and how many others."""
    rows = [value for (value,) in query.select(label).order_by(label).limit(SHOWN_NAMES).tuples()]
    return some_references(rows, query.count())


def orientation_deletion_refusal(orientation: Orientation) -> str | None:
    """Why the orientation cannot go (live actions are filed under it, or an envelope is given for it), or None."""
    actions = live_actions_phrase(Action.select().where(
        (Action.orientation == orientation.id) & (Action.deleted == False)))  # noqa: E712
    envelopes = (Envelope.select().join(Funder)
                 .where((Envelope.orientation == orientation.id) & (Envelope.deleted == False)))  # noqa: E712
    count = envelopes.count()
    uses = []
    if actions:
        uses.append(f"classe encore {actions}")
    if count:
        uses.append(f"a encore {_plural(count, 'enveloppe')} ({_names(envelopes, Funder.name)})")
    if not uses:
        return None
    return (f"L'orientation n° {orientation.number} {' et '.join(uses)} : rattachez-les à une autre orientation "
            "ou supprimez-les d'abord ; rien n'a été supprimé.")


def delete_orientation(record_id: int) -> bool:
    """Tombstone the orientation (refused while used); the contract's others are numbered 1..n again."""

    def renumber(orientation: Orientation) -> None:
        _renumber(_live_orientations(orientation.contract_id))

    return delete_record(Orientation, record_id, refuse=orientation_deletion_refusal, after=renumber)


def commune_deletion_refusal(commune: Commune) -> str | None:
    """Why the commune cannot go (a live quartier lies in it, or a live association has it as its commune)."""
    quartiers = (Quartier.select().join(QuartierCommune, on=(QuartierCommune.quartier == Quartier.id))
                 .where((QuartierCommune.commune == commune.id) & (QuartierCommune.deleted == False)  # noqa: E712
                        & (Quartier.deleted == False)).distinct())  # noqa: E712
    associations = Association.select().where(
        (Association.commune == commune.id) & (Association.deleted == False))  # noqa: E712
    uses = []
    if quartiers.count():
        uses.append(f"{_plural(quartiers.count(), 'quartier')} ({_names(quartiers, Quartier.code)})")
    if associations.count():
        uses.append(f"{_plural(associations.count(), 'association')} ({_names(associations, Association.name)})")
    if not uses:
        return None
    return (f"La commune « {commune.name} » est encore celle de {' et de '.join(uses)} : retirez-la de ces fiches "
            "d'abord ; rien n'a été supprimé.")


def delete_commune(record_id: int) -> bool:
    """Tombstone the commune (refused while a live quartier or association names it), with its leftover links to
    deleted quartiers."""
    return delete_record(Commune, record_id, (QuartierCommune.commune,), refuse=commune_deletion_refusal)


def funder_deletion_refusal(funder: Funder) -> str | None:
    """Why the funder cannot go (live plan lines of live actions name it), or None."""
    lines = Funding.select(Funding.action).where((Funding.funder == funder.id) & (Funding.deleted == False))  # noqa: E712
    actions = live_actions_phrase(Action.select().where(Action.id.in_(lines) & (Action.deleted == False)))  # noqa: E712
    if actions is None:
        return None
    return (f"Le financeur « {funder.name} » figure encore au plan de financement de {actions} : retirez-le de "
            "ces plans ou supprimez ces actions d'abord ; rien n'a été supprimé.")


def delete_funder(record_id: int) -> bool:
    """Tombstone the funder with its envelopes (credits of nobody once it is gone) and its lines left on deleted
    actions; refused while a live action's plan names it."""
    return delete_record(Funder, record_id, (Envelope.funder, Funding.funder), refuse=funder_deletion_refusal)


def delete_envelope(record_id: int) -> bool:
    """Tombstone the envelope; the plan lines it covered stay (they belong to their actions)."""
    return delete_record(Envelope, record_id)


def delete_signatory(record_id: int) -> bool:
    return delete_record(Signatory, record_id)


def delete_meeting(record_id: int) -> bool:
    """Tombstone the meeting with its agenda items (the actions themselves stay)."""
    return delete_record(Meeting, record_id, (MeetingItem.meeting,))


def delete_meeting_item(record_id: int) -> bool:
    return delete_record(MeetingItem, record_id)
