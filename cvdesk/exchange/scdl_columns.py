"""The columns of an SCDL « subventions » file: the official names of versions 1.x and 2.x, the titles the decree's
annex gives them, and the variants local authorities publish (upper case, snake_case, « (SIRET) », typos)."""
from __future__ import annotations

import re

from cvdesk.exchange.sheet_fields import Field

# The columns of each version, in the order the format lists them (used to describe and to build test files).
SCDL_1_COLUMNS = ("nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire",
                  "idBeneficiaire", "objet", "montant", "nature", "conditionsVersement", "datesPeriodeVersement",
                  "idRAE", "notificationUE", "pourcentageSubvention")
SCDL_2_COLUMNS = ("idSubvention", "nomAttribuant", "idAttribuant", "nomServiceInstructeur", "idServiceInstructeur",
                  "nomBeneficiaire", "idBeneficiaire", "rnaBeneficiaire", "exerciceBudgetaire", "pluriannualite",
                  "anneesPluriannualite", "dateDecision", "dateConvention", "referenceDecision", "dateCreation",
                  "dateDebut", "dateFin", "dispositif", "sousDispositif", "statutLabel", "objet", "nature",
                  "montantDemande", "montant", "nomOutilInstruction", "nomOutilVersement", "ej", "cléVersement",
                  "conditionsVersement", "descriptionConditionsVersement", "datesPeriodeVersement", "cofinancement",
                  "attribuantsCofinanceurs", "idCofinancement", "idRAE", "notificationUE", "pourcentageSubvention",
                  "evaluationCout", "evaluation", "dateMiseAJour")


def _spellings(official: str, *others: str) -> tuple[str, ...]:
    """The official camelCase name, the same split into words (NOM_BENEFICIAIRE, nom_beneficiaire and
    « nom Beneficiaire » fold to it), then the other names people give the column."""
    split = re.sub(r"(?<=[a-zé])(?=[A-Z])", " ", official)
    # « l’attribuant » folds to « lattribuant », « l'attribuant » to « l attribuant »: both are written.
    curly = tuple(name.replace("'", "’") for name in others if "'" in name)
    return (official, split, *others, *curly)


