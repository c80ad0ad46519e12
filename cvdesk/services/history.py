"""A record's history as people read it: when, where, who, and each field's old and new value."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cvdesk.domain.axes import PILLARS
from cvdesk.domain.dates import format_date
from cvdesk.domain.decisions import MEETING_KINDS, MEETING_STATUSES, outcome_label
from cvdesk.domain.funders import FUNDER_KINDS
from cvdesk.domain.money import format_money
from cvdesk.domain.status import status_label
from cvdesk.store.models import Action, Association, Commune, Contract, Funder, History, Orientation, Quartier, Record

OPERATIONS = {"create": "Création", "update": "Modification", "delete": "Suppression",
              # Written by a package merge (cvdesk.exchange.merge_write): the package itself, then each record
              # it changed here. They say what arrived, not what someone typed here.
              "merge": "Fusion d'un paquet", "merge_update": "Modification reçue par paquet",
              "merge_delete": "Suppression reçue par paquet"}
MERGE_OPERATIONS = frozenset({"merge", "merge_update", "merge_delete"})

FIELD_LABELS = {
    "name": "Nom", "acronym": "Sigle", "siret": "SIRET", "siren": "SIREN", "rna": "RNA", "legal_form": "Forme juridique",
    "address": "Adresse", "postcode": "Code postal", "city": "Ville", "commune": "Commune", "phone": "Téléphone",
    "email": "Courriel", "website": "Site web", "president": "Président(e)", "contact_name": "Contact",
    "notes": "Notes", "active": "Active", "reference": "Référence", "title": "Intitulé", "year": "Année",
    "orientation": "Orientation", "porteur": "Porteur", "description": "Description", "objectives": "Objectifs",
    "public": "Public visé", "start_date": "Début", "end_date": "Fin", "axes": "Axes transversaux",
    "total_cost": "Coût total", "beneficiaries_planned": "Bénéficiaires prévus",
    "beneficiaries_reached": "Bénéficiaires touchés", "indicators": "Indicateurs", "status": "Statut",
    "previous": "Action de l'année précédente", "code": "Code", "population": "Population", "deleted": "Supprimé",
    "requested": "Demandé", "granted": "Accordé", "paid": "Versé", "decision_date": "Date de décision",
    "funder": "Financeur", "action": "Action", "quartier": "Quartier", "kind": "Type", "value": "Valeur",
    "source_year": "Année de la source", "date": "Date", "amount": "Montant", "number": "Numéro", "pillar": "Pilier",
    # The contract's reference records (the « Contrat » tab).
    "insee_code": "Code INSEE", "departement": "Département", "short_name": "Nom court", "label": "Libellé",
    "epci_name": "EPCI", "epci_siren": "SIREN de l'EPCI", "start_year": "Année de début", "end_year": "Année de fin",
    "framework_signed_on": "Contrat cadre signé le", "signed_on": "Signé le", "is_demo": "Démonstration",
    "represented_by": "Représenté par", "position": "Rang", "contract": "Contrat",
    "reference_source": "Source du référentiel",
    # The meetings (the « Réunions » tab) and their agenda items.
    "place": "Lieu", "attendees": "Participants", "meeting": "Réunion", "decision": "Décision",
    "outcome": "Décision", "amounts": "Montants accordés par financeur", "applied": "Changements appliqués à la clôture",
}
MONEY_FIELDS = {"total_cost", "requested", "granted", "paid", "amount"}
# Dates are kept as ISO text in the history (services.records.plain_value) and shown as the window shows them.
DATE_FIELDS = {"start_date", "end_date", "decision_date", "date", "signed_on", "framework_signed_on"}
# Fields stored as codes: the history shows the label the forms show.
CODE_LABELS = {"status": lambda code: MEETING_STATUSES.get(code) or status_label(code),  # a meeting's or an action's
               "outcome": outcome_label, "pillar": lambda code: PILLARS.get(code, code),
               "kind": lambda code: FUNDER_KINDS.get(code) or MEETING_KINDS.get(code, code)}  # an indicator's: as stored


# Foreign keys travel by UUID; the history shows what they name.
REFERENCES = {
    "commune": (Commune, lambda r: r.name),
    "contract": (Contract, lambda r: r.name),
    "orientation": (Orientation, lambda r: f"{r.number}. {r.title}"),
    "porteur": (Association, lambda r: r.name),
    "previous": (Action, lambda r: r.reference),
    "action": (Action, lambda r: r.reference),
    "funder": (Funder, lambda r: r.name),
    "quartier": (Quartier, lambda r: f"{r.code} {r.name}"),
}


def show_value(name: str, value: Any) -> str:
    """A stored value as the history shows it."""
    if value is None or value == "":
        return "(vide)"
    if name in REFERENCES and isinstance(value, str):
        model, label = REFERENCES[name]
        target = model.get_or_none(model.uuid == value)
        return f"« {label(target)} »" if target is not None else "(enregistrement inconnu)"
    if name in DATE_FIELDS and isinstance(value, str):
        try:
            return f"« {format_date(date.fromisoformat(value[:10]))} »"
        except ValueError:
            return f"« {value} »"
    if name in CODE_LABELS and isinstance(value, str):
        return f"« {CODE_LABELS[name](value)} »"
    if name in MONEY_FIELDS and isinstance(value, int) and not isinstance(value, bool):
        return format_money(value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    return f"« {value} »"


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    office: str
    user: str
    operation: str
    changes: list[tuple[str, Any, Any]]  # (field name, old, new)
    id: int = 0  # the history row's: a later one has a larger id

    def describe(self) -> str:
        """One line per changed field, e.g. « Nom : « Centre social » → « Centre social Chasse Royale » »."""
        return "\n".join(f"{FIELD_LABELS.get(name, name)} : {show_value(name, old)} → {show_value(name, new)}"
                         for name, old, new in self.changes)


def entries_for(record_type: type[Record] | str, record_uuid: str, after_id: int = 0) -> list[HistoryEntry]:
    """The history of the record with this UUID, newest first (only the rows written after after_id, if given)."""
    type_name = record_type if isinstance(record_type, str) else record_type.__name__
    condition = ((History.record_type == type_name) & (History.record_uuid == record_uuid)
                 & (History.deleted == False))  # noqa: E712
    if after_id:
        condition &= History.id > after_id
    rows = History.select().where(condition).order_by(History.created_at.desc(), History.id.desc())
    return [entry_of(row.id, row.created_at, row.office, row.os_user, row.operation, row.changes) for row in rows]


def entry_of(history_id: int, at: datetime, office: str, user: str, operation: str, changes: str | None
             ) -> HistoryEntry:
    """A history row as the panel shows it, from its columns: the rows read back by entries_for, and the row a
    save has just written (the panel adds it without reading it again)."""
    found = json.loads(changes or "{}")
    return HistoryEntry(at=at, office=office, user=user, operation=OPERATIONS.get(operation, operation),
                        changes=[(name, old, new) for name, (old, new) in sorted(found.items())], id=history_id)
