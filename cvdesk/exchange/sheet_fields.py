"""The columns an import recognises: each field, its kind, and the names people give it in their spreadsheets."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any


def fold(text: Any) -> str:
    """A name reduced to compare: no accents, no case, no punctuation ("N° SIRET" -> "n siret")."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # text | siret | rna | money | int | year | date | bool | status | list
    aliases: tuple[str, ...] = ()
    required: bool = False


ASSOCIATION_FIELDS = (
    Field("name", "Nom", "text", ("Nom", "Nom de l'association", "Association", "Raison sociale", "Dénomination",
                                  "Porteur", "Structure"), True),
    Field("acronym", "Sigle", "text", ("Sigle", "Acronyme")),
    Field("siret", "SIRET", "siret", ("SIRET", "Code SIRET", "N° SIRET", "Numéro SIRET", "No SIRET")),
    Field("siren", "SIREN", "siret", ("SIREN", "N° SIREN", "Numéro SIREN")),
    Field("rna", "RNA", "rna", ("RNA", "N° RNA", "Numéro RNA", "Numéro W", "N° W", "Numéro d'association")),
    Field("legal_form", "Forme juridique", "text", ("Forme juridique", "Statut juridique", "Forme")),
    Field("address", "Adresse", "text", ("Adresse", "Adresse postale")),
    Field("postcode", "Code postal", "text", ("Code postal", "CP")),
    Field("city", "Commune", "text", ("Commune", "Ville", "Localité")),
    Field("phone", "Téléphone", "text", ("Téléphone", "Tél", "Tel")),
    Field("email", "Courriel", "text", ("Courriel", "E-mail", "Email", "Mail", "Adresse électronique")),
    Field("website", "Site web", "text", ("Site web", "Site internet", "Site")),
    Field("president", "Président", "text", ("Président", "Présidente", "Président(e)")),
    Field("contact_name", "Contact", "text", ("Contact", "Personne à contacter", "Référent")),
    Field("notes", "Notes", "text", ("Notes", "Remarques", "Observations", "Commentaire")),
    Field("active", "Active", "bool", ("Active", "Actif", "En activité")),
)

QUARTIER_FIELDS = (
    Field("code", "Code", "text", ("Code", "Code quartier", "Code QPV", "Code QP", "QPV", "Code du quartier"), True),
    Field("name", "Nom", "text", ("Nom", "Nom du quartier", "Quartier", "Libellé"), True),
    Field("population", "Population", "int", ("Population", "Habitants", "Nombre d'habitants", "Pop")),
    Field("communes", "Communes", "list", ("Communes", "Commune", "Ville", "Villes")),
    Field("notes", "Notes", "text", ("Notes", "Remarques", "Observations")),
)

ACTION_FIELDS = (
    Field("reference", "Référence", "text", ("Référence", "Réf", "Référence de l'action", "Code action",
                                             "N° action", "Numéro de l'action", "N° de dossier", "Dossier"), True),
    Field("title", "Intitulé", "text", ("Intitulé", "Titre", "Libellé", "Intitulé de l'action", "Nom de l'action",
                                        "Action")),
    Field("year", "Année", "year", ("Année", "Exercice", "Année de programmation", "Millésime")),
    Field("orientation", "Orientation", "int", ("Orientation", "N° orientation", "Orientation stratégique")),
    Field("porteur", "Porteur", "text", ("Porteur", "Association", "Structure porteuse", "Porteur de projet",
                                         "Bénéficiaire")),
    Field("porteur_siret", "SIRET du porteur", "siret", ("SIRET du porteur", "SIRET porteur", "SIRET",
                                                         "Code SIRET", "N° SIRET")),
    Field("status", "Statut", "status", ("Statut", "État", "Etat du dossier")),
    Field("total_cost", "Coût total", "money", ("Coût total", "Coût", "Budget", "Budget total", "Coût de l'action")),
    Field("description", "Description", "text", ("Description", "Descriptif", "Résumé")),
    Field("start_date", "Date de début", "date", ("Date de début", "Début", "Date début")),
    Field("end_date", "Date de fin", "date", ("Date de fin", "Fin", "Date fin")),
    Field("quartiers", "Quartiers", "list", ("Quartiers", "QPV", "Codes QPV", "Quartiers ciblés")),
    Field("funder", "Financeur", "text", ("Financeur", "Financeurs", "Cofinanceur", "Partenaire financeur")),
    Field("requested", "Demandé", "money", ("Montant demandé", "Demandé", "Demande", "Subvention demandée")),
    Field("granted", "Accordé", "money", ("Montant accordé", "Accordé", "Voté", "Montant voté", "Attribué",
                                          "Montant attribué", "Subvention accordée")),
    Field("paid", "Versé", "money", ("Montant versé", "Versé", "Payé", "Montant payé")),
    Field("decision_date", "Date de décision", "date", ("Date de décision", "Décision", "Date du vote")),
)

IMPORTS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "associations": ("Associations", ASSOCIATION_FIELDS),
    "quartiers": ("Quartiers", QUARTIER_FIELDS),
    "actions": ("Actions et leurs financements", ACTION_FIELDS),
}
