"""The kinds of funder a contrat de ville knows (État BOP 147, Région, Département, EPCI, CAF, bailleurs…)."""
from __future__ import annotations

FUNDER_KINDS: dict[str, str] = {
    "etat": "État – crédits politique de la ville (BOP 147)",
    "region": "Région",
    "departement": "Département",
    "epci": "EPCI",
    "commune": "Commune",
    "caf": "CAF",
    "bailleur": "Bailleurs sociaux (TFPB)",
    "fipd": "FIPD",
    "fse": "FSE",
    "autre": "Autre",
}