SCDL_FIELDS = (
    Field("funder_name", "Nom de l'attribuant", "text", _spellings(
        "nomAttribuant", "Nom de l'attribuant", "Attribuant", "Nom attribuant", "Autorité administrative",
        "Collectivité", "Nom de la collectivité", "Collectivité attribuante", "Organisme attribuant", "Financeur",
        # The Aube writes « attributaire » for the authority; Poitiers and the Nièvre, COLL_ for it, ATTRIB_ for
        # the beneficiary.
        "Nom de l'attributaire", "COLL_NOM"),
        True),
    Field("funder_siret", "SIRET de l'attribuant", "siret", _spellings(
        "idAttribuant", "Identification de l'attribuant", "Identification de l'attribuant (SIRET)",
        "Identifiant de l'attribuant", "SIRET de l'attribuant", "SIRET attribuant", "SIRET autorité administrative",
        "SIRET de la collectivité", "id Attribuant", "Identification de l'attributaire (SIRET)",
        "Identification de l'attributaire", "COLL_SIRET")),
    Field("beneficiary_name", "Nom du bénéficiaire", "text", _spellings(
        "nomBeneficiaire", "Nom du bénéficiaire", "Bénéficiaire", "Nom bénéficiaire", "nomBénéficiaire",
        "Nom attributaire", "Attributaire", "Raison sociale du bénéficiaire", "Raison sociale", "Tiers",
        "Nom du tiers", "Organisme bénéficiaire", "Association", "Nom de l'association", "Structure",
        "nonBeneficiaire", "ATTRIB_NOM", "Nom"), True),
    Field("beneficiary_siret", "SIRET du bénéficiaire", "siret", _spellings(
        "idBeneficiaire", "Identification du bénéficiaire", "Identification du bénéficiaire (SIRET)",
        "Identification SIRET du bénéficiaire", "Identifiant du bénéficiaire", "Id du bénéficiaire",
        "SIRET du bénéficiaire", "SIRET bénéficiaire", "SIRET", "N° SIRET", "Numéro SIRET", "Code SIRET",
        "SIRET attributaire", "N° SIRET attributaire", "idBeneficiare", "idBénéficiaire", "ATTRIB_SIRET", "SIRET_ORG",
        "SIRET de l'organisme")),
    Field("beneficiary_rna", "RNA du bénéficiaire", "rna", _spellings(
        "rnaBeneficiaire", "Identification RNA du bénéficiaire", "RNA du bénéficiaire", "Numéro RNA du bénéficiaire",
        "RNA", "N° RNA", "Numéro RNA", "rnaBénéficiaire")),
    Field("year", "Exercice budgétaire", "year", _spellings(
        "exerciceBudgetaire", "Exercice budgétaire", "Exercice", "Année", "Année budgétaire", "Année de la demande",
        "Année de la subvention", "Année d'attribution", "Millésime", "anneeBudgetaire")),
    Field("convention_date", "Date de la convention", "date", _spellings(
        "dateConvention", "Date de la convention", "Date de la convention de subvention",
        "Date de la convention de subvention (AAAA-MM-JJ)", "Date de convention", "Date convention",
        "Date de signature de la convention", "datedeConvention")),
    Field("decision_date", "Date de décision", "date", _spellings(
        "dateDecision", "Date de décision", "Date de la décision", "Date du vote", "Date de vote",
        "Date de délibération", "Date de la délibération", "Date de la commission", "ACTE_DATE", "Date d'octroi", "Date octroi")),
    Field("decision_reference", "Référence de la décision", "text", _spellings(
        "referenceDecision", "Référence de la décision", "Référence délibération", "Référence de la délibération",
        "N° de délibération", "Numéro de délibération", "N° délibération", "Délibération", "ACTE_REF")),
    Field("grant_id", "Identifiant de la subvention", "text", _spellings(
        "idSubvention", "Identifiant de la subvention", "identifiantSubvention", "N° de dossier",
        "Numéro de dossier")),
    Field("object", "Objet", "text", _spellings(
        "objet", "Objet de la subvention", "Objet de la convention", "Objet du dossier", "Objet de l'aide",
        "Objet convention", "Objet de la demande", "Intitulé du projet", "Intitulé", "Libellé", "Projet", "SUB_OBJ",
        "SUB_OBJET", "Présentation de la demande"), True),
    Field("amount", "Montant", "money", _spellings(
        "montant", "Montant total de la subvention", "Montant de la subvention", "Montant voté", "Montant attribué",
        "Montant accordé", "Montant alloué", "Montant décidé", "Montant décidé ligne", "Montant octroyé",
        "Montant en euros", "Montant en €", "Subvention accordée", "Subvention votée", "SUB_MONTANT"), True),
    Field("requested", "Montant demandé", "money", _spellings(
        "montantDemande", "Montant demandé", "Montant de la demande", "Montant de la demande de subvention")),
    Field("share", "Part du bénéficiaire", "text", _spellings(
        "pourcentageSubvention", "Pourcentage du montant total de la subvention attribuée au bénéficiaire",
        "Pourcentage du montant de la subvention attribuée au bénéficiaire",
        "Pourcentage du montant de la subvention attribué au bénéficiaire",
        "% du mt de la subvention attribuée au bénéficiaire", "Pourcentage subvention", "Pourcentage",
        "Part du bénéficiaire")),
    Field("start_date", "Date de début", "date", _spellings(
        "dateDebut", "Date de début du projet", "Date de début", "Début", "SUB_DATE_DEBUT")),
    Field("end_date", "Date de fin", "date", _spellings("dateFin", "Date de fin du projet", "Date de fin", "Fin",
                                                      "SUB_DATE_FIN")),
    Field("status", "Statut de la demande", "text", _spellings(
        "statutLabel", "Statut de la demande de subvention", "Statut de la demande", "Statut")),
    Field("nature", "Nature de la subvention", "text", _spellings(
        "nature", "Nature de la subvention", "Nature de l'aide", "Nature subvention", "SUB_NATURE")),
    Field("payment_period", "Date ou période de versement", "text", _spellings(
        "datesPeriodeVersement", "Date ou période de versement", "Date(s) ou période(s) de versement",
        "Date(s) ou période(s) de versement (AAAA-MM-JJ)", "Période de versement", "Date de versement",
        "Dates de versement", "datesPériodeVersement", "SUB_VERSEMENT")),
    Field("scheme", "Dispositif", "text", _spellings(
        "dispositif", "dispositifAide", "Dispositif de subvention", "Dispositif d'aide", "Dispositif",
        "SUB_DISPOSITIF")),
    Field("cost", "Coût du projet", "money", _spellings(
        "evaluationCout", "Évaluation du coût", "Coût total du projet", "Coût du projet", "Coût total")),
)
"""What the SCDL import reads; the other columns of the format (notificationUE, idRAE, nomOutilVersement…) say
nothing a contrat de ville keeps, and are shown as ignored."""
